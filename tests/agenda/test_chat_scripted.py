"""Acceptance 1: a scripted WhatsApp conversation books an appointment through the real reply pipeline.

Messages go in as the sandbox webhook stores them and are answered by `conversation_reply`
(the worker's service): engine, agenda, outbox. Once on the built-in calendar, once on the
local Cal.com v2 server, whose requests are checked; then a signed Cal.com cancellation
webhook cancels the appointment and its pending reminders.
"""

import hashlib
import hmac
import json
import re
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from agenda.chat.dialog_state import FollowUpAnswer
from agenda.chat.handler import AGENDA_TURN_HANDLER, agenda_turn
from agenda.models import Appointment, FollowUp, Reminder
from agenda.services.config import calendar_config_forget
from agenda.services.dialogs import dialog_open
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import Contact, Message
from conversations.turns import Intent, register_turn_handler
from tests.agenda.calcom_server import API_KEY, BOOKINGS_VERSIONS, SLOTS_VERSION, WEBHOOK_SECRET, webhook_payload

TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # Monday
PHONE = "5511987650001"


class Chat:
    """One customer typing on WhatsApp; `send` returns what the secretary answered."""

    def __init__(self):
        self.count = 0

    def send(self, text: str) -> Message:
        self.count += 1
        stored = inbound_store(message=InboundMessage(
            provider="sandbox", provider_message_id=f"scripted-{self.count}", sender=PHONE, sender_name="Paula Lima",
            kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
        # The row's created_at is PostgreSQL's now(), which the frozen clock does not reach: put it
        # on the frozen clock, a moment ago, so the debounce sees a customer who stopped typing.
        Message.objects.filter(pk=stored.pk).update(created_at=timezone.now() - timedelta(seconds=1))
        assert conversation_reply(contact_id=stored.contact_id).status == "answered"
        return Message.objects.filter(contact_id=stored.contact_id, direction="out").order_by("-id").first()


@pytest.fixture
def sandbox(settings, time_machine):
    settings.DEBOUNCE_SECONDS = 0
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def agenda_replies():
    """Every reply the agenda gives in these conversations must carry an Intent member.

    The pipeline swallows a handler's exception (the engine answers instead), so the replies
    are collected and checked after the test rather than asserted inside the handler.
    """
    replies = []

    def recorded(turn):
        reply = agenda_turn(turn)
        if reply is not None:
            replies.append(reply)
        return reply

    register_turn_handler(replace(AGENDA_TURN_HANDLER, answer=recorded))
    yield replies
    register_turn_handler(AGENDA_TURN_HANDLER)
    assert all(isinstance(reply.intent, Intent) for reply in replies), [reply.intent for reply in replies]


def test_booking_through_the_chat_on_the_built_in_calendar(demo_calendar, sandbox):
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        chat = Chat()

        offer = chat.send("Oi, bom dia! Queria marcar uma limpeza de pele")
        assert "1) segunda, 02/03 às 10:00 — Juliana (esteticista)" in offer.text
        assert offer.payload["options"][0] == {"id": "1", "title": "Seg, 02/03 às 10:00",
                                               "description": "Juliana (esteticista)"}

        offer = chat.send("tem na quinta de manhã?")
        assert "1) quinta, 05/03 às 08:00" in offer.text
        [number] = re.findall(r"^(\d)\) quinta, 05/03 às 11:00", offer.text, re.M)

        done = chat.send(number)

        appointment = Appointment.objects.get(contact__phone=PHONE)
        assert appointment.start == datetime(2026, 3, 5, 11, tzinfo=TZ)
        assert (appointment.status, appointment.source, appointment.provider) == ("pending", "chat", "builtin")
        assert "Prontinho, agendado!" in done.text and "quinta, 05/03 às 11:00" in done.text
        assert not done.payload.get("options")
        assert appointment.reminders.filter(state="pending").count() == 2  # 24 h and 1 h before


def test_booking_through_the_chat_on_calcom_then_a_signed_cancellation_webhook(calcom_acme, calcom_server, sandbox):
    free = [datetime(2026, 3, 3, hour, tzinfo=TZ) for hour in (9, 10, 14, 15, 16)]
    calcom_server.set_slots(free)
    with schema_context(calcom_acme.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        chat = Chat()

        offer = chat.send("Olá! Quero agendar limpeza de pele para amanhã à tarde")
        assert "1) terça, 03/03 às 14:00" in offer.text and "3) terça, 03/03 às 16:00" in offer.text

        done = chat.send("o das 15h")

        appointment = Appointment.objects.get(contact__phone=PHONE)
        assert appointment.start == datetime(2026, 3, 3, 15, tzinfo=TZ)
        assert appointment.provider == "calcom" and appointment.provider_booking_id
        assert "Prontinho, agendado!" in done.text
        assert Reminder.objects.filter(appointment=appointment, state="pending").count() == 2

    slots_call = calcom_server.requests_to("/v2/slots", "GET")[0]
    assert slots_call.headers["cal-api-version"] == SLOTS_VERSION
    assert slots_call.headers["authorization"] == f"Bearer {API_KEY}"
    assert slots_call.query["eventTypeId"] == "102"  # Limpeza de pele
    [create] = calcom_server.requests_to("/v2/bookings", "POST")
    assert create.headers["cal-api-version"] in BOOKINGS_VERSIONS
    assert create.headers["authorization"] == f"Bearer {API_KEY}"
    assert create.body["eventTypeId"] == 102
    assert create.body["start"] == "2026-03-03T18:00:00Z"  # 15:00 in São Paulo, sent in UTC
    assert create.body["attendee"]["name"] == "Paula Lima"
    assert create.body["attendee"]["phoneNumber"] == f"+{PHONE}"
    assert create.body["attendee"]["timeZone"] == "America/Sao_Paulo"
    assert create.body["metadata"]["secretaria_contact"] == str(appointment.contact_id)

    payload = webhook_payload("BOOKING_CANCELLED", uid=appointment.provider_booking_id,
                              start=appointment.start, minutes=60, event_type_id=102)
    body = json.dumps(payload).encode()
    signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    client = Client(HTTP_HOST="acme.localhost")

    forged = client.post("/webhook/calcom", data=body, content_type="application/json",
                         HTTP_X_CAL_SIGNATURE_256="0" * 64)
    response = client.post("/webhook/calcom", data=body, content_type="application/json",
                           HTTP_X_CAL_SIGNATURE_256=signature)

    assert forged.status_code == 401
    assert response.status_code == 200
    with schema_context(calcom_acme.schema):
        appointment.refresh_from_db()
        assert appointment.status == "cancelled"
        assert not Reminder.objects.filter(appointment=appointment, state="pending").exists()
        assert Reminder.objects.filter(appointment=appointment, state="cancelled").count() == 2
    calendar_config_forget()


def test_options_go_as_an_interactive_list_on_meta(demo_calendar, sandbox, respx_mock):
    """On the Meta channel the offered slots are a real list; the row the customer taps comes back
    as its title, which books that slot."""
    import httpx

    sent = respx_mock.post(url__regex=r".*/messages$").mock(return_value=httpx.Response(
        200, json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.x"}]}))
    with schema_context(demo_calendar.schema):
        channel_configure(kind="meta", phone_number_id="106540352242922", access_token="EAAG-token")
        calendar_config_forget()
        chat = Chat()
        offer = chat.send("Quero agendar limpeza de pele")

        from conversations.core.outbox import outbox_send

        outbox_send(outbox_id=offer.outbox.pk)
        interactive = json.loads(sent.calls[-1].request.content)["interactive"]
        assert interactive["type"] == "list"
        rows = interactive["action"]["sections"][0]["rows"]
        assert rows[1] == {"id": "2", "title": "Seg, 02/03 às 11:00", "description": "Juliana (esteticista)"}
        assert "1)" not in interactive["body"]["text"]  # the numbered lines are the list itself

        chat.send(rows[1]["title"])  # what Meta delivers when the row is tapped

        assert Appointment.objects.get(contact__phone=PHONE).start == datetime(2026, 3, 2, 11, tzinfo=TZ)


def test_an_unrelated_question_mid_booking_is_answered_by_the_engine(demo_calendar, sandbox):
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        chat = Chat()
        chat.send("Quero agendar limpeza de pele")

        answer = chat.send("Vocês têm estacionamento?")
        assert "1)" not in answer.text

        chat.send("1")
        assert Appointment.objects.filter(contact__phone=PHONE).exists()


def test_a_follow_up_answer_is_counted_as_feedback(demo_calendar, sandbox, agenda_replies):
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        paula = Contact.objects.create(phone=PHONE, name="Paula Lima")
        visit = Appointment.objects.create(contact=paula, service_id=demo_calendar.service_id("Limpeza de pele"),
                                           start=NOW - timedelta(days=1), end=NOW - timedelta(days=1, hours=-1),
                                           status="attended")
        followup = FollowUp.objects.create(appointment=visit, due_at=NOW - timedelta(hours=2), state="sent")
        dialog_open(contact=paula, state=FollowUpAnswer(followup_id=followup.pk))
        labels = {"intent": "feedback"}
        before = REGISTRY.get_sample_value("secretaria_intention_distribution_total", labels) or 0

        thanks = Chat().send("Foi ótimo, adorei! Nota 10")

        followup.refresh_from_db()
        assert followup.state == "answered" and "obrigado" in thanks.text.lower()
        assert [reply.intent for reply in agenda_replies] == [Intent.FEEDBACK]
        assert REGISTRY.get_sample_value("secretaria_intention_distribution_total", labels) == before + 1


@pytest.mark.parametrize(("text", "hour"), [("fico com a terceira", 13), ("manda o 3 msm", 13), ("o primeiro", 10),
                                            ("pode ser a das 15h", 15)])
def test_a_pick_in_words_books_through_the_pipeline_without_a_handoff(demo_calendar, sandbox, text, hour):
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        chat = Chat()
        chat.send("bom dia! gostaria de agendar uma limpeza de pele")

        done = chat.send(text)

        appointment = Appointment.objects.get(contact__phone=PHONE)
        assert appointment.start == datetime(2026, 3, 2, hour, tzinfo=TZ)
        assert "Prontinho, agendado!" in done.text
        assert appointment.contact.conversations.get().status != "handoff"
