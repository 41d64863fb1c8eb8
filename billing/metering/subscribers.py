"""Metering hears what happened through the domain events (billing may not import the apps above it).

Each handler turns one event into counter increments; the rows behind the events stay the
source of truth (sources.py), so an event lost in a killed process is recovered by the next build.
Customer messages in are not counted here: they are no quota, and the webhook path stays free of
one more Redis call; the roll-up counts them from the rows.
"""

from billing.metering.notify import PLATFORM_OUTREACH
from billing.metering.prices import cost_pico_brl
from billing.metering.services import usage_add
from secretaria import events


def _reply_sent(event: events.ReplySent) -> None:
    usage_add({"messages": len(event.answered_message_ids)}, at=event.occurred_at)


def _llm_call_made(event: events.LLMCallMade) -> None:
    tokens = event.input_tokens + event.output_tokens
    cost = cost_pico_brl(model=event.model, input_tokens=event.input_tokens, output_tokens=event.output_tokens)
    usage_add({"ai_tokens": tokens, "ai_cost": cost}, at=event.occurred_at)


def _outreach_queued(event: events.OutreachQueued) -> None:
    if event.kind not in PLATFORM_OUTREACH:  # our own alerts to the owner are not the company's usage
        usage_add({"outreach": 1}, at=event.occurred_at)


def _handoff_opened(event: events.HandoffOpened) -> None:
    if event.opened:
        usage_add({"handoffs": 1}, at=event.occurred_at)


def subscribe_all() -> None:
    events.subscribe(events.ReplySent, _reply_sent)
    events.subscribe(events.LLMCallMade, _llm_call_made)
    events.subscribe(events.OutreachQueued, _outreach_queued)
    events.subscribe(events.HandoffOpened, _handoff_opened)
