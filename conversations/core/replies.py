"""Composing one reply: the offline engine decides, the company's LLM (if any) words it.

The engine (conversations/assistant/engine) always runs first: it detects the intent, the
sentiment, prompt-injection attempts and the moments that belong to a person
(human request, complaint, LGPD request, strong anger). Those are answered by the
engine itself. Everything else goes to the configured LLM when there is one, with
the engine's draft as the fallback when the model fails, refuses, is over budget or
its circuit breaker is open — so a company never goes silent. A draft made of the company's
template texts alone (`fixed`: a greeting, thanks, a goodbye) is sent as rendered, and a model that
words an answer keeps the company's greeting in front of it: the model never rewrites a template.
"""

from dataclasses import replace

import structlog
from django.utils import timezone

from conversations.assistant.closed_days import company_closed_days
from conversations.assistant.engine.context import Draft, EngineContext, ProfileData
from conversations.assistant.engine.local import compose
from conversations.assistant.engine.prompt import build_request
from conversations.assistant.llm import llm_complete, llm_config_get
from conversations.assistant.models import CompanyProfile
from conversations.assistant.wording import company_context, llm_may_word, llm_worded
from conversations.core.context import context_get
from conversations.core.limits import llm_budget_allow
from conversations.core.models import Contact, Conversation
from conversations.turns import Turn, turn_handlers
from secretaria.events import PromptInjectionRefused, publish
from secretaria.settings_cache import cached

log = structlog.get_logger(__name__)
# Handoffs the engine decides only because it cannot answer itself: a turn handler's answer replaces them.
HANDLER_MAY_ANSWER = ("low_confidence", "lgpd_request")


def engine_context(*, conversation: Conversation, contact: Contact, texts: list[str]) -> EngineContext:
    profile = cached("profile", lambda: CompanyProfile.objects.filter(singleton=1).first() or ProfileData())
    now = timezone.now()
    return company_context(
        profile=profile, texts=texts, now=now, closed_days=company_closed_days(profile=profile, now=now),
        history=[] if getattr(conversation, "just_opened", False) else context_get(conversation_id=conversation.pk),
        contact_name=contact.name, contact_id=contact.pk, low_confidence_streak=conversation.low_confidence_streak,
    )


def reply_draft(*, conversation: Conversation, contact: Contact, texts: list[str]) -> Draft:
    ctx = engine_context(conversation=conversation, contact=contact, texts=texts)
    draft = compose(ctx)
    if draft.injection:
        _record_injection(contact, draft)
        return draft
    if answered := _turn_draft(conversation, contact, texts, draft):
        return answered
    if not _llm_should_answer(draft, contact):
        return draft
    outcome = llm_complete(request=build_request(ctx, greeted=draft.greeting), conversation_id=conversation.pk)
    if not outcome.text:
        return draft  # the engine's answer is the fallback template
    return llm_worded(draft, outcome.text)


def _turn_draft(conversation: Conversation, contact: Contact, texts: list[str], draft: Draft) -> Draft | None:
    """A registered turn handler's answer when the turn is its business (conversations/turns.py).

    A handoff the engine decided (a complaint, a request for a person) stands: the
    handlers then only record what must not be lost. "Not sure" is no handoff when a
    handler understood the message ("2" after a list of slots), nor is an LGPD request
    that a handler (the compliance self-service) answers itself.
    """
    handoff = draft.handoff and draft.handoff_reason not in HANDLER_MAY_ANSWER
    turn = Turn(contact=contact, conversation=conversation, texts=tuple(texts), intent=draft.intent,
                now=timezone.now(), handoff=handoff, service_id=draft.service_id)
    for handler in turn_handlers():
        try:
            reply = handler.answer(turn)
        except Exception:  # noqa: BLE001 - a broken handler must not silence the company: the engine answers
            log.exception("turn_handler_failed", handler=handler.name, contact_id=contact.pk)
            continue
        if reply is not None and not handoff:
            text = f"{draft.aside}\n{reply.text}" if draft.aside else reply.text
            return replace(draft, text=text, intent=reply.intent, confidence=0.95, needs_llm=False,
                           handoff=False, handoff_reason="", options=list(reply.options), options_body=reply.body,
                           turn=handler.name)
    return None


def _llm_should_answer(draft: Draft, contact: Contact) -> bool:
    if not llm_may_word(draft, config=cached("llm_config", llm_config_get)):
        return False
    # A flooding contact is answered by the engine alone: it cannot burn the LLM budget (S6).
    return llm_budget_allow(phone=contact.phone)


def _record_injection(contact: Contact, draft: Draft) -> None:
    log.warning("prompt_injection", contact_id=contact.pk)
    publish(PromptInjectionRefused(contact_id=contact.pk, intent=str(draft.intent)))
