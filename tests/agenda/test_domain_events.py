"""Every change to an appointment is published once it commits, whoever made it, for metering,
analytics and the audit trail to hear (secretaria/events)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from agenda.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_mark_attended,
    appointment_reschedule,
)
from agenda.services.reminders import reminder_answered
from agenda.types import Slot
from secretaria import events
from tests.agenda.automation_helpers import STAFF, calendar_make, contact_make

TZ = ZoneInfo("America/Sao_Paulo")
MONDAY_10 = datetime(2026, 3, 2, 10, tzinfo=TZ)
KINDS = (events.AppointmentBooked, events.AppointmentRescheduled, events.AppointmentCancelled,
         events.AppointmentConfirmed, events.AppointmentAttended, events.AppointmentNoShow, events.ReminderAnswered)


@pytest.fixture
def heard():
    got = []
    for kind in KINDS:
        events.subscribe(kind, got.append)
    yield got
    for kind in KINDS:
        events.bus.unsubscribe(kind, got.append)


def slot(service, professional, start: datetime) -> Slot:
    return Slot(start, start + timedelta(minutes=service.duration_minutes), service.pk, professional.pk)


def test_booking_moving_confirming_and_cancelling_are_published_in_order(acme, heard, time_machine,
                                                                        django_capture_on_commit_callbacks):
    time_machine.move_to(MONDAY_10 - timedelta(days=2), tick=False)
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        professional, service = calendar_make()
        contact = contact_make()
        booked = appointment_book(contact=contact, slot=slot(service, professional, MONDAY_10), source="chat",
                                  actor="customer")
        moved = appointment_reschedule(appointment=booked, slot=slot(service, professional, MONDAY_10 + timedelta(
            hours=2)), actor="customer")
        appointment_confirm(appointment=moved, actor="customer")
        reminder_answered(reminder_id=None, appointment=moved, answer="confirm")
        appointment_cancel(appointment=moved, actor=STAFF, reason="Cliente desistiu")

    assert [type(e).__name__ for e in heard] == ["AppointmentBooked", "AppointmentRescheduled",
                                                "AppointmentConfirmed", "ReminderAnswered", "AppointmentCancelled"]
    booked_event, moved_event, _, answered, cancelled = heard
    assert (booked_event.appointment_id, booked_event.source, booked_event.service_id) == (booked.pk, "chat",
                                                                                           service.pk)
    assert (moved_event.previous_id, moved_event.appointment_id, moved_event.start) == (booked.pk, moved.pk,
                                                                                        moved.start)
    assert answered.answer == "confirm"
    assert (cancelled.appointment_id, cancelled.actor, cancelled.reason) == (moved.pk, STAFF, "Cliente desistiu")


def test_attendance_is_published(acme, heard, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(MONDAY_10 - timedelta(days=1), tick=False)
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        professional, service = calendar_make()
        booked = appointment_book(contact=contact_make(), slot=slot(service, professional, MONDAY_10), source="api",
                                  actor=STAFF)
        time_machine.move_to(MONDAY_10 + timedelta(hours=1), tick=False)
        appointment_mark_attended(appointment=booked, actor=STAFF)

    assert [type(e).__name__ for e in heard] == ["AppointmentBooked", "AppointmentAttended"]
