"""What conversations tells billing's metering: how to count its rows, and how to send an alert.

Billing sits below conversations and may not import it; these functions are registered in
`ConversationsConfig.ready()` (billing/metering/sources.py and notify.py hold the registries).
Each counter reads the current company's schema, grouped by local day, and counts exactly what
the matching event handler adds to the live counters (billing/metering/subscribers.py).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from billing.metering.notify import PLATFORM_OUTREACH, register_whatsapp_sender
from billing.metering.prices import pico_per_token
from billing.metering.setup import metering_install
from billing.metering.sources import DayFact, register_source
from conversations.assistant.models import LLMCall
from conversations.core.models import Contact, Conversation, Message
from conversations.outreach.services import Outreach, outreach_send


def _per_day(queryset, field: str) -> dict[date, DayFact]:
    rows = (queryset.annotate(day=TruncDate(field, tzinfo=timezone.get_current_timezone()))
            .values("day").annotate(n=Count("pk")).order_by())
    return {row["day"]: DayFact(quantity=row["n"]) for row in rows}


def answered_messages(start: datetime, end: datetime) -> dict[date, DayFact]:
    """Customer messages the assistant answered (ReplySent counts its answered_message_ids)."""
    answered = Message.objects.filter(direction=Message.Direction.IN, state=Message.State.ANSWERED,
                                      processed_at__gte=start, processed_at__lt=end)
    return _per_day(answered, "processed_at")


def inbound_messages(start: datetime, end: datetime) -> dict[date, DayFact]:
    received = Message.objects.filter(direction=Message.Direction.IN, created_at__gte=start, created_at__lt=end)
    return _per_day(received, "created_at")


def outreach_messages(start: datetime, end: datetime) -> dict[date, DayFact]:
    """Business-initiated messages recorded (OutreachQueued), our alerts to the owner apart."""
    sent = (Message.objects.filter(direction=Message.Direction.OUT, created_at__gte=start, created_at__lt=end,
                                   payload__has_key="outreach")
            .exclude(Q(payload__outreach="") | Q(payload__outreach__in=PLATFORM_OUTREACH)))
    return _per_day(sent, "created_at")


def handoffs(start: datetime, end: datetime) -> dict[date, DayFact]:
    """Conversations handed to the staff (HandoffOpened with opened=True). A conversation handed
    back to the assistant clears its handoff_at: this counts the handoffs still on record."""
    return _per_day(Conversation.objects.filter(handoff_at__gte=start, handoff_at__lt=end), "handoff_at")


def ai_tokens(start: datetime, end: datetime) -> dict[date, DayFact]:
    """Tokens of every model call and their cost, summed in SQL per day and model (a cost is linear in
    the tokens, billing/metering/prices.py: the same figure LLMCallMade adds up call by call)."""
    tokens: dict[date, int] = defaultdict(int)
    cost: dict[date, int] = defaultdict(int)
    groups = (LLMCall.objects.filter(created_at__gte=start, created_at__lt=end)
              .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
              .values("day", "model").annotate(tokens_in=Sum("input_tokens"), tokens_out=Sum("output_tokens"))
              .order_by())
    for group in groups:
        prompt, completion = pico_per_token(group["model"])
        tokens[group["day"]] += group["tokens_in"] + group["tokens_out"]
        cost[group["day"]] += prompt * group["tokens_in"] + completion * group["tokens_out"]
    return {day: DayFact(quantity=tokens[day], cost_pico=cost[day]) for day in tokens if tokens[day]}


def quota_alert_whatsapp(phone: str, text: str, key: str) -> None:
    """Record the alert for the owner's WhatsApp through outreach (one message per key)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    contact, _ = Contact.objects.get_or_create(phone=digits)
    outreach_send(Outreach(contact=contact, text=text, kind="quota_alert", key=key), inline=False)


def billing_install() -> None:
    """Register the counters and the alert sender; subscribe billing's metering to the events."""
    for kind, count in (("messages", answered_messages), ("inbound", inbound_messages),
                        ("outreach", outreach_messages), ("handoffs", handoffs), ("ai_tokens", ai_tokens)):
        register_source(kind, count)
    register_whatsapp_sender(quota_alert_whatsapp)
    metering_install()


