"""What would the bot say? The panel's live preview of the assistant with settings not saved yet.

Staff type a customer's message next to the tone settings and read the answer the assistant would
give with the form as it is on screen (`profile`: an unsaved CompanyProfile, or anything with its
attribute names). It runs what the reply pipeline runs (the offline engine on the company's facts,
then the company's language model when the pipeline would call it, see assistant/wording.py) and
stores nothing: no contact, conversation or message rows, no outbox, no LLMCall row, no quota.

What it leaves out, on purpose: the turn handlers (the booking chat would keep a dialog with the
customer and hold slots), the conversation's history (a preview is a first message), and the
per-contact budget and circuit breaker (one click is not a flood). A model call is made once,
without retries, and a failing model shows the offline answer the customer would get instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from django.utils import timezone

from billing.metering.quotas import ai_allowed
from conversations.assistant.closed_days import closed_days_ahead
from conversations.assistant.engine.local import compose
from conversations.assistant.engine.prompt import build_request
from conversations.assistant.llm import llm_config_get, provider_for
from conversations.assistant.providers.base import LLMError
from conversations.assistant.wording import company_context, llm_may_word, llm_worded

log = structlog.get_logger(__name__)
MAX_MESSAGE = 1000

HANDOFF_NOTES = {
    "human_request": "A conversa iria para a equipe: o cliente pediu uma pessoa.",
    "low_confidence": "A assistente não teve certeza; na segunda vez seguida, a conversa iria para a equipe.",
    "negative_sentiment": "A conversa iria para a equipe: cliente insatisfeito.",
    "complaint": "A conversa iria para a equipe: é uma reclamação.",
    "lgpd_request": "A conversa iria para a equipe: pedido sobre dados pessoais (LGPD).",
}


@dataclass(frozen=True)
class PreviewAnswer:
    text: str
    engine: str  # "offline" (the local engine) or "llm" (the company's model worded it)
    intent: str
    notes: tuple[str, ...] = ()  # pt-BR, for staff: a handoff, a model that failed, the quota

    def as_json(self) -> dict:
        return {"text": self.text, "engine": self.engine, "intent": self.intent, "notes": list(self.notes)}


def reply_preview(*, profile, message: str) -> PreviewAnswer:
    """The assistant's answer to `message` as a first message from a new customer, with `profile`."""
    now = timezone.now()
    texts = [message.strip()[:MAX_MESSAGE]]
    ctx = company_context(profile=profile, texts=texts, now=now,
                          closed_days=closed_days_ahead(profile=profile, now=now))
    draft = compose(ctx)
    notes = [HANDOFF_NOTES[draft.handoff_reason]] if draft.handoff and draft.handoff_reason in HANDOFF_NOTES else []
    config = llm_config_get()
    if not llm_may_word(draft, config=config):
        return PreviewAnswer(draft.text, "offline", str(draft.intent), tuple(notes))
    if not ai_allowed():
        notes.append("A cota de IA do plano acabou: a resposta sai do motor offline.")
        return PreviewAnswer(draft.text, "offline", str(draft.intent), tuple(notes))
    provider = provider_for(config)
    try:
        result = provider.inner.complete(build_request(ctx, greeted=draft.greeting))
    except LLMError as exc:
        log.info("reply_preview_llm_failed", provider=provider.name, error=type(exc).__name__, status=exc.status)
        notes.append("A IA não respondeu agora; o cliente receberia esta resposta do motor offline.")
        return PreviewAnswer(draft.text, "offline", str(draft.intent), tuple(notes))
    worded = llm_worded(draft, result.text)  # the model answered: no "not sure" handoff (the only one it words)
    return PreviewAnswer(worded.text, "llm", str(worded.intent))
