"""What this part hooks up when the app is ready: its task, and the booking events it listens to."""

from analytics.recommendations import admin, tasks  # noqa: F401 - registers the admin page and the task
from analytics.recommendations.services import slot_reminder_on_booking
from secretaria import events


def _booked(event: events.AppointmentBooked) -> None:
    slot_reminder_on_booking(appointment_id=event.appointment_id)


def _moved(event: events.AppointmentRescheduled) -> None:
    slot_reminder_on_booking(appointment_id=event.appointment_id)  # the new row


def setup() -> None:
    """Called once from AnalyticsConfig.ready(); must be idempotent (subscribe is)."""
    events.subscribe(events.AppointmentBooked, _booked)
    events.subscribe(events.AppointmentRescheduled, _moved)
