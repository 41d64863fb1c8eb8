"""What follows any change to an appointment, whoever made it (chat, API, admin, Cal.com webhook).

Every booking service calls `appointment_changed` inside its transaction, so the
history, the metrics, the reminders, the follow-up and the waitlist never drift
from the appointment itself.
"""

from django.db import connection, transaction
from django.utils import timezone

from agenda.models import Appointment, AppointmentEvent
from agenda.services.followups import followup_cancel, followup_plan
from agenda.services.reminders import reminders_cancel, reminders_plan
from secretaria.observability.metrics import APPOINTMENTS

Event = AppointmentEvent.Kind


def appointment_changed(
    *, appointment: Appointment, event: str, actor: str = "system", data: dict | None = None
) -> None:
    AppointmentEvent.objects.create(appointment=appointment, kind=event, actor=actor, data=data or {})
    company, provider = connection.schema_name, appointment.provider
    transaction.on_commit(lambda: APPOINTMENTS.labels(company=company, provider=provider, event=event).inc())
    if event in (Event.CREATED, Event.CONFIRMED):
        reminders_plan(appointment=appointment)
        return
    reminders_cancel(appointment=appointment)
    if event == Event.ATTENDED:
        followup_plan(appointment=appointment)
    elif event in (Event.CANCELLED, Event.RESCHEDULED):
        followup_cancel(appointment=appointment)
        if appointment.start > timezone.now():
            _offer_to_waitlist(appointment)


def _offer_to_waitlist(appointment: Appointment) -> None:
    from agenda.services.waitlist import waitlist_slot_freed  # the waitlist books through this module

    appointment_id = appointment.pk
    transaction.on_commit(lambda: waitlist_slot_freed(appointment_id=appointment_id))
