"""Running the corpus: utterances through the offline engine, dialogues through the reply pipeline.

Run inside a company's schema whose profile, knowledge base and services are the demo clinic's
(devstack/demo fills them; tests/conversations/test_evaluation.py and `make eval` do). Utterances
are composed with the engine alone, at a fixed moment in business hours, so the figures depend on
the text only. Dialogues go the way a WhatsApp message goes: stored as the sandbox webhook stores
it, answered by `conversation_reply` (engine, turn handlers, agenda, outbox); what happened is
read from the domain events (a reply sent, a handoff, an appointment booked, moved or cancelled),
so this package needs nothing from the apps above `conversations`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import TestCase
from django.test.utils import override_settings
from django.utils import timezone

from conversations.assistant.catalogue import catalogue_items
from conversations.assistant.engine.context import EngineContext, ProfileData
from conversations.assistant.engine.local import compose
from conversations.assistant.engine.prompt import build_request
from conversations.assistant.evaluation.loader import Dialogue, Expect, Utterance
from conversations.assistant.models import CompanyProfile, KnowledgeItem
from conversations.channels.base import InboundMessage, MessageKind
from conversations.core.ingest import inbound_store
from conversations.core.models import Message
from conversations.core.pipeline import conversation_reply
from conversations.turns import Intent
from secretaria.events import bus
from secretaria.events.catalogue import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
    HandoffOpened,
    ReplySent,
)
from secretaria.ptbr import fold
from tenants.selectors import company_current

TZ = ZoneInfo("America/Sao_Paulo")
# Utterances are read on a Tuesday at 10:30, with the clinic open: "tão abertos?" has one answer.
UTTERANCE_NOW = datetime(2026, 3, 3, 10, 30, tzinfo=TZ)
_OUTCOME_EVENTS = {AppointmentBooked: "booked", AppointmentRescheduled: "rescheduled",
                   AppointmentCancelled: "cancelled"}


def same_text(text: str) -> str:
    """What facts are compared on: folded (no accents, lower case), any space a plain space."""
    return fold((text or "").replace("\xa0", " ").replace("\u202f", " "))


@dataclass(frozen=True)
class UtteranceResult:
    utterance: Utterance
    intent: Intent  # the engine's reading
    intents: frozenset[Intent]  # every intent the engine reported (several when it says so)
    text: str
    fallback: bool  # a low-confidence answer: "didn't understand"
    handoff: bool
    missing_facts: tuple[str, ...]
    service_ok: bool | None  # None: no service slot labelled
    seconds: float

    @property
    def correct(self) -> bool:
        return self.intent in self.utterance.intents


@dataclass(frozen=True)
class TurnResult:
    texts: tuple[str, ...]
    reply: str | None  # None: no answer (the conversation is with the staff)
    intent: str
    outcomes: tuple[str, ...]
    handoff: bool
    options: bool
    failures: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class DialogueResult:
    dialogue: Dialogue
    turns: tuple[TurnResult, ...]

    @property
    def completed(self) -> bool:
        return all(not t.failures for t in self.turns)


def company_context() -> EngineContext:
    """The current company's profile, knowledge base and catalogue, as the reply pipeline loads them."""
    return EngineContext(
        company_name=company_current().name,
        profile=CompanyProfile.objects.filter(singleton=1).first() or ProfileData(),
        knowledge=list(KnowledgeItem.objects.filter(is_active=True)),
        catalogue=catalogue_items(),
    )


def utterances_run(utterances: Iterable[Utterance], *, base: EngineContext | None = None,
                   contact_name: str = "Cliente") -> list[UtteranceResult]:
    base = base or company_context()
    results = []
    for utterance in utterances:
        ctx = EngineContext(company_name=base.company_name, profile=base.profile, knowledge=base.knowledge,
                            catalogue=base.catalogue, contact_name=contact_name, texts=list(utterance.texts),
                            now=UTTERANCE_NOW, timezone=str(TZ))
        started = time.perf_counter()
        draft = compose(ctx)
        seconds = time.perf_counter() - started
        answer = same_text(draft.text)
        reported = frozenset(getattr(draft, "intents", None) or ()) | {draft.intent}
        service = utterance.slots.get("service")
        results.append(UtteranceResult(
            utterance=utterance, intent=draft.intent, intents=reported, text=draft.text,
            fallback=draft.low_confidence, handoff=draft.handoff,
            missing_facts=tuple(f for f in utterance.facts if same_text(f) not in answer),
            service_ok=None if not service else same_text(service) in answer, seconds=seconds))
    return results


@dataclass(frozen=True)
class PromptCoverage:
    """What an LLM would be given for the in-scope utterances (the request, as sent to any provider)."""

    facts: tuple[int, int]  # expected facts found in the request, of all
    messages: tuple[int, int]  # the customer's messages found in its last turn, of all
    rules: tuple[int, int]  # requests carrying the constraints (no invented facts, no booking alone)


# Two of the prompt's rules that keep an LLM honest: never invent facts, never book on its own.
_RULES = ("nao invente precos", "nao confirme agendamentos")


def prompts_run(utterances: Iterable[Utterance], *, base: EngineContext | None = None) -> PromptCoverage:
    """Build the LLM request for each in-scope utterance and check it carries what the model needs."""
    base = base or company_context()
    facts, messages, rules = [0, 0], [0, 0], [0, 0]
    for utterance in (u for u in utterances if u.in_scope):
        ctx = EngineContext(company_name=base.company_name, profile=base.profile, knowledge=base.knowledge,
                            catalogue=base.catalogue, texts=list(utterance.texts), now=UTTERANCE_NOW,
                            timezone=str(TZ))
        request = build_request(ctx)
        system, last = same_text(request.system), same_text(request.turns[-1].content if request.turns else "")
        everything = system + " " + last
        facts[0] += sum(same_text(f) in everything for f in utterance.facts)
        facts[1] += len(utterance.facts)
        messages[0] += sum(same_text(t) in last for t in utterance.texts)
        messages[1] += len(utterance.texts)
        rules[0] += all(rule in system for rule in _RULES)
        rules[1] += 1
    return PromptCoverage(facts=tuple(facts), messages=tuple(messages), rules=tuple(rules))


class _Recorder:
    """The domain events of one turn: replies sent, handoffs opened, appointments booked/moved/cancelled."""

    def __init__(self):
        self.events: list = []

    def __call__(self, event) -> None:
        self.events.append(event)

    def __enter__(self):
        for kind in (ReplySent, HandoffOpened, *_OUTCOME_EVENTS):
            bus.subscribe(kind, self)
        return self

    def __exit__(self, *exc) -> None:
        for kind in (ReplySent, HandoffOpened, *_OUTCOME_EVENTS):
            bus.unsubscribe(kind, self)

    def take(self) -> list:
        events, self.events = self.events, []
        return events


def dialogues_run(dialogues: Iterable[Dialogue], *, phone_prefix: str = "55119880") -> list[DialogueResult]:
    """Each dialogue as a new customer (its own phone) on the company's sandbox channel.

    Each turn's messages are stored a second in the past and answered at once (no debounce);
    what its transaction publishes is delivered before the next turn, in tests too.
    """
    results = []
    with override_settings(DEBOUNCE_SECONDS=0), _Recorder() as recorder:
        for n, dialogue in enumerate(dialogues, start=1):
            phone = f"{phone_prefix}{n:04d}"
            turns = []
            for t, turn in enumerate(dialogue.turns, start=1):
                turns.append(_turn(recorder, phone=phone, key=f"eval-{phone}-{t}", texts=turn.texts,
                                   expect=turn.expect, name=dialogue.id))
            results.append(DialogueResult(dialogue=dialogue, turns=tuple(turns)))
    return results


def _turn(recorder: _Recorder, *, phone: str, key: str, texts: tuple[str, ...], expect: Expect,
          name: str) -> TurnResult:
    recorder.take()
    contact_id = None
    with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True):
        for i, text in enumerate(texts):
            stored = inbound_store(message=InboundMessage(
                provider="sandbox", provider_message_id=f"{key}-{i}", sender=phone, sender_name="Cliente Avaliação",
                kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
            # created_at is PostgreSQL's clock: put it a moment ago on Django's (maybe frozen) clock.
            Message.objects.filter(pk=stored.pk).update(created_at=timezone.now() - timedelta(seconds=1))
            contact_id = stored.contact_id
    started = time.perf_counter()
    with TestCase.captureOnCommitCallbacks(using=connection.alias, execute=True):
        conversation_reply(contact_id=contact_id)
    seconds = time.perf_counter() - started
    events = recorder.take()
    sent = [e for e in events if isinstance(e, ReplySent)]
    reply = Message.objects.filter(pk=sent[-1].reply_message_id).first() if sent else None
    outbox = getattr(reply, "outbox", None) if reply else None
    result = TurnResult(
        texts=texts, reply=reply.text if reply else None, intent=sent[-1].intent if sent else "",
        outcomes=tuple(_OUTCOME_EVENTS[type(e)] for e in events if type(e) in _OUTCOME_EVENTS),
        handoff=any(isinstance(e, HandoffOpened) for e in events),
        options=bool(getattr(outbox, "options", None)) or _numbered(reply.text if reply else ""),
        failures=(), seconds=seconds)
    return TurnResult(**{**result.__dict__, "failures": turn_failures(result, expect)})


def _numbered(text: str) -> bool:
    """Two or more "1)"/"1." lines: a list to pick from, on a channel without interactive lists."""
    return sum(1 for line in text.splitlines() if re.match(r"\s*\d[.)]\s", line)) >= 2


def turn_failures(result: TurnResult, expect: Expect) -> tuple[str, ...]:
    """What the expectation asked that the turn did not give (empty: the turn is right)."""
    failures = []
    if expect.intents and result.intent not in {str(i) for i in expect.intents}:
        failures.append(f"intent {result.intent or '-'} not in {[str(i) for i in expect.intents]}")
    answer = same_text(result.reply or "")
    failures += [f"fact {fact!r} missing" for fact in expect.facts if same_text(fact) not in answer]
    if expect.outcome and expect.outcome not in result.outcomes:
        failures.append(f"not {expect.outcome}")
    if expect.handoff is not None and expect.handoff != result.handoff:
        failures.append("handoff expected" if expect.handoff else "unexpected handoff")
    if expect.options is not None and expect.options != result.options:
        failures.append("options expected" if expect.options else "unexpected options")
    if result.reply is None and not expect.handoff:
        failures.append("no reply")
    return tuple(failures)
