"""Reminders: planned as rows when an appointment is booked or moves, sent once when due."""

from datetime import timedelta

from django.utils import timezone

from agenda.models import Appointment, Reminder
from agenda.services.config import calendar_config


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
    return Reminder.objects.filter(appointment=appointment, state=Reminder.State.PENDING).update(
        state=Reminder.State.CANCELLED)
