"""Booking, cancelling, moving and closing appointments on the built-in calendar.

Frozen on Monday 3 March 2031, 07:00 in São Paulo, with the demo clinic's calendar.
The race tests use a committed company of their own and real threads, each with its
own database connection, released together by a barrier.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from agenda.models import Appointment, AppointmentEvent, FollowUp, Reminder
from agenda.services.booking import (
    InvalidTransition,
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
)
from agenda.services.config import calendar_config_forget
from agenda.types import AgendaError, Slot, SlotTaken
from conversations.models import Contact
from tests.conversations.factories import ContactFactory

SP = ZoneInfo("America/Sao_Paulo")
MONDAY = date(2031, 3, 3)
CONSULTA = "Consulta dermatológica"
HELENA, MARINA = "Dra. Helena Prado", "Dra. Marina Costa"


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SP)


@pytest.fixture
def clock():
    with time_machine.travel(at(7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def cal(demo_calendar, clock):
    with schema_context(demo_calendar.schema):
        calendar_config_forget()
        yield demo_calendar


@pytest.fixture
def maria(cal):
    return ContactFactory(phone="5511988887777", name="Maria")


def consulta(cal, hour: int, minute: int = 0, professional: str | None = None, day: date = MONDAY) -> Slot:
    return Slot(start=at(hour, minute, day), end=at(hour, minute, day) + timedelta(minutes=40),
                service_id=cal.service_id(CONSULTA),
                professional_id=cal.professional_id(professional) if professional else None)


def events(appointment) -> list[str]:
    return list(AppointmentEvent.objects.filter(appointment=appointment).values_list("kind", flat=True))


def pending_reminders(appointment) -> int:
    return Reminder.objects.filter(appointment=appointment, state="pending").count()


def latency_count() -> float:
    return REGISTRY.get_sample_value("secretaria_appointments_latency_seconds_count",
                                     {"provider": "builtin"}) or 0.0


def test_booking_writes_the_appointment_its_history_and_its_reminders(cal, maria):
    before = latency_count()

    appointment = appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat",
                                   notes="primeira vez")

    appointment.refresh_from_db()
    assert (appointment.status, appointment.provider, appointment.source) == ("pending", "builtin", "chat")
    assert appointment.professional_id == cal.professional_id(HELENA)
    assert (appointment.start, appointment.end) == (at(9), at(9, 40))
    assert events(appointment) == ["created"]
    assert pending_reminders(appointment) == 1  # the 24 h one is already past; the 1 h one at 8:00
    assert latency_count() == before + 1


def test_a_slot_without_professional_gets_a_free_one_who_does_the_service(cal, maria):
    joao, ana = ContactFactory(name="João"), ContactFactory(name="Ana")

    first = appointment_book(contact=maria, slot=consulta(cal, 13), source="chat")
    second = appointment_book(contact=joao, slot=consulta(cal, 13), source="chat")

    # Monday 13h: Helena and Marina both do consultations; each gets one.
    assert {first.professional_id, second.professional_id} == {cal.professional_id(HELENA),
                                                                 cal.professional_id(MARINA)}
    with pytest.raises(SlotTaken):
        appointment_book(contact=ana, slot=consulta(cal, 13), source="chat")


def test_overlaps_and_buffers_are_refused_even_off_the_grid(cal, maria):
    appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat")
    other = ContactFactory()

    with pytest.raises(SlotTaken):  # 9:30 starts inside 9:00–9:40
        appointment_book(contact=other, slot=consulta(cal, 9, 30, professional=HELENA), source="chat")
    with pytest.raises(SlotTaken):  # 9:45 starts inside the 10 min buffer after 9:40
        appointment_book(contact=other, slot=consulta(cal, 9, 45, professional=HELENA), source="admin", actor="staff")
    assert appointment_book(contact=other, slot=consulta(cal, 9, 50, professional=HELENA), source="admin",
                            actor="staff").start == at(9, 50)


def test_slots_outside_hours_in_the_past_or_inside_the_notice_are_refused(cal, maria):
    with pytest.raises(SlotTaken):  # lunch
        appointment_book(contact=maria, slot=consulta(cal, 12, professional=HELENA), source="chat")
    with pytest.raises(SlotTaken):  # Marina does not work on Monday mornings
        appointment_book(contact=maria, slot=consulta(cal, 10, professional=MARINA), source="chat")
    with pytest.raises(SlotTaken):  # Juliana does not do consultations
        appointment_book(contact=maria, slot=consulta(cal, 10, professional="Juliana (esteticista)"), source="chat")
    with pytest.raises(SlotTaken):  # the past
        appointment_book(contact=maria, slot=consulta(cal, 6, day=MONDAY), source="admin", actor="staff")
    with pytest.raises(SlotTaken):  # 7:45 is inside the customer's 60 min notice...
        appointment_book(contact=maria, slot=consulta(cal, 7, 45, professional=HELENA), source="chat")
    with pytest.raises(SlotTaken):  # ... and 7:45 is before opening anyway, even for staff
        appointment_book(contact=maria, slot=consulta(cal, 7, 45, professional=HELENA), source="admin", actor="staff")
    assert Appointment.objects.count() == 0


def test_cancel_frees_the_slot_drops_reminders_and_is_idempotent(cal, maria):
    appointment = appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat")

    appointment_cancel(appointment=appointment, reason="Imprevisto")
    again = appointment_cancel(appointment=appointment, reason="de novo")

    assert (again.status, again.cancel_reason) == ("cancelled", "Imprevisto")
    assert appointment.status == "cancelled"  # the caller's instance follows
    assert events(appointment) == ["created", "cancelled"]
    assert pending_reminders(appointment) == 0
    other = ContactFactory()
    assert appointment_book(contact=other, slot=consulta(cal, 9, professional=HELENA), source="chat")


def test_reschedule_returns_the_new_row_and_retires_the_old_one(cal, maria):
    old = appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat")

    # Half an hour later overlaps the appointment itself: moving it must not collide with itself.
    new = appointment_reschedule(appointment=old, slot=consulta(cal, 9, 30, professional=HELENA))

    old.refresh_from_db()
    assert (old.status, old.rescheduled_to_id) == ("rescheduled", new.pk)
    assert (new.status, new.start, new.contact_id, new.service_id, new.source) == (
        "pending", at(9, 30), maria.pk, cal.service_id(CONSULTA), "chat")
    assert events(old) == ["created", "rescheduled"]
    assert events(new) == ["created"]
    assert pending_reminders(old) == 0 and pending_reminders(new) == 1
    with pytest.raises(InvalidTransition):
        appointment_reschedule(appointment=old, slot=consulta(cal, 10, professional=HELENA))


def test_reschedule_to_a_taken_slot_changes_nothing(cal, maria):
    mine = appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat")
    other = ContactFactory()
    appointment_book(contact=other, slot=consulta(cal, 11, professional=HELENA), source="chat")

    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=mine, slot=consulta(cal, 11, professional=HELENA))

    mine.refresh_from_db()
    assert (mine.status, mine.rescheduled_to_id, Appointment.objects.count()) == ("pending", None, 2)


def test_confirm_then_attend_plans_the_follow_up(cal, maria, clock):
    appointment = appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat")

    appointment_confirm(appointment=appointment)
    appointment_confirm(appointment=appointment)  # idempotent
    with pytest.raises(InvalidTransition):
        appointment_mark_attended(appointment=appointment)  # it has not happened yet
    clock.move_to(at(9, 45))
    appointment_mark_attended(appointment=appointment, actor="owner@acme.test")

    appointment.refresh_from_db()
    assert appointment.status == "attended" and appointment.confirmed_at is not None
    assert events(appointment) == ["created", "confirmed", "attended"]
    assert FollowUp.objects.filter(appointment=appointment, state="pending").exists()

    # Marked by mistake: the no-show correction drops the follow-up.
    appointment_mark_no_show(appointment=appointment, actor="owner@acme.test")
    assert FollowUp.objects.get(appointment=appointment).state == "cancelled"


def test_bad_transitions_say_why_in_portuguese(cal, maria, clock):
    appointment = appointment_book(contact=maria, slot=consulta(cal, 9, professional=HELENA), source="chat")
    clock.move_to(at(10))
    appointment_mark_no_show(appointment=appointment)

    with pytest.raises(InvalidTransition, match="Não é possível cancelar um agendamento em que o cliente faltou"):
        appointment_cancel(appointment=appointment)
    with pytest.raises(AgendaError):
        appointment_confirm(appointment=appointment)
    with pytest.raises(ValueError):  # the REST layer maps ValueError/AgendaError to 4xx
        appointment_reschedule(appointment=appointment, slot=consulta(cal, 11, professional=HELENA))
    assert events(appointment) == ["created", "no_show"]


# --- races: two customers, one slot -------------------------------------------------------

RACE_SLUG = "h1race"


@pytest.fixture
def race_company(django_db_setup, django_db_blocker):
    """A committed company with the demo calendar: threads with their own connections see it.
    (Not transaction=True: its flush would empty the public schema and the session's companies.)"""
    from devstack.demo.agenda import demo_calendar_ensure
    from tenants.models import Company
    from tests.factories import CompanyFactory

    with django_db_blocker.unblock():
        company = Company.objects.filter(slug=RACE_SLUG).first() or CompanyFactory(name="Corrida", slug=RACE_SLUG)
        with schema_context(company.schema_name):
            _wipe()
            demo_calendar_ensure()
            calendar_config_forget()
        try:
            yield company
        finally:
            with schema_context(company.schema_name):
                _wipe()
            connection.set_schema_to_public()


def _wipe() -> None:
    Appointment.objects.all().delete()
    Contact.objects.all().delete()


def _race(schema: str, slots: list[Slot]) -> list:
    """Book slots[i] for customer i, all threads released at once. Returns Appointment or SlotTaken."""
    barrier = threading.Barrier(len(slots))

    def customer(i: int):
        try:
            with schema_context(schema):
                contact, _ = Contact.objects.get_or_create(phone=f"55119{i:08d}")
                barrier.wait()
                try:
                    return appointment_book(contact=contact, slot=slots[i], source="chat")
                except SlotTaken as exc:
                    return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(slots)) as pool:
        return list(pool.map(customer, range(len(slots))))


@pytest.mark.parametrize("round_", range(3))
def test_two_customers_racing_for_one_slot_get_one_booking(race_company, django_db_blocker, clock, round_, db):
    # `db` last: it only tells pytest-django to build the test database when this test runs alone;
    # race_company's rows are committed before its transaction opens.
    schema = race_company.schema_name
    with django_db_blocker.unblock():
        with schema_context(schema):
            from agenda.models import Professional, Service

            service = Service.objects.get(name=CONSULTA).pk
            helena = Professional.objects.get(name=HELENA).pk
        hour = 8 + round_
        same = Slot(start=at(hour), end=at(hour, 40), service_id=service, professional_id=helena)
        # Same start (the unique constraint would also catch it) ...
        results = _race(schema, [same, same])
        # ... and overlapping starts, which only the professional's lock prevents.
        overlapping = [Slot(start=at(14 + round_), end=at(14 + round_, 40), service_id=service,
                            professional_id=helena),
                       Slot(start=at(14 + round_, 20), end=at(15 + round_), service_id=service,
                            professional_id=helena)]
        results_overlap = _race(schema, overlapping)
        with schema_context(schema):
            booked = list(Appointment.objects.filter(professional_id=helena).order_by("start"))

    for outcome in (results, results_overlap):
        assert sorted(type(r).__name__ for r in outcome) == ["Appointment", "SlotTaken"]
    assert len(booked) == 2
    assert booked[0].start == at(hour)
