"""The staff inbox: follow conversations, reply, take over, hand back, and the callback offer."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from compliance.models import AuditEvent
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.handoff import (
    callback_offer,
    conversation_handoff,
    handoff_callbacks_offer,
    handoffs_without_answer,
    staff_reply,
)
from conversations.core.ingest import inbound_store
from conversations.core.outbox import outbox_send
from conversations.core.pipeline import conversation_reply
from conversations.models import CompanyProfile, Contact, Conversation, Message, Outbox
from conversations.tasks import handoff_callbacks_task
from templates.replies.catalogue import slot_get
from tests.conftest import member
from tests.conversations.factories import ConversationFactory, MessageFactory

SP = ZoneInfo("America/Sao_Paulo")
CALLBACK_TEXT = slot_get("callback_offer").text  # the shipped wording (acme does not edit it)
MONDAY_10H = datetime(2025, 6, 2, 10, 0, tzinfo=SP)  # 2 June 2025 was a Monday
MONDAY_20H = datetime(2025, 6, 2, 20, 0, tzinfo=SP)
WEEKDAYS_8_TO_18 = {str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)}


@pytest.fixture
def in_acme(acme):
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        yield acme


def chat(phone: str = "5511912340001", *, status: str = "bot", minutes_ago: int = 0, **fields) -> Conversation:
    conversation = ConversationFactory(contact__phone=phone, contact__name="Maria Souza", status=status, **fields)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=minutes_ago))
    return conversation


def said(conversation: Conversation, text: str, *, direction: str = "in", sent_by: str = "") -> Message:
    return MessageFactory(conversation=conversation, direction=direction, text=text, sent_by=sent_by,
                          state="answered" if direction == "in" else "outbound")


def url(conversation_id, tail: str = "") -> str:
    return f"/api/conversations/{conversation_id}{tail}"


# --- reading ---------------------------------------------------------------------------

def test_the_list_shows_the_newest_activity_first(in_acme, api):
    old = chat("5511900000001", minutes_ago=30)
    new = chat("5511900000002", minutes_ago=1)

    response = api(in_acme, "viewer").get("/api/conversations")

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids.index(new.pk) < ids.index(old.pk)
    assert response.json()["results"][0]["contact"]["phone"] == "5511900000002"


def test_the_list_is_paginated(in_acme, api):
    contacts = Contact.objects.bulk_create([Contact(phone=f"55119100{i:05d}") for i in range(51)])
    Conversation.objects.bulk_create([Conversation(contact=c) for c in contacts])

    first = api(in_acme, "viewer").get("/api/conversations").json()
    second = api(in_acme, "viewer").get("/api/conversations?page=2").json()

    assert first["count"] == 51 and len(first["results"]) == 50 and first["next"]
    assert len(second["results"]) == 1


def test_the_list_filters_by_status_and_by_part_of_the_phone(in_acme, api):
    waiting = chat("5511987650001", status="handoff")
    chat("5511987650002")
    client = api(in_acme, "operator")

    by_status = client.get("/api/conversations?status=handoff").json()["results"]
    by_phone = client.get("/api/conversations", {"phone": "98765-0001"}).json()["results"]

    assert [row["id"] for row in by_status] == [waiting.pk]
    assert [row["id"] for row in by_phone] == [waiting.pk]


def test_an_unknown_status_filter_is_a_400(in_acme, api):
    response = api(in_acme, "viewer").get("/api/conversations?status=talvez")

    assert response.status_code == 400 and "status" in response.json()


def test_one_conversation_and_its_messages_oldest_first(in_acme, api):
    conversation = chat()
    first = said(conversation, "oi")
    second = said(conversation, "Olá! Como posso ajudar?", direction="out")
    client = api(in_acme, "viewer")

    detail = client.get(url(conversation.pk))
    listed = client.get(url(conversation.pk, "/messages"))

    assert detail.status_code == 200 and detail.json()["status"] == "bot"
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["results"]] == [first.pk, second.pk]
    assert listed.json()["count"] == 2


# --- replying and taking over ------------------------------------------------------------

def test_an_operator_reply_goes_through_the_outbox_and_out_by_the_sandbox(in_acme, api):
    conversation = chat()

    response = api(in_acme, "operator").post(url(conversation.pk, "/reply"), {"text": "Oi, aqui é a Carla."},
                                             format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["direction"], body["sent_by"], body["outbox_state"]) == ("out", "operator@acme.test", "pending")
    with schema_context("acme"):
        outbox = Outbox.objects.get(message_id=body["id"])
        assert outbox_send(outbox_id=outbox.pk) == "sent"
        assert Message.objects.get(pk=body["id"]).delivery_status == "sent"
        assert Conversation.objects.get(pk=conversation.pk).status == "handoff"


def test_a_retried_reply_with_the_same_key_is_sent_once(in_acme, api):
    conversation = chat()
    client = api(in_acme, "operator")
    payload = {"text": "Já vou verificar.", "idempotency_key": "tela-123"}

    first = client.post(url(conversation.pk, "/reply"), payload, format="json")
    again = client.post(url(conversation.pk, "/reply"), payload, format="json")

    assert first.json()["id"] == again.json()["id"]
    with schema_context("acme"):
        assert Outbox.objects.filter(message__conversation=conversation).count() == 1


@pytest.mark.parametrize("payload", [{}, {"text": "   "}, {"text": "oi", "idempotency_key": "com espaço"}])
def test_a_reply_without_text_or_with_a_bad_key_is_a_400(in_acme, api, payload):
    conversation = chat()

    response = api(in_acme, "operator").post(url(conversation.pk, "/reply"), payload, format="json")

    assert response.status_code == 400
    with schema_context("acme"):
        assert not Outbox.objects.exists()


def test_a_closed_conversation_takes_no_reply(in_acme, api):
    conversation = chat(status="closed")

    response = api(in_acme, "operator").post(url(conversation.pk, "/reply"), {"text": "oi"}, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("tail, payload", [("/reply", {"text": "oi"}), ("/handoff", {}), ("/hand-back", {})])
def test_a_viewer_cannot_reply_take_over_or_hand_back(in_acme, api, tail, payload):
    conversation = chat(status="handoff")

    response = api(in_acme, "viewer").post(url(conversation.pk, tail), payload, format="json")

    assert response.status_code == 403
    with schema_context("acme"):
        assert Conversation.objects.get(pk=conversation.pk).status == "handoff"
        assert not Outbox.objects.exists()


def test_an_operator_takes_over_and_hands_back_and_the_hand_back_is_audited(in_acme, api,
                                                                          django_capture_on_commit_callbacks):
    conversation = chat()
    client = api(in_acme, "operator")

    with django_capture_on_commit_callbacks(execute=True):  # the audit trail hears it once committed
        taken = client.post(url(conversation.pk, "/handoff"), {"reason": "Cliente pediu um humano"}, format="json")
        back = client.post(url(conversation.pk, "/hand-back"))

    assert taken.status_code == 200
    assert (taken.json()["status"], taken.json()["handoff_reason"]) == ("handoff", "Cliente pediu um humano")
    assert back.status_code == 200 and back.json()["status"] == "bot" and back.json()["handoff_at"] is None
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="conversation.handed_back")
        assert (event.actor, event.target) == ("operator@acme.test", str(conversation.pk))


def test_in_handoff_the_bot_stays_quiet(in_acme, settings):
    settings.DEBOUNCE_SECONDS = 0
    conversation = chat()
    staff_reply(conversation=conversation, author=member(in_acme, "operator"), text="Oi, sou a Carla.")

    message = inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id="depois-da-equipe", sender=conversation.contact.phone,
        kind=MessageKind.TEXT, text="obrigada!", timestamp=timezone.now()))

    assert conversation_reply(contact_id=message.contact_id).status == "skipped"
    assert list(Message.objects.filter(direction="out").values_list("sent_by", flat=True)) == ["operator@acme.test"]


# --- tenant isolation ------------------------------------------------------------------

@pytest.mark.parametrize("method, tail", [("get", ""), ("get", "/messages"), ("post", "/reply"),
                                          ("post", "/handoff"), ("post", "/hand-back")])
def test_acmes_conversation_is_not_found_on_globex(in_acme, globex, api, method, tail):
    # An id far above both schemas' sequences: globex cannot hold it by chance.
    conversation = chat(id=10**9 + random.randrange(10**6))

    response = getattr(api(globex, "owner"), method)(url(conversation.pk, tail), {"text": "oi"}, format="json")

    assert response.status_code == 404
    with schema_context("acme"):
        assert Conversation.objects.get(pk=conversation.pk).status == "bot"
        assert not Outbox.objects.exists()


# --- callback offer --------------------------------------------------------------------

@pytest.fixture
def hours(in_acme):
    def set_hours(business_hours: dict, timeout: int = 15) -> None:
        CompanyProfile.objects.update_or_create(
            singleton=1, defaults={"business_hours": business_hours, "handoff_timeout_minutes": timeout})

    return set_hours


def waiting_since(at: datetime, phone: str = "5511955550001") -> Conversation:
    conversation = chat(phone)
    return conversation_handoff(conversation=conversation, reason="human_request", now=at)


def test_a_customer_waiting_past_the_timeout_in_business_hours_is_offered_a_callback_once(hours):
    hours(WEEKDAYS_8_TO_18)
    conversation = waiting_since(MONDAY_10H - timedelta(minutes=20))

    assert handoff_callbacks_offer(now=MONDAY_10H) == 1
    assert handoff_callbacks_offer(now=MONDAY_10H + timedelta(minutes=1)) == 0
    [offer] = Message.objects.filter(conversation=conversation, direction="out")
    assert offer.text == CALLBACK_TEXT and offer.sent_by == ""
    assert offer.outbox.idempotency_key.startswith(f"callback:{conversation.pk}:")


def test_no_callback_before_the_timeout(hours):
    hours(WEEKDAYS_8_TO_18, timeout=30)
    waiting_since(MONDAY_10H - timedelta(minutes=20))

    assert handoff_callbacks_offer(now=MONDAY_10H) == 0


def test_no_callback_out_of_business_hours(hours):
    hours(WEEKDAYS_8_TO_18)
    conversation = waiting_since(MONDAY_20H - timedelta(minutes=20))

    assert handoff_callbacks_offer(now=MONDAY_20H) == 0
    assert callback_offer(conversation=conversation, now=MONDAY_20H) is None
    assert not Outbox.objects.exists()


def test_no_callback_on_a_holiday(hours):
    """Tiradentes (21 April 2025) was a Monday: in the weekly hours, but the company is closed."""
    tiradentes_10h = datetime(2025, 4, 21, 10, 0, tzinfo=SP)
    hours(WEEKDAYS_8_TO_18)
    conversation = waiting_since(tiradentes_10h - timedelta(minutes=20))

    assert handoff_callbacks_offer(now=tiradentes_10h) == 0
    assert callback_offer(conversation=conversation, now=tiradentes_10h) is None
    assert handoff_callbacks_offer(now=tiradentes_10h + timedelta(days=1)) == 1  # Tuesday: open again


def test_no_callback_once_a_person_answered(hours):
    hours(WEEKDAYS_8_TO_18)
    conversation = waiting_since(MONDAY_10H - timedelta(minutes=20))
    said(conversation, "Oi, sou a Carla.", direction="out", sent_by="operator@acme.test")

    assert list(handoffs_without_answer(minutes=15, now=MONDAY_10H)) == []
    assert callback_offer(conversation=conversation, now=MONDAY_10H) is None


def test_a_new_handoff_may_get_a_new_offer(hours):
    hours({})  # no hours configured: always open
    conversation = waiting_since(MONDAY_10H - timedelta(minutes=20))
    assert callback_offer(conversation=conversation, now=MONDAY_10H) is not None

    conversation.status = "bot"
    conversation = conversation_handoff(conversation=conversation, reason="complaint", now=MONDAY_10H)

    assert callback_offer(conversation=conversation, now=MONDAY_10H + timedelta(minutes=20)) is not None
    assert Outbox.objects.count() == 2


def test_the_periodic_task_offers_the_callbacks_of_the_current_company(hours):
    hours({})
    waiting_since(timezone.now() - timedelta(minutes=20))

    assert handoff_callbacks_task() == 1
    assert handoff_callbacks_task() == 0


def test_the_inbox_and_the_queue_are_documented(acme, api):
    response = api(acme, "owner").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "get" in paths["/api/conversations/"] and "get" in paths["/api/conversations/{id}/messages/"]
    for path in ("/api/conversations/{id}/reply/", "/api/conversations/{id}/handoff/",
                 "/api/conversations/{id}/hand-back/", "/api/dead-letters/{id}/reprocess/"):
        assert "post" in paths[path]
