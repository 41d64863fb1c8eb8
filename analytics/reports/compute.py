"""A company day's parts, read from the rows the other apps committed (in the current schema).

Each function reads one source for the instants [start, end) of the company's day and returns
its parts (analytics/reports/parts.py). About a dozen indexed queries per day, nothing per row.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Min, Q, Sum

from agenda.models import Appointment, AppointmentEvent, FollowUp, Reminder
from agenda.services.config import calendar_config
from analytics.feedback.models import Feedback
from analytics.reports.models import FunnelMark
from analytics.reports.parts import empty_parts
from billing.metering.periods import period_of
from billing.metering.prices import pico_per_token
from billing.metering.selectors import usage_days
from billing.metering.services import plan_limits
from conversations.models import Conversation, LLMCall, Message
from tenants.selectors import company_current

IN, OUT = Message.Direction.IN, Message.Direction.OUT
SOURCE_PART = {Appointment.Source.CHAT: "bookings_chat", Appointment.Source.ADMIN: "bookings_panel",
               Appointment.Source.API: "bookings_api", Appointment.Source.CALCOM: "bookings_calcom",
               Appointment.Source.WAITLIST: "bookings_waitlist"}
QUOTA_PART = {"messages": "quota_messages_ratio", "ai_tokens": "quota_ai_tokens_ratio",
              "outreach": "quota_outreach_ratio"}


def company_timezone() -> str:
    return calendar_config().timezone


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The instants [start, end) of `day` on the company's clock."""
    zone = ZoneInfo(tz)
    return datetime.combine(day, time.min, tzinfo=zone), datetime.combine(day + timedelta(days=1), time.min,
                                                                           tzinfo=zone)


def day_parts(day: date, tz: str) -> dict:
    start, end = day_bounds(day, tz)
    parts = empty_parts()
    for read in (_messages, _contacts, _conversations, _first_replies, _staff_responses, _appointments,
                 _appointment_events, _followups, _ai, _funnel, _reminders):
        parts.update(read(start, end))
    parts.update(_quotas(day))
    return parts


def _messages(start, end) -> dict:
    return Message.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        messages_in=Count("pk", filter=Q(direction=IN)), messages_out=Count("pk", filter=Q(direction=OUT)))


def _contacts(start, end) -> dict:
    """Who wrote; new ones are those whose first message ever is in the period."""
    inbound = Message.objects.filter(direction=IN)
    seen = set(inbound.filter(created_at__gte=start, created_at__lt=end).values_list("contact_id", flat=True)
               .order_by())
    before = set(inbound.filter(created_at__lt=start, contact_id__in=seen).values_list("contact_id", flat=True)
                 .order_by().distinct()) if seen else set()
    return {"contacts": sorted(seen), "contacts_new": len(seen - before)}


def _conversations(start, end) -> dict:
    opened, handed = Q(opened_at__gte=start, opened_at__lt=end), Q(handoff_at__gte=start, handoff_at__lt=end)
    return Conversation.objects.filter(opened | handed).aggregate(
        conversations_opened=Count("pk", filter=opened), handoffs=Count("pk", filter=handed))


def _first_replies(start, end) -> dict:
    """Conversations opened in the period: from the customer's first message to our first message
    (the assistant's or a person's, not a reminder) reaching the channel (Outbox.sent_at)."""
    rows = (Conversation.objects.filter(opened_at__gte=start, opened_at__lt=end)
            .annotate(first_in=Min("messages__created_at", filter=Q(messages__direction=IN)),
                      first_out=Min("messages__outbox__sent_at",
                                    filter=Q(messages__direction=OUT) & ~Q(messages__payload__has_key="outreach")))
            .values_list("first_in", "first_out"))
    return {"first_reply_s": [round((out - first).total_seconds(), 3) for first, out in rows
                              if first is not None and out is not None and out >= first]}


def _staff_responses(start, end) -> dict:
    """Handoffs of the period: from handoff_at to the first message a person of the staff wrote."""
    rows = (Conversation.objects.filter(handoff_at__gte=start, handoff_at__lt=end)
            .annotate(answered=Min("messages__created_at", filter=Q(messages__direction=OUT)
                                   & ~Q(messages__sent_by="") & Q(messages__created_at__gte=F("handoff_at"))))
            .values_list("handoff_at", "answered"))
    return {"staff_response_s": [round((answered - at).total_seconds(), 3) for at, answered in rows
                                 if answered is not None]}


def _appointments(start, end) -> dict:
    """Bookings made in the period by origin (a move's new row is a reschedule, not a booking), and the
    outcomes of the appointments that started in it."""
    made = Q(created_at__gte=start, created_at__lt=end, rescheduled_from__isnull=True)
    held = Q(start__gte=start, start__lt=end)
    counts = Appointment.objects.filter(made | held).aggregate(
        attendances=Count("pk", filter=held & Q(status=Appointment.Status.ATTENDED)),
        no_shows=Count("pk", filter=held & Q(status=Appointment.Status.NO_SHOW)),
        **{part: Count("pk", filter=made & Q(source=source)) for source, part in SOURCE_PART.items()})
    return counts


def _appointment_events(start, end) -> dict:
    Kind = AppointmentEvent.Kind
    return AppointmentEvent.objects.filter(created_at__gte=start, created_at__lt=end).aggregate(
        reschedules=Count("pk", filter=Q(kind=Kind.RESCHEDULED)),
        cancellations=Count("pk", filter=Q(kind=Kind.CANCELLED)))


def _followups(start, end) -> dict:
    """Every score of the period: follow-up answers (by when answered) and the scores other systems sent
    (analytics/feedback, by when the customer gave them). One aggregate each, added up."""
    bands = {"score_sum": Sum("score"), "score_count": Count("pk"), "promoters": Count("pk", filter=Q(score__gte=9)),
             "detractors": Count("pk", filter=Q(score__lte=6))}
    answered = FollowUp.objects.filter(answered_at__gte=start, answered_at__lt=end, score__isnull=False)
    ingested = Feedback.objects.filter(given_at__gte=start, given_at__lt=end)
    rows = (answered.aggregate(**bands), ingested.aggregate(**bands))
    return {key: sum(row[key] or 0 for row in rows) for key in bands}


def _ai(start, end) -> dict:
    """Tokens and their cost at billing's per-model prices (pico-reais: linear, so summed tokens per
    model cost exactly what the calls cost one by one)."""
    rows = (LLMCall.objects.filter(created_at__gte=start, created_at__lt=end).values("model")
            .annotate(prompt=Sum("input_tokens"), completion=Sum("output_tokens")).order_by())
    tokens = cost = 0
    for row in rows:
        prompt_price, completion_price = pico_per_token(row["model"])
        tokens += row["prompt"] + row["completion"]
        cost += prompt_price * row["prompt"] + completion_price * row["completion"]
    return {"ai_tokens": tokens, "ai_cost_pico": cost}


def _funnel(start, end) -> dict:
    marks = FunnelMark.objects.filter(at__gte=start, at__lt=end, conversation_id__isnull=False)
    Kind = FunnelMark.Kind
    return marks.aggregate(
        booking_intents=Count("conversation_id", filter=Q(kind=Kind.BOOKING_INTENT), distinct=True),
        slots_offered=Count("conversation_id", filter=Q(kind=Kind.SLOTS_OFFERED), distinct=True))


def _reminders(start, end) -> dict:
    """Reminders sent in the period, and how many of those the customer answered and confirmed."""
    sent = list(Reminder.objects.filter(sent_at__gte=start, sent_at__lt=end).values_list("pk", flat=True))
    answers = (FunnelMark.objects.filter(kind=FunnelMark.Kind.REMINDER_ANSWERED, reminder_id__in=sent)
               .aggregate(answered=Count("reminder_id", distinct=True),
                          confirmed=Count("reminder_id", filter=Q(answer="confirm"), distinct=True))
               if sent else {"answered": 0, "confirmed": 0})
    return {"reminders_sent": len(sent), "reminders_answered": answers["answered"],
            "reminders_confirmed": answers["confirmed"]}


def _quotas(day: date) -> dict:
    """Share of each monthly quota used from the month's first day to the end of `day`: billing's daily
    roll-up over the plan's limit (0.0 for an unlimited quota, as billing shows it). The limits are
    read from the subscription, not the live counters: nothing here builds a Redis hash."""
    company = company_current()
    period = period_of(day)
    limits = plan_limits(schema=company.schema_name)  # {"limit:messages": n, ...}; 0 is unlimited
    used = dict.fromkeys(QUOTA_PART, 0)
    for row in usage_days(company_id=company.pk, period=period):
        if row.day <= day and row.kind in used:
            used[row.kind] += row.quantity
    return {part: round(used[kind] / limits[f"limit:{kind}"], 4) if limits.get(f"limit:{kind}") else 0.0
            for kind, part in QUOTA_PART.items()}
