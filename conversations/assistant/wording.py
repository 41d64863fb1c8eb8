"""One reply's inputs and its optional rewording by the company's language model, shared by the reply
pipeline (conversations/core/replies.py) and the panel's preview (assistant/preview.py), so the
preview answers the way the pipeline would:

- `company_context`: the engine's context from the company's facts (name, knowledge base, catalogue
  of services), the profile given (saved, or the panel's unsaved form) and one burst of messages;
- `llm_may_word`: whether the model words a draft at all (never a handoff to a person, never the
  company's template texts, never with the offline engine configured);
- `llm_worded`: the draft with the model's words, the company's greeting kept in front of them.
"""

from dataclasses import replace
from datetime import date, datetime

from conversations.assistant.catalogue import catalogue_items
from conversations.assistant.engine.context import Draft, EngineContext
from conversations.assistant.models import KnowledgeItem, LLMConfig
from secretaria.settings_cache import cached
from tenants.selectors import company_current

LLM_CONFIDENCE = 0.8


def company_context(*, profile, texts: list[str], now: datetime, closed_days: dict[date, str] | None,
                    history: list[tuple[str, str]] = (), contact_name: str = "", contact_id: int | None = None,
                    low_confidence_streak: int = 0) -> EngineContext:
    """The engine's context for one burst of messages, with this company's facts (cached per settings version)."""
    return EngineContext(
        company_name=cached("company", company_current).name,
        profile=profile,
        knowledge=cached("knowledge", lambda: list(KnowledgeItem.objects.filter(is_active=True))),
        catalogue=cached("catalogue", catalogue_items),
        contact_name=contact_name,
        contact_id=contact_id,
        texts=texts,
        history=list(history),
        now=now,
        low_confidence_streak=low_confidence_streak,
        closed_days=closed_days,
    )


def llm_may_word(draft: Draft, *, config: LLMConfig) -> bool:
    """Whether the company's model should word this draft (the pipeline also checks the contact's budget)."""
    if draft.injection:
        return False  # never send an injection attempt to a model
    if draft.handoff and draft.handoff_reason != "low_confidence":
        return False  # a person takes it from here; the engine's words are enough
    if draft.fixed:
        return False  # the company's template texts (a greeting, thanks): sent as rendered, never reworded
    return config.provider != LLMConfig.Provider.LOCAL


def llm_worded(draft: Draft, text: str) -> Draft:
    """The model answered: its words (after the company's greeting), and the "not sure" handoff no
    longer applies (the other handoffs never reach the model, see llm_may_word)."""
    return replace(draft, text=_after_greeting(draft, text.strip()), confidence=max(draft.confidence, LLM_CONFIDENCE),
                   needs_llm=False, handoff=False, handoff_reason="")


def _after_greeting(draft: Draft, text: str) -> str:
    """The model words the answer, never the company's greeting: the first words stay the `greeting` slot's."""
    if not draft.greeting or text.startswith(draft.greeting):
        return text
    return f"{draft.greeting}\n{text}"
