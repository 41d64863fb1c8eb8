"""POST /webhook/calcom: signed (hex HMAC-SHA256 of the raw body), idempotent, never a 5xx
for a bad body; events update our appointments through the booking service."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django_tenants.utils import schema_context

from agenda.models import Appointment, AppointmentEvent, Reminder
from agenda.services.booking import appointment_book
from agenda.types import Slot
from conversations.models import Contact, DeadLetter
from tests.agenda.calcom_server import WEBHOOK_SECRET, post_webhook, sign, webhook_payload

SP = ZoneInfo("America/Sao_Paulo")
MONDAY = date(2031, 3, 3)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SP)


@pytest.fixture
def clock():
    with time_machine.travel(at(7), tick=False) as traveller:
        yield traveller


@pytest.fixture
def web():
    return Client(HTTP_HOST="acme.localhost")


@pytest.fixture
def booked(calcom_acme, calcom_server, clock):
    """Maria's consultation on Monday 9h, booked through us on Cal.com (reminder at 8h pending)."""
    with schema_context(calcom_acme.schema):
        maria = Contact.objects.create(phone="5511988887777", name="Maria")
        service = calcom_acme.service_id("Consulta dermatológica")
        return appointment_book(contact=maria, slot=Slot(at(9), at(9, 40), service), source="chat")


def in_acme(fn):
    with schema_context("acme"):
        return fn()


def status_of(appointment) -> str:
    return in_acme(lambda: Appointment.objects.get(pk=appointment.pk).status)


def kinds(appointment) -> list[str]:
    return in_acme(lambda: list(AppointmentEvent.objects.filter(appointment_id=appointment.pk)
                                .values_list("kind", flat=True)))


def cancellation(appointment) -> dict:
    return webhook_payload("BOOKING_CANCELLED", uid=appointment.provider_booking_id, start=at(9), minutes=40,
                           event_type_id=101)


def test_a_signed_cancellation_cancels_the_appointment_and_its_reminders(web, booked, calcom_server):
    assert in_acme(lambda: Reminder.objects.filter(appointment_id=booked.pk, state="pending").count()) == 1
    calls_before = len(calcom_server.requests)

    response = post_webhook(web, cancellation(booked))

    assert response.status_code == 200 and response.json()["result"] == "cancelled"
    assert status_of(booked) == "cancelled"
    assert in_acme(lambda: Appointment.objects.get(pk=booked.pk).cancel_reason) == (
        "I am no longer able to attend this session.")
    assert in_acme(lambda: Reminder.objects.filter(appointment_id=booked.pk, state="pending").count()) == 0
    assert len(calcom_server.requests) == calls_before  # Cal.com told us: we do not call it back

    again = post_webhook(web, cancellation(booked))  # redelivery
    assert again.status_code == 200 and again.json()["result"] == "duplicate"
    assert kinds(booked) == ["created", "cancelled"]


@pytest.mark.parametrize("variant", ["missing", "wrong_secret", "tampered", "prefixed_wrong", "empty_secret"])
def test_bad_signatures_are_401_and_change_nothing(web, booked, variant):
    body = json.dumps(cancellation(booked)).encode()
    kwargs = {"missing": {"secret": None}, "wrong_secret": {"secret": "outro-segredo"},
              "tampered": {"signature": sign(body)},
              "prefixed_wrong": {"signature": "sha256=" + sign(body, "x")},
              "empty_secret": {"signature": "no-secret-provided"}}[variant]
    sent = body.replace(b"CANCELLED", b"CANCELLEDx") if variant == "tampered" else body

    response = post_webhook(web, sent, **kwargs)

    assert response.status_code == 401
    assert status_of(booked) == "pending"


def test_another_companys_host_does_not_accept_acmes_signature(booked):
    response = post_webhook(Client(HTTP_HOST="globex.localhost"), cancellation(booked))

    assert response.status_code == 401
    assert status_of(booked) == "pending"


def test_bad_bodies_are_4xx_never_5xx(web, calcom_acme, settings):
    for body, content_type, expected in [(b"{not json", "application/json", 400),
                                         (b"[1, 2]", "application/json", 400),
                                         (b"\xff\xfe", "application/json", 400),
                                         (b"{}", "text/plain", 415)]:
        response = web.post("/webhook/calcom", data=body, content_type=content_type,
                            HTTP_X_CAL_SIGNATURE_256=sign(body))
        assert response.status_code == expected, body
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = json.dumps({"triggerEvent": "BOOKING_CREATED", "x": "a" * 5000}).encode()
    assert web.post("/webhook/calcom", data=big, content_type="application/json",
                    HTTP_X_CAL_SIGNATURE_256=sign(big)).status_code == 413


def test_a_signed_body_we_cannot_read_is_dead_lettered(web, calcom_acme):
    response = post_webhook(web, {"triggerEvent": "BOOKING_CANCELLED", "payload": {"title": "sem uid"}})

    assert response.status_code == 202
    assert in_acme(lambda: DeadLetter.objects.filter(source="webhook:calcom").count()) == 1


def test_a_booking_made_on_calcom_with_a_phone_is_mirrored_once(web, calcom_acme, clock):
    payload = webhook_payload("BOOKING_CREATED", uid="direto-1", start=at(10), minutes=40, event_type_id=101,
                              phone="+55 11 97777-6666", name="Joana")

    first = post_webhook(web, payload)
    second = post_webhook(web, payload)

    assert first.json()["result"] == "created" and second.json()["result"] == "duplicate"
    appointment = in_acme(lambda: Appointment.objects.select_related("contact", "service").get(
        provider_booking_id="direto-1"))
    assert (appointment.contact.phone, appointment.contact.name) == ("5511977776666", "Joana")
    assert (appointment.service.name, appointment.source, appointment.provider) == (
        "Consulta dermatológica", "calcom", "calcom")
    assert (appointment.start, appointment.end, appointment.status) == (at(10), at(10, 40), "pending")
    assert in_acme(lambda: Reminder.objects.filter(appointment=appointment).count()) == 1


def test_a_booking_without_phone_is_acknowledged_and_ignored(web, calcom_acme, clock):
    response = post_webhook(web, webhook_payload("BOOKING_CREATED", uid="sem-fone", start=at(10)))

    assert response.status_code == 200 and response.json()["result"] == "ignored"
    assert in_acme(lambda: Appointment.objects.count()) == 0


def test_our_own_booking_coming_back_is_a_no_op(web, booked):
    payload = webhook_payload("BOOKING_CREATED", uid=booked.provider_booking_id, start=at(9), minutes=40,
                              phone="+5511988887777")

    assert post_webhook(web, payload).json()["result"] == "duplicate"
    assert in_acme(lambda: Appointment.objects.count()) == 1


def test_a_reschedule_on_calcom_moves_the_appointment(web, booked):
    payload = webhook_payload("BOOKING_RESCHEDULED", uid="novo-uid", start=at(15), minutes=40, event_type_id=101,
                              rescheduleUid=booked.provider_booking_id, rescheduleStartTime="2031-03-03T12:00:00Z")

    first = post_webhook(web, payload)
    again = post_webhook(web, payload)

    assert first.json()["result"] == "rescheduled" and again.json()["result"] == "duplicate"
    old = in_acme(lambda: Appointment.objects.select_related("rescheduled_to").get(pk=booked.pk))
    assert old.status == "rescheduled"
    assert (old.rescheduled_to.provider_booking_id, old.rescheduled_to.start) == ("novo-uid", at(15))
    assert old.rescheduled_to.contact_id == booked.contact_id
    assert in_acme(lambda: Reminder.objects.filter(appointment_id=booked.pk, state="pending").count()) == 0


def test_no_show_and_meeting_ended(web, booked, calcom_acme, clock):
    with schema_context("acme"):
        other = appointment_book(contact=Contact.objects.create(phone="5511966665555"),
                                 slot=Slot(at(10), at(10, 40), calcom_acme.service_id("Consulta dermatológica")),
                                 source="chat")
    clock.move_to(at(11))
    no_show = webhook_payload("BOOKING_NO_SHOW_UPDATED", uid=booked.provider_booking_id)
    ended = webhook_payload("MEETING_ENDED", uid=other.provider_booking_id, start=at(10), minutes=40)
    assert "payload" not in ended  # MEETING_* come flat

    assert post_webhook(web, no_show).json()["result"] == "no_show"
    assert post_webhook(web, no_show).json()["result"] == "duplicate"
    assert post_webhook(web, ended).json()["result"] == "attended"
    assert post_webhook(web, ended).json()["result"] == "duplicate"
    assert (status_of(booked), status_of(other)) == ("no_show", "attended")
    # Un-marking a no-show is acknowledged but not guessed into "attended".
    undo = webhook_payload("BOOKING_NO_SHOW_UPDATED", uid=booked.provider_booking_id, no_show=False)
    assert post_webhook(web, undo).json()["result"] == "ignored"


def test_unknown_triggers_are_acknowledged(web, calcom_acme):
    response = post_webhook(web, {"triggerEvent": "RECORDING_READY", "payload": {"uid": "x"}})

    assert response.status_code == 200 and response.json()["result"] == "ignored"


def test_the_secret_is_checked_in_constant_time_against_the_raw_bytes():
    from agenda.services.calcom_sync import signature_valid

    body = b'{"a": 1}'
    assert signature_valid(secret=WEBHOOK_SECRET, raw_body=body, header=sign(body))
    assert signature_valid(secret=WEBHOOK_SECRET, raw_body=body, header=sign(body).upper())
    assert not signature_valid(secret=WEBHOOK_SECRET, raw_body=b'{"a":1}', header=sign(body))
    assert not signature_valid(secret="", raw_body=body, header=sign(body, ""))
