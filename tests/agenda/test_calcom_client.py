"""The Cal.com v2 client and calendar against a local server speaking the contract (docs/contracts/calcom.md §3).

Real httpx, real sockets: the server records what we sent (headers and bodies) and
answers with Cal.com's envelopes, status codes and error shapes.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from agenda.models import Appointment, AppointmentEvent
from agenda.providers.calcom import CalcomClient, CalcomRejected, CalcomSlotTaken, CalcomUnavailable
from agenda.services.booking import appointment_book, appointment_cancel, appointment_reschedule
from agenda.services.slots import slot_is_free, slots_find
from agenda.types import CalendarRejected, CalendarUnavailable, SlotQuery, SlotTaken
from conversations.models import Contact
from tests.agenda.calcom_server import API_KEY

SP = ZoneInfo("America/Sao_Paulo")
MONDAY = date(2031, 3, 3)
ATTENDEE = {"name": "Maria", "timeZone": "America/Sao_Paulo", "phoneNumber": "+5511988887777"}


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SP)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(calcom_server, sleeps) -> CalcomClient:
    return CalcomClient(base_url=calcom_server.url, api_key=API_KEY, timeout=2.0, sleep=sleeps.append)


# --- the client: wire format ---------------------------------------------------------------

def test_slots_sends_its_version_and_parses_the_map_keyed_by_date(client, calcom_server):
    calcom_server.set_slots([at(9), at(10), at(9, day=MONDAY + timedelta(days=1))])

    data = client.slots(event_type_id=101, start=at(0), end=at(23, 59, MONDAY + timedelta(days=1)),
                        time_zone="America/Sao_Paulo")

    assert data == {"2031-03-03": [{"start": "2031-03-03T09:00:00.000-03:00"},
                                   {"start": "2031-03-03T10:00:00.000-03:00"}],
                    "2031-03-04": [{"start": "2031-03-04T09:00:00.000-03:00"}]}
    (sent,) = calcom_server.requests
    assert (sent.method, sent.path) == ("GET", "/v2/slots")
    assert sent.headers["cal-api-version"] == "2024-09-04"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.query == {"eventTypeId": "101", "start": "2031-03-03T03:00:00Z", "end": "2031-03-05T02:59:00Z",
                          "timeZone": "America/Sao_Paulo"}


def test_no_slots_is_an_empty_object(client, calcom_server):
    calcom_server.set_slots([])

    assert client.slots(event_type_id=101, start=at(0), end=at(23), time_zone="UTC") == {}


def test_booking_lifecycle_create_get_reschedule_cancel(client, calcom_server):
    created = client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE,
                                    metadata={"secretaria_contact": 7}, booking_fields={"notes": "primeira vez"})
    fetched = client.booking_get(uid=created["uid"])
    moved = client.booking_reschedule(uid=created["uid"], start=at(10), reason="Pediu outro horário")
    cancelled = client.booking_cancel(uid=moved["uid"], reason="Imprevisto")

    assert created["status"] == "accepted" and fetched["uid"] == created["uid"]
    assert moved["uid"] != created["uid"] and moved["rescheduledFromUid"] == created["uid"]
    assert cancelled["status"] == "cancelled"
    create, get, reschedule, cancel = calcom_server.requests
    assert (create.method, create.path, create.headers["cal-api-version"]) == ("POST", "/v2/bookings", "2024-08-13")
    # start in UTC with Z, metadata values as strings (Cal.com's limits: string values only).
    assert create.body == {"eventTypeId": 101, "start": "2031-03-03T12:00:00Z", "attendee": ATTENDEE,
                           "metadata": {"secretaria_contact": "7"},
                           "bookingFieldsResponses": {"notes": "primeira vez"}}
    assert (get.method, get.path) == ("GET", f"/v2/bookings/{created['uid']}")
    assert (reschedule.path, reschedule.body) == (
        f"/v2/bookings/{created['uid']}/reschedule", {"start": "2031-03-03T13:00:00Z",
                                                     "reschedulingReason": "Pediu outro horário"})
    assert (cancel.path, cancel.body) == (f"/v2/bookings/{moved['uid']}/cancel", {"cancellationReason": "Imprevisto"})
    assert all(r.headers["cal-api-version"] == "2024-08-13" and r.headers["authorization"] == f"Bearer {API_KEY}"
               for r in (get, reschedule, cancel))


# --- the client: errors ---------------------------------------------------------------------

def test_a_taken_slot_is_slot_taken(client, calcom_server):
    calcom_server.set_slots([at(9)])
    client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE)

    with pytest.raises(CalcomSlotTaken) as caught:
        client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE)

    assert isinstance(caught.value, SlotTaken) and caught.value.status == 400
    assert "already has booking" in caught.value.detail


@pytest.mark.parametrize(("status", "message"), [(401, "recusou a chave"), (404, "não encontrou"),
                                                  (422, "recusou o pedido")])
def test_other_4xx_are_rejected_without_retry(client, calcom_server, sleeps, status, message):
    calcom_server.fail_next(status)

    with pytest.raises(CalcomRejected, match=message) as caught:
        client.booking_get(uid="abc")

    assert isinstance(caught.value, CalendarRejected) and caught.value.status == status
    assert len(calcom_server.requests) == 1 and sleeps == []


def test_a_wrong_key_is_rejected_and_never_leaks(calcom_server):
    bad = CalcomClient(base_url=calcom_server.url, api_key="cal_live_errada", sleep=lambda s: None)

    with pytest.raises(CalendarRejected) as caught:
        bad.slots(event_type_id=1, start=at(0), end=at(23), time_zone="UTC")

    assert "cal_live_errada" not in str(caught.value)


def test_5xx_and_429_are_retried_with_jittered_backoff(client, calcom_server, sleeps):
    calcom_server.fail_next(503)
    calcom_server.fail_next(429, headers={"Retry-After": "0.5"})
    calcom_server.set_slots([at(9)])

    data = client.slots(event_type_id=101, start=at(0), end=at(23), time_zone="America/Sao_Paulo")

    assert list(data) == ["2031-03-03"] and len(calcom_server.requests) == 3
    assert 0.15 <= sleeps[0] <= 0.3  # equal jitter on the first backoff (0.3 s cap)
    assert sleeps[1] == 0.5  # the server's Retry-After


def test_persistent_failure_is_unavailable_after_few_attempts(client, calcom_server, sleeps):
    calcom_server.fail_next(500, times=5)

    with pytest.raises(CalcomUnavailable) as caught:
        client.booking_cancel(uid="abc")

    assert isinstance(caught.value, CalendarUnavailable) and caught.value.status == 500
    assert len(calcom_server.requests) == 3 and len(sleeps) == 2


def test_creating_is_not_repeated_after_a_5xx_or_a_timeout_but_is_after_a_429(calcom_server, sleeps):
    client = CalcomClient(base_url=calcom_server.url, api_key=API_KEY, timeout=0.3, sleep=sleeps.append)
    calcom_server.fail_next(502)
    with pytest.raises(CalendarUnavailable):
        client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE)
    assert len(calcom_server.requests) == 1  # it may have been booked: never book twice

    calcom_server.fail_next(200, delay=1.0)
    with pytest.raises(CalendarUnavailable, match="demorou"):
        client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE)
    assert len(calcom_server.requests) == 2

    calcom_server.fail_next(429)
    booked = client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE)
    assert booked["uid"] and len(calcom_server.requests) == 4


def test_reads_are_retried_after_a_timeout(calcom_server, sleeps):
    client = CalcomClient(base_url=calcom_server.url, api_key=API_KEY, timeout=0.3, sleep=sleeps.append)
    calcom_server.fail_next(200, delay=1.0)
    calcom_server.set_slots([at(9)])

    assert client.slots(event_type_id=101, start=at(0), end=at(23), time_zone="UTC")
    assert len(calcom_server.requests) == 2


def test_an_unreachable_server_is_unavailable_and_retried_even_for_create(sleeps):
    client = CalcomClient(base_url="http://127.0.0.1:9", api_key=API_KEY, sleep=sleeps.append)

    with pytest.raises(CalcomUnavailable) as caught:
        client.booking_create(event_type_id=101, start=at(9), attendee=ATTENDEE)

    assert caught.value.request_sent is False and len(sleeps) == 2


# --- the calendar and the booking service on Cal.com ----------------------------------------

@pytest.fixture
def on_calcom(calcom_acme):
    with time_machine.travel(at(7), tick=False), schema_context(calcom_acme.schema):
        yield calcom_acme


def test_slots_come_from_calcom_filtered_and_spread(on_calcom, calcom_server):
    consulta = on_calcom.service_id("Consulta dermatológica")
    calcom_server.set_slots([at(7, 30), at(9), at(9, 30), at(10), at(15), at(15, day=MONDAY + timedelta(days=1))])

    slots = slots_find(query=SlotQuery(service_id=consulta, limit=3))
    afternoon = slots_find(query=SlotQuery(service_id=consulta, time_from=at(14).time(), limit=3))

    # 7:30 is inside the 60 min notice; one per hour first.
    assert [s.start for s in slots] == [at(9), at(10), at(15)]
    assert all(s.service_id == consulta and s.professional_id is None for s in slots)
    assert all(s.end - s.start == timedelta(minutes=40) for s in slots)
    assert [s.start for s in afternoon] == [at(15), at(15, day=MONDAY + timedelta(days=1))]
    first = calcom_server.requests_to("/v2/slots")[0]
    assert first.query["eventTypeId"] == "101" and first.query["timeZone"] == "America/Sao_Paulo"
    assert slot_is_free(slot=slots[0])


def test_booking_on_calcom_mirrors_the_remote_booking(on_calcom, calcom_server):
    calcom_server.set_slots([at(9), at(10)])
    maria = Contact.objects.create(phone="5511988887777", name="Maria")
    slot = slots_find(query=SlotQuery(service_id=on_calcom.service_id("Consulta dermatológica"), limit=1))[0]

    appointment = appointment_book(contact=maria, slot=slot, source="chat", notes="alergia a dipirona")

    (uid,) = calcom_server.bookings
    assert (appointment.provider, appointment.provider_booking_id, appointment.status) == ("calcom", uid, "pending")
    assert (appointment.start, appointment.end) == (at(9), at(9, 40))
    create = calcom_server.requests_to("/v2/bookings", "POST")[0]
    assert create.body["start"] == "2031-03-03T12:00:00Z" and create.body["eventTypeId"] == 101
    assert create.body["attendee"] == {"name": "Maria", "timeZone": "America/Sao_Paulo", "language": "pt-BR",
                                       "phoneNumber": "+5511988887777"}
    assert create.body["metadata"]["secretaria_contact"] == str(maria.pk)
    assert create.body["bookingFieldsResponses"] == {"notes": "alergia a dipirona"}
    assert REGISTRY.get_sample_value("secretaria_appointments_latency_seconds_count",
                                     {"provider": "calcom"}) >= 1

    moved = appointment_reschedule(appointment=appointment, slot=slot.__class__(
        start=at(10), end=at(10, 40), service_id=slot.service_id))
    assert moved.provider_booking_id != uid and moved.start == at(10)
    assert calcom_server.bookings[uid]["status"] == "cancelled"

    appointment_cancel(appointment=moved, reason="Imprevisto")
    assert calcom_server.bookings[moved.provider_booking_id]["status"] == "cancelled"
    assert [e.kind for e in AppointmentEvent.objects.filter(appointment=moved)] == ["created", "cancelled"]
    # Cancelling again does not call Cal.com again.
    before = len(calcom_server.requests)
    appointment_cancel(appointment=moved)
    assert len(calcom_server.requests) == before


def test_calcom_trouble_reaches_the_caller_and_books_nothing(on_calcom, calcom_server):
    calcom_server.set_slots([at(9)])
    maria = Contact.objects.create(phone="5511988887777", name="Maria")
    slot = slots_find(query=SlotQuery(service_id=on_calcom.service_id("Consulta dermatológica"), limit=1))[0]
    calcom_server.fail_next(503)

    with pytest.raises(CalendarUnavailable):
        appointment_book(contact=maria, slot=slot, source="chat")

    other = Contact.objects.create(phone="5511977776666")
    appointment_book(contact=other, slot=slot, source="chat")
    with pytest.raises(SlotTaken):
        appointment_book(contact=maria, slot=slot, source="chat")
    assert Appointment.objects.count() == 1


def test_a_service_without_event_type_is_rejected(on_calcom, calcom_server):
    from agenda.models import Service

    Service.objects.filter(name="Limpeza de pele").update(calcom_event_type_id=None)

    with pytest.raises(CalendarRejected, match="tipo de evento"):
        slots_find(query=SlotQuery(service_id=on_calcom.service_id("Limpeza de pele")))
    assert calcom_server.requests == []


def test_timestamps_from_calcom_keep_their_instant():
    from agenda.providers.calcom.client import parse_time, utc_iso

    assert parse_time("2050-09-05T09:00:00.000+02:00") == datetime(2050, 9, 5, 7, tzinfo=UTC)
    assert utc_iso(parse_time("2024-08-13T09:00:00Z")) == "2024-08-13T09:00:00Z"
