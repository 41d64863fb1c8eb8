"""The funnel of a period, read live: conversations -> booking intent -> slots offered -> booked -> attended,
per service and per professional, and the reminders' own: sent -> answered -> confirmed -> attended.

Where each step comes from:
- conversations: Conversation rows opened in the period;
- booking intent: conversations in which the assistant answered with the booking intent (ReplySent,
  recorded as a FunnelMark by this part);
- slots offered: conversations in which the agenda's chat offered slots to book (SlotsOffered, a mark);
- booked: appointments booked in the chat in the period (Appointment.source "chat"; moves apart);
- attended: those of them the customer came to.
Service and professional are known from the slot offer on: the per-service and per-professional
funnels start at "slots offered" (an intent names no service).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from agenda.models import Appointment, Professional, Reminder, Service
from analytics.reports.compute import company_timezone, day_bounds
from analytics.reports.models import FunnelMark
from analytics.reports.parts import ratio
from conversations.models import Conversation

STEPS = {
    "conversations": "Conversas",
    "booking_intent": "Intenção de agendar",
    "slots_offered": "Horários oferecidos",
    "booked": "Agendados",
    "attended": "Compareceram",
}
REMINDER_STEPS = {
    "sent": "Lembretes enviados",
    "answered": "Respondidos",
    "confirmed": "Confirmados",
    "attended": "Compareceram",
}
BREAKDOWN = ("slots_offered", "booked", "attended")
Kind = FunnelMark.Kind


def steps_of(counts: dict[str, int], labels: dict[str, str]) -> list[dict]:
    """Steps in order with the share lost since the step before (`drop`: 0.4 is 40 % did not go on)."""
    steps, previous = [], None
    for key, label in labels.items():
        count = counts.get(key, 0)
        drop = None if previous is None or not previous else round(1 - ratio(count, previous), 4)
        steps.append({"key": key, "label": label, "count": count, "drop": drop})
        previous = count
    return steps


def funnel_of(*, date_from: date, date_to: date) -> dict:
    tz = company_timezone()
    start, _ = day_bounds(date_from, tz)
    _, end = day_bounds(date_to, tz)
    marks = list(FunnelMark.objects.filter(at__gte=start, at__lt=end, kind__in=[Kind.BOOKING_INTENT,
                                                                                Kind.SLOTS_OFFERED])
                 .values_list("kind", "conversation_id", "service_id", "professional_ids"))
    booked = list(Appointment.objects.filter(created_at__gte=start, created_at__lt=end, source=Appointment.Source.CHAT,
                                             rescheduled_from__isnull=True)
                  .values_list("service_id", "professional_id", "status"))
    totals = {
        "conversations": Conversation.objects.filter(opened_at__gte=start, opened_at__lt=end).count(),
        "booking_intent": len({c for k, c, _, _ in marks if k == Kind.BOOKING_INTENT and c is not None}),
        "slots_offered": len({c for k, c, _, _ in marks if k == Kind.SLOTS_OFFERED and c is not None}),
        "booked": len(booked),
        "attended": sum(1 for *_, status in booked if status == Appointment.Status.ATTENDED),
    }
    offers = [(c, s, tuple(p or ())) for k, c, s, p in marks if k == Kind.SLOTS_OFFERED and c is not None]
    return {
        "from": date_from, "to": date_to, "timezone": tz,
        "steps": steps_of(totals, STEPS),
        "by_service": _breakdown(Service, {(c, s) for c, s, _ in offers if s},
                                 [(s, status) for s, _, status in booked if s]),
        "by_professional": _breakdown(Professional, {(c, p) for c, _, ps in offers for p in ps},
                                      [(p, status) for _, p, status in booked if p]),
        "reminders": {"steps": steps_of(_reminder_counts(start, end), REMINDER_STEPS)},
    }


def _breakdown(model, offered: set[tuple[int, int]], booked: list[tuple[int, str]]) -> list[dict]:
    """One funnel per service (or professional), from the offer on; only those with something to show."""
    offers = Counter(key for _, key in offered)
    bookings = Counter(key for key, _ in booked)
    attended = Counter(key for key, status in booked if status == Appointment.Status.ATTENDED)
    ids = set(offers) | set(bookings)
    names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    labels = {key: STEPS[key] for key in BREAKDOWN}
    rows = [{"id": pk, "name": names.get(pk, "(removido)"),
             "steps": steps_of({"slots_offered": offers[pk], "booked": bookings[pk], "attended": attended[pk]},
                               labels)}
            for pk in ids]
    return sorted(rows, key=lambda row: (row["name"], row["id"]))


def _reminder_counts(start, end) -> dict[str, int]:
    """Reminders sent in the period and, of those, answered, confirmed and whose appointment was attended."""
    sent = dict(Reminder.objects.filter(sent_at__gte=start, sent_at__lt=end).values_list("pk", "appointment_id"))
    if not sent:
        return {}
    answers = FunnelMark.objects.filter(kind=Kind.REMINDER_ANSWERED, reminder_id__in=sent)
    answered = set(answers.values_list("reminder_id", flat=True))
    confirmed = set(answers.filter(answer="confirm").values_list("reminder_id", flat=True))
    came = set(Appointment.objects.filter(pk__in={sent[r] for r in confirmed}, status=Appointment.Status.ATTENDED)
               .values_list("pk", flat=True))
    return {"sent": len(sent), "answered": len(answered), "confirmed": len(confirmed),
            "attended": sum(1 for r in confirmed if sent[r] in came)}

