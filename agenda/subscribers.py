"""What the agenda does when it hears a domain event (registered in AgendaConfig.ready())."""

from agenda.services.waitlist import waitlist_slot_freed
from secretaria import events


def _slot_freed_by_cancel(event: events.AppointmentCancelled) -> None:
    waitlist_slot_freed(appointment_id=event.appointment_id)


def _slot_freed_by_move(event: events.AppointmentRescheduled) -> None:
    waitlist_slot_freed(appointment_id=event.previous_id)  # the old row keeps the slot that freed up


def subscribe_all() -> None:
    events.subscribe(events.AppointmentCancelled, _slot_freed_by_cancel)
    events.subscribe(events.AppointmentRescheduled, _slot_freed_by_move)
