"""The reply pipeline, run in-process: one answer per burst, sent once, nothing left behind."""

from datetime import timedelta

import httpx
import pytest
import respx
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.outbox import outbox_send
from conversations.core.pipeline import conversation_reply, pipeline_sweep
from conversations.models import Contact, Conversation, Message, Outbox


@pytest.fixture(autouse=True)
def no_debounce(settings):
    settings.DEBOUNCE_SECONDS = 0


def receive(text: str, id: str, phone: str = "5511912345678") -> Message:
    return inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=id, sender=phone, sender_name="Maria Souza",
        kind=MessageKind.TEXT, text=text, timestamp=timezone.now(),
    ))


@pytest.fixture
def in_acme(acme):
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        yield acme


def replies(contact: Contact) -> list[Message]:
    return list(Message.objects.filter(contact=contact, direction="out"))


def test_a_greeting_gets_one_reply_in_the_companys_name(in_acme):
    message = receive("Oi, bom dia!", "m1")

    assert conversation_reply(contact_id=message.contact_id).status == "answered"
    [reply] = replies(message.contact)
    assert "Acme" in reply.text and "Maria" in reply.text
    assert Message.objects.get(pk=message.pk).state == "answered"


def test_messages_typed_in_fragments_are_answered_together_once(in_acme):
    first = receive("oi", "f1")
    receive("queria marcar", "f2")
    receive("um horário amanhã", "f3")

    conversation_reply(contact_id=first.contact_id)
    conversation_reply(contact_id=first.contact_id)

    assert len(replies(first.contact)) == 1
    assert set(Message.objects.filter(direction="in").values_list("state", flat=True)) == {"answered"}


def test_a_contact_still_typing_is_waited_for(in_acme, settings):
    settings.DEBOUNCE_SECONDS = 30
    message = receive("oi", "t1")

    outcome = conversation_reply(contact_id=message.contact_id)

    assert outcome.status == "wait" and 0 < outcome.retry_in <= 30
    assert replies(message.contact) == []


def test_the_outbox_sends_once_even_when_the_task_runs_twice(in_acme):
    message = receive("oi", "o1")
    conversation_reply(contact_id=message.contact_id)
    outbox = Outbox.objects.get(message__contact=message.contact)

    assert outbox_send(outbox_id=outbox.pk) == "sent"
    assert outbox_send(outbox_id=outbox.pk) == "skipped"
    outbox.refresh_from_db()
    assert (outbox.state, outbox.attempts) == ("sent", 1)
    assert outbox.message.provider_message_id.startswith("sbx-out-")


def test_asking_for_a_human_hands_the_conversation_over_and_the_bot_goes_quiet(in_acme):
    first = receive("Quero falar com um atendente", "h1")
    conversation_reply(contact_id=first.contact_id)
    later = receive("Alguém aí?", "h2")

    assert conversation_reply(contact_id=later.contact_id).status == "skipped"
    conversation = Conversation.objects.get(contact=first.contact)
    assert conversation.status == "handoff" and conversation.handoff_reason == "human_request"
    assert len(replies(first.contact)) == 1


def test_the_sweeper_recovers_messages_a_dead_worker_left_in_processing(in_acme):
    message = receive("oi", "s1")
    Message.objects.filter(pk=message.pk).update(state="processing",
                                                 processed_at=timezone.now() - timedelta(minutes=5))

    assert pipeline_sweep() == 1
    assert Message.objects.get(pk=message.pk).state == "received"
    assert conversation_reply(contact_id=message.contact_id).status == "answered"


def test_an_idle_session_is_closed_and_a_new_one_opened(in_acme):
    first = receive("oi", "i1")
    conversation_reply(contact_id=first.contact_id)
    Conversation.objects.update(last_activity_at=timezone.now() - timedelta(minutes=31))
    second = receive("oi de novo", "i2")

    conversation_reply(contact_id=second.contact_id)

    assert list(Conversation.objects.order_by("id").values_list("status", flat=True)) == ["closed", "bot"]


@respx.mock
def test_a_whaticket_company_replies_through_the_send_api(acme):
    route = respx.post("http://whaticket.test/api/messages/send").mock(
        return_value=httpx.Response(200, json={"message": "Message sent"}))
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="tok-123")
        message = receive("oi", "w1")
        conversation_reply(contact_id=message.contact_id)
        outbox = Outbox.objects.get(message__contact=message.contact)

        assert outbox_send(outbox_id=outbox.pk) == "sent"
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer tok-123"
    assert b'"number":"5511912345678"' in request.content.replace(b" ", b"")


@respx.mock
def test_a_transient_send_error_leaves_the_reply_pending_for_a_retry(acme):
    respx.post("http://whaticket.test/api/messages/send").mock(return_value=httpx.Response(503))
    from conversations.channels.base import TransientChannelError

    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="tok")
        message = receive("oi", "r1")
        conversation_reply(contact_id=message.contact_id)
        outbox = Outbox.objects.get(message__contact=message.contact)
        with pytest.raises(TransientChannelError):
            outbox_send(outbox_id=outbox.pk)
        outbox.refresh_from_db()
        assert outbox.state == "pending" and outbox.attempts == 1


def test_the_sweeper_resends_replies_whose_sender_died_or_whose_task_was_lost(in_acme):
    from conversations.core.pipeline import outbox_sweep

    message = receive("oi", "sw1")
    conversation_reply(contact_id=message.contact_id)
    outbox = Outbox.objects.get(message__contact=message.contact)
    Outbox.objects.filter(pk=outbox.pk).update(state="sending", attempted_at=timezone.now() - timedelta(minutes=6))

    assert outbox_sweep() == 1
    outbox.refresh_from_db()
    assert outbox.state == "pending"
    assert outbox_send(outbox_id=outbox.pk) == "sent"


def sweep_sees(outbox: Outbox, **state) -> tuple[int, str]:
    """(rows the sweeper enqueued, the row's state after it) for `outbox` put in `state`."""
    from conversations.core.pipeline import outbox_sweep

    Outbox.objects.filter(pk=outbox.pk).update(**state)
    enqueued = outbox_sweep()
    outbox.refresh_from_db()
    return enqueued, outbox.state


def minutes_ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def test_an_attempt_in_flight_on_an_old_reply_is_left_alone(in_acme):
    """Retried for ten minutes, now being sent again: taking it back would send it twice."""
    message = receive("oi", "sw2")
    conversation_reply(contact_id=message.contact_id)
    outbox = Outbox.objects.get(message__contact=message.contact)

    assert sweep_sees(outbox, state="sending", attempts=5, created_at=minutes_ago(10),
                      attempted_at=minutes_ago(0.5)) == (0, "sending")


def test_a_retry_waiting_out_its_backoff_is_not_sent_early_but_a_lost_one_is(in_acme):
    message = receive("oi", "sw3")
    conversation_reply(contact_id=message.contact_id)
    outbox = Outbox.objects.get(message__contact=message.contact)

    waiting = sweep_sees(outbox, state="pending", attempts=3, created_at=minutes_ago(10), attempted_at=minutes_ago(3))
    lost = sweep_sees(outbox, state="pending", attempts=3, created_at=minutes_ago(20), attempted_at=minutes_ago(7))

    assert waiting == (0, "pending") and lost == (1, "pending")


def test_a_reply_whose_first_send_was_never_published_is_sent_after_a_minute(in_acme):
    message = receive("oi", "sw4")
    conversation_reply(contact_id=message.contact_id)
    outbox = Outbox.objects.get(message__contact=message.contact)

    fresh = sweep_sees(outbox, state="pending", attempts=0, attempted_at=None, created_at=minutes_ago(0.2))
    lost = sweep_sees(outbox, state="pending", attempts=0, attempted_at=None, created_at=minutes_ago(2))

    assert fresh == (0, "pending") and lost == (1, "pending")
