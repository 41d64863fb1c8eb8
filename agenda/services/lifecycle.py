"""What follows any change to an appointment, whoever made it (chat, API, admin, Cal.com webhook).

Every booking service calls `appointment_changed` inside its transaction, so the history, the
metrics, the reminders and the follow-up never drift from the appointment itself. That it
happened is published as a domain event (on commit), which the waitlist hears to offer a freed
slot (agenda/subscribers.py), as metering, analytics and the audit trail can.
"""

from django.db import transaction

from agenda.models import Appointment, AppointmentEvent
from agenda.services.followups import followup_cancel, followup_plan
from agenda.services.reminders import reminders_cancel, reminders_plan
from secretaria import events
from secretaria.observability.metrics import APPOINTMENTS

Event = AppointmentEvent.Kind


def appointment_changed(
    *, appointment: Appointment, event: str, actor: str = "system", data: dict | None = None
) -> None:
    data = data or {}
    AppointmentEvent.objects.create(appointment=appointment, kind=event, actor=actor, data=data)
    provider = appointment.provider
    transaction.on_commit(lambda: APPOINTMENTS.labels(provider=provider, event=event).inc())
    if (domain_event := _domain_event(appointment, event, actor, data)) is not None:
        events.publish(domain_event)
    if event in (Event.CREATED, Event.CONFIRMED):
        reminders_plan(appointment=appointment)
        return
    reminders_cancel(appointment=appointment)
    if event == Event.ATTENDED:
        followup_plan(appointment=appointment)
    elif event in (Event.CANCELLED, Event.RESCHEDULED):
        followup_cancel(appointment=appointment)


def _domain_event(appointment: Appointment, event: str, actor: str, data: dict) -> events.DomainEvent | None:
    ids = {"appointment_id": appointment.pk, "contact_id": appointment.contact_id, "actor": actor}
    if event == Event.CREATED:
        if data.get("rescheduled_from"):
            return None  # the move is published once, as AppointmentRescheduled
        return events.AppointmentBooked(**ids, service_id=appointment.service_id, start=appointment.start,
                                        professional_id=appointment.professional_id,
                                        source=data.get("source", appointment.source))
    if event == Event.RESCHEDULED:
        new = Appointment.objects.only("start").get(pk=data["to"])
        return events.AppointmentRescheduled(appointment_id=new.pk, previous_id=appointment.pk,
                                             contact_id=appointment.contact_id, start=new.start, actor=actor)
    if event == Event.CANCELLED:
        return events.AppointmentCancelled(**ids, reason=data.get("reason", ""))
    plain = {Event.CONFIRMED: events.AppointmentConfirmed, Event.ATTENDED: events.AppointmentAttended,
             Event.NO_SHOW: events.AppointmentNoShow}
    return plain[event](**ids) if event in plain else None
