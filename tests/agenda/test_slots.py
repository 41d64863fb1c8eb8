"""Free slots of the built-in calendar (and the query semantics shared with Cal.com).

The clock is frozen on Monday 3 March 2031 in São Paulo; the demo clinic works
Mon–Fri 8–12 / 13–18 and Sat 8–12 (Dra. Marina: Tue–Sat mornings, Mon/Wed afternoons).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tenants.utils import schema_context

from agenda.models import Appointment, TimeOff
from agenda.selectors import service_match
from agenda.services.config import calendar_config, calendar_config_forget
from agenda.services.slots import slot_is_free, slots_find
from agenda.types import Slot, SlotQuery
from conversations.models import Contact

SP = ZoneInfo("America/Sao_Paulo")
MONDAY = date(2031, 3, 3)
CONSULTA = "Consulta dermatológica"
HELENA, MARINA, JULIANA = "Dra. Helena Prado", "Dra. Marina Costa", "Juliana (esteticista)"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SP)


@pytest.fixture
def clock():
    with time_machine.travel(at(MONDAY, 7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def cal(demo_calendar, clock):
    with schema_context(demo_calendar.schema):
        yield demo_calendar


def local_starts(slots):
    return [s.start.astimezone(SP).strftime("%a %H:%M") for s in slots]


def book_directly(cal, professional: str, start: datetime, service: str = CONSULTA, minutes: int = 40):
    contact, _ = Contact.objects.get_or_create(phone="5511900000001")
    return Appointment.objects.create(contact=contact, service_id=cal.service_id(service),
                                      professional_id=cal.professional_id(professional), start=start,
                                      end=start + timedelta(minutes=minutes))


def test_next_slots_are_spread_over_distinct_hours_and_carry_the_service(cal):
    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA)))

    assert local_starts(slots) == ["Mon 08:00", "Mon 09:00", "Mon 10:00", "Mon 11:00", "Mon 13:00"]
    assert {s.service_id for s in slots} == {cal.service_id(CONSULTA)}
    assert all(s.end - s.start == timedelta(minutes=40) for s in slots)
    # Monday morning only Dra. Helena works; at 13h Dra. Marina too, so the booking will choose.
    assert [s.professional_id for s in slots[:4]] == [cal.professional_id(HELENA)] * 4
    assert slots[4].professional_id is None


def test_the_lunch_break_and_closing_time_are_respected(cal):
    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=MONDAY, limit=50))
    starts = {s.start.astimezone(SP).time() for s in slots}

    assert time(11, 0) in starts and time(13, 0) in starts
    # 11:30 + 40 min would run into lunch; 17:30 + 40 min past closing.
    assert not starts & {time(11, 30), time(12, 0), time(12, 30), time(17, 30)}
    assert max(starts) == time(17, 0)


def test_an_appointment_blocks_its_time_and_its_buffer(cal):
    book_directly(cal, HELENA, at(MONDAY, 9))  # 9:00–9:40, plus 10 min of buffer

    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), professional_id=cal.professional_id(HELENA),
                                       day=MONDAY, time_to=time(11), limit=20))

    # 8:00 ends 8:40 (+10 buffer = 8:50): fine; 8:30 would end 9:10; 9:30 starts inside 9:00–9:50.
    assert local_starts(slots) == ["Mon 08:00", "Mon 10:00", "Mon 10:30"]


def test_cancelled_appointments_free_their_slot(cal):
    appointment = book_directly(cal, HELENA, at(MONDAY, 9))
    appointment.status = Appointment.Status.CANCELLED
    appointment.save()

    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=MONDAY, time_to=time(10), limit=10))

    assert "Mon 09:00" in local_starts(slots)


def test_a_holiday_closes_the_day_for_everyone_and_a_day_off_only_for_one(cal):
    tuesday = MONDAY + timedelta(days=1)
    TimeOff.objects.create(start=at(tuesday, 0), end=at(tuesday + timedelta(days=1), 0), reason="Feriado municipal")
    TimeOff.objects.create(professional_id=cal.professional_id(HELENA), start=at(MONDAY, 0), end=at(tuesday, 0))

    on_tuesday = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=tuesday, limit=50))
    on_monday = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=MONDAY, limit=50))

    assert on_tuesday == []
    # Helena is off: only Dra. Marina's Monday afternoon is left.
    assert on_monday and {s.professional_id for s in on_monday} == {cal.professional_id(MARINA)}
    assert min(s.start for s in on_monday) == at(MONDAY, 13)


def test_minimum_notice_and_horizon(cal, clock):
    clock.move_to(at(MONDAY, 10, 10))  # earliest start: 11:10
    config = calendar_config()
    config.booking_horizon_days = 2
    config.save()
    calendar_config_forget()

    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), limit=100))

    assert slots[0].start == at(MONDAY, 13)  # 11:30 would end after 12h; 11:00 is inside the notice
    assert max(s.start for s in slots) <= at(MONDAY, 10, 10) + timedelta(days=2)


def test_exact_time_comes_first_then_the_rest_in_order(cal):
    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), exact_time=time(15), limit=3))

    assert [s.start.astimezone(SP).time() for s in slots] == [time(15)] * 3
    assert [s.start.date() for s in slots] == sorted(s.start.date() for s in slots)

    mixed = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=MONDAY, exact_time=time(15), limit=3))
    assert local_starts(mixed) == ["Mon 15:00", "Mon 08:00", "Mon 09:00"]


def test_weekday_and_time_window(cal):
    saturdays = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), weekdays=frozenset({5}), limit=8))
    evenings = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), time_from=time(17), limit=4))

    assert saturdays and all(s.start.astimezone(SP).weekday() == 5 for s in saturdays)
    assert all(s.start.astimezone(SP).time() < time(12) for s in saturdays)
    assert local_starts(evenings) == ["Mon 17:00", "Tue 17:00", "Wed 17:00", "Thu 17:00"]


def test_not_before_and_a_day_outside_the_horizon(cal):
    later = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), not_before=at(MONDAY, 16), limit=2))
    far = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=MONDAY + timedelta(days=90)))

    assert local_starts(later) == ["Mon 16:00", "Mon 17:00"]
    assert far == []


def test_several_professionals_never_repeat_a_start(cal):
    slots = slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=MONDAY + timedelta(days=2), limit=30))

    assert len({s.start for s in slots}) == len(slots) == 16  # 8:00–11:00 and 13:00–17:00, every half hour


def test_slot_is_free_follows_bookings(cal):
    slot = Slot(start=at(MONDAY, 9), end=at(MONDAY, 9, 40), service_id=cal.service_id(CONSULTA),
                professional_id=cal.professional_id(HELENA))
    assert slot_is_free(slot=slot)

    book_directly(cal, HELENA, at(MONDAY, 9, 30))

    assert not slot_is_free(slot=slot)
    assert not slot_is_free(slot=Slot(start=at(MONDAY, 12), end=at(MONDAY, 12, 40),
                                      service_id=cal.service_id(CONSULTA)))  # lunch


def test_unknown_or_inactive_service_has_no_slots(cal):
    assert slots_find(query=SlotQuery(service_id=999_999)) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Quero marcar uma CONSULTA com a dermatologista", CONSULTA),
    ("vocês fazem limpeza de pele?", "Limpeza de pele"),
    ("quero fazer botox", "Aplicação de toxina botulínica"),
    ("PEELING quimico para manchas", "Peeling químico"),
    ("qual o endereço?", None),
])
def test_service_match_ignores_accents_and_case(cal, text, expected):
    found = service_match(text=text)

    assert (found.name if found else None) == expected


def test_the_demo_calendar_is_idempotent_and_closes_the_next_holiday(cal):
    from agenda.models import Professional, Service, WorkingHours
    from devstack.demo.agenda import demo_calendar_ensure, next_holiday

    def counts():
        return (Professional.objects.count(), Service.objects.count(), WorkingHours.objects.count(),
                TimeOff.objects.filter(start__gte=at(MONDAY, 0)).count())

    demo_calendar_ensure()  # the fixture ran before the clock was frozen: this one sees 2031
    first = counts()
    demo_calendar_ensure()

    assert counts() == first == (3, 4, 11 + 7 + 11, 1)
    holiday = TimeOff.objects.get(start__gte=at(MONDAY, 0))
    assert holiday.professional is None and holiday.start == at(date(2031, 4, 21), 0)
    assert next_holiday(after=date(2031, 12, 24)) == (date(2032, 1, 1), "Confraternização Universal")
    assert slots_find(query=SlotQuery(service_id=cal.service_id(CONSULTA), day=date(2031, 4, 21))) == []
