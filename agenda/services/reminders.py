"""Reminders: planned as rows when an appointment is booked or moves, sent once when due.

This module decides *what* and *when* (the offsets, the text, whether it still makes sense);
sending exactly once (docs/reliability.md R8), whatever beat does, is the outreach service's
(conversations/outreach): leased scans, a compare-and-set claim, the outbox row (key
`reminder:<id>`) and `state=sent` committed together.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from django.db import transaction
from django.utils import timezone

from agenda.chat.dialog_state import ChoosingAppointment, ChoosingSlot, Confirming, ConfirmingCancel, ReminderAnswer
from agenda.models import Appointment, AppointmentEvent, Reminder
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_current, dialog_open
from agenda.texts import outreach_message, said
from agenda.types import AgendaError
from conversations.outreach.services import Outreach, Skip, due_rows_enqueue, outreach_key, scheduled_send
from secretaria.events import ReminderAnswered, publish
from secretaria.observability.metrics import APPOINTMENT_REMINDERS_SENT, REMINDER_LAG
from secretaria.ptbr import WEEKDAYS

log = structlog.get_logger(__name__)

State = Reminder.State
ANSWER_TTL_MAX = 24 * 60  # minutes a "1/2/3" keeps meaning this reminder
# Closer than this to the start a reminder is the last-minute one (`reminder_1h`), else the day-before one.
LAST_MINUTE = timedelta(hours=6)
REMINDER_OPTIONS = (("1", "Confirmar", ""), ("2", "Remarcar", ""), ("3", "Cancelar", ""))
# Steps of a booking in progress: a reminder must not hijack the meaning of the customer's next "2".
_BUSY_STATES = (ChoosingSlot, Confirming, ChoosingAppointment, ConfirmingCancel)


def reminders_plan(*, appointment: Appointment) -> list[Reminder]:
    """Create the pending reminders of the company's offsets (24 h and 1 h by default).

    Offsets already in the past are skipped (booked at 14h for 15h: only the 1 h
    reminder... which is due now, so it goes out at the next scan). Idempotent: the
    (appointment, kind, due_at) key makes planning twice a no-op.
    """
    if not appointment.is_active:
        return []
    now = timezone.now()
    planned = []
    for offset in sorted({int(m) for m in calendar_config().reminder_offsets_minutes}, reverse=True):
        due_at = appointment.start - timedelta(minutes=offset)
        if due_at <= now - timedelta(minutes=1) or appointment.start <= now:
            continue
        reminder, _ = Reminder.objects.get_or_create(
            appointment=appointment, kind=Reminder.Kind.SCHEDULED, due_at=due_at,
            defaults={"offset_minutes": offset})
        planned.append(reminder)
    return planned


def reminders_cancel(*, appointment: Appointment) -> int:
    """Pending reminders of a cancelled, moved or finished appointment are never sent."""
    return Reminder.objects.filter(appointment=appointment, state=State.PENDING).update(
        state=State.CANCELLED)


# --- The beat scan -------------------------------------------------------------------------------

def reminders_due_enqueue(*, now: datetime | None = None) -> int:
    """Every minute, per company: enqueue one `agenda.reminder_send` per due reminder. Returns how many.

    A few bulk statements whatever the backlog: drop reminders that are too late (their
    appointment already started), then the outreach scan (recover, lease, publish).
    """
    now = now or timezone.now()
    _expire_late(now)
    return due_rows_enqueue(model=Reminder, task="agenda.reminder_send", now=now)


def _expire_late(now: datetime) -> None:
    late = Reminder.objects.filter(state=State.PENDING, due_at__lte=now, appointment__start__lte=now)
    late.exclude(appointment__status__in=Appointment.ACTIVE).update(state=State.CANCELLED)
    late.update(state=State.FAILED)  # a reminder after the start time would only confuse


# --- Sending -------------------------------------------------------------------------------------

def reminder_send(*, reminder_id: int, actor: str = "system") -> str:
    """Send one reminder through the outbox, at most once. Returns what happened.

    "sent", "skipped" (not pending: another worker has it or it is done), "gone", or the
    reason it was dropped ("cancelled": the appointment is no longer active or moved,
    "late": it already started, "superseded": a later reminder of it is due too).
    """
    return scheduled_send(model=Reminder, pk=reminder_id, compose=_compose,
                          after=lambda reminder, outbox, now: _after_send(reminder, actor, now))


def _compose(reminder: Reminder, now: datetime) -> Outreach | Skip:
    # Locked so a cancel or move running right now lands before us (we see it) or after (we sent first).
    appointment = (Appointment.objects.select_for_update(of=("self",))
                   .select_related("contact", "professional", "service").get(pk=reminder.appointment_id))
    if reason := _unsendable(reminder, appointment, now):
        return Skip(reason, state=State.FAILED if reason == "late" else State.CANCELLED)
    reminder.appointment = appointment
    return reminder_message(appointment=appointment, key=outreach_key(Reminder, reminder.pk), now=now)


def _after_send(reminder: Reminder, actor: str, now: datetime) -> None:
    appointment = reminder.appointment
    AppointmentEvent.objects.create(appointment=appointment, kind=AppointmentEvent.Kind.REMINDER_SENT, actor=actor,
                                    data={"reminder_id": reminder.pk, "kind": reminder.kind})
    _dialog_offer(appointment, reminder.pk, now)
    kind, lag = reminder.kind, (now - reminder.due_at).total_seconds()
    transaction.on_commit(lambda: (APPOINTMENT_REMINDERS_SENT.labels(kind=kind).inc(), REMINDER_LAG.observe(lag)))


def _unsendable(reminder: Reminder, appointment: Appointment, now: datetime) -> str:
    if not appointment.is_active:
        return "cancelled"
    if reminder.kind != Reminder.Kind.MANUAL and reminder.due_at != appointment.start - timedelta(
            minutes=reminder.offset_minutes):
        return "cancelled"  # its start changed under it (a writer moved the row in place): not this time
    if appointment.start <= now:
        return "late"
    if reminder.kind != Reminder.Kind.MANUAL and Reminder.objects.filter(
            appointment=appointment, due_at__gt=reminder.due_at, due_at__lte=now,
            kind__in=(Reminder.Kind.SCHEDULED, Reminder.Kind.HIGH_RISK),
            state__in=(State.PENDING, State.SENDING, State.SENT)).exists():
        return "superseded"  # beat was down: one message with the nearer time, not two in a row
    return ""


def _dialog_offer(appointment: Appointment, reminder_id: int, now: datetime) -> None:
    """The customer's "1/2/3" answers this reminder until the appointment starts (a day at most)."""
    current = dialog_current(contact=appointment.contact)
    if (current is not None and isinstance(current.state, _BUSY_STATES)
            and current.updated_at > now - timedelta(minutes=15)):
        return  # mid-booking: the chat still finds the appointment when they answer in words
    ttl = min(max(int((appointment.start - now).total_seconds() // 60), 30), ANSWER_TTL_MAX)
    dialog_open(contact=appointment.contact, state=ReminderAnswer(appointment_id=appointment.pk,
                                                                  reminder_id=reminder_id), ttl_minutes=ttl)


def reminder_answered(*, reminder_id: int | None, appointment: Appointment, answer: str) -> None:
    """The customer answered a reminder ("confirm", "reschedule" or "cancel"): published for the
    reports (reminders sent -> answered -> confirmed -> attended)."""
    publish(ReminderAnswered(reminder_id=reminder_id, appointment_id=appointment.pk,
                             contact_id=appointment.contact_id, answer=answer))


def reminder_send_now(*, appointment: Appointment, actor: str) -> Reminder:
    """The staff's "send a reminder now" (admin or API): a manual reminder, sent at once.

    Raises AgendaError for an appointment that is not upcoming and active.
    """
    now = timezone.now()
    if not appointment.is_active or appointment.start <= now:
        raise AgendaError("Só é possível lembrar agendamentos futuros, pendentes ou confirmados.")
    reminder = Reminder.objects.create(appointment=appointment, kind=Reminder.Kind.MANUAL, due_at=now)
    outcome = reminder_send(reminder_id=reminder.pk, actor=actor)
    if outcome != "sent":
        raise AgendaError("Não foi possível enviar o lembrete: o agendamento mudou. Atualize a página.")
    reminder.refresh_from_db()
    return reminder


# --- Texts (template slots, agenda/texts.py) -----------------------------------------------------

def reminder_message(*, appointment: Appointment, key: str, now: datetime) -> Outreach:
    """The reminder, then how to answer it. On Meta the three answers are buttons (their titles are
    understood like "1/2/3"), under the reminder without the hint."""
    slot = "reminder_1h" if appointment.start - now <= LAST_MINUTE else "reminder_24h"
    message = outreach_message(slot, contact=appointment.contact, kind=Reminder.OUTREACH_KIND, key=key,
                               **visit_variables(appointment))
    hint = said("reminder_answer_hint", contact=appointment.contact, seed=key)
    return replace(message, text=f"{message.text}\n{hint}", options=REMINDER_OPTIONS, options_body=message.text)


def visit_variables(appointment: Appointment) -> dict[str, str]:
    """`servico` ("atendimento" without one), `profissional`, and `data`/`hora` as the automations say
    them: "amanhã (terça-feira, 02/12)", "09:30"."""
    return {"servico": appointment.service.name if appointment.service else "atendimento",
            "profissional": appointment.professional.name if appointment.professional else "",
            **relative_when(appointment.start)}


def relative_when(start: datetime) -> dict[str, str]:
    """{"data": "hoje" | "amanhã (terça-feira, 02/12)" | "sexta-feira, 05/12", "hora": "15:00"}."""
    local_tz = ZoneInfo(calendar_config().timezone)
    local, today = start.astimezone(local_tz), timezone.now().astimezone(local_tz).date()
    day = f"{WEEKDAYS[local.weekday()]}, {local:%d/%m}"
    relative = {today: "hoje", today + timedelta(days=1): "amanhã", today - timedelta(days=1): "ontem"}
    word = relative.get(local.date())
    return {"data": "hoje" if word == "hoje" else f"{word} ({day})" if word else day, "hora": f"{local:%H:%M}"}


def when_text(start: datetime) -> str:
    """ "hoje, às 15:00", "amanhã (terça-feira, 02/12), às 09:30", "sexta-feira, 05/12, às 10:00"."""
    when = relative_when(start)
    return f"{when['data']}, às {when['hora']}"
