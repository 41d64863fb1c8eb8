"""Follow-ups: one message after an attended appointment asking how it went."""

from datetime import timedelta

from agenda.models import Appointment, FollowUp
from agenda.services.config import calendar_config


def followup_plan(*, appointment: Appointment) -> FollowUp:
    """Plan the follow-up of an attended appointment (idempotent: one per appointment)."""
    due_at = appointment.end + timedelta(minutes=calendar_config().followup_delay_minutes)
    followup, _ = FollowUp.objects.get_or_create(appointment=appointment, defaults={"due_at": due_at})
    return followup


def followup_cancel(*, appointment: Appointment) -> int:
    return FollowUp.objects.filter(appointment=appointment, state=FollowUp.State.PENDING).update(
        state=FollowUp.State.CANCELLED)
