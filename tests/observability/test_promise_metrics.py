"""The metrics the promises' alerts read, counted where the thing happens (docs/alerts.md, "New metrics"):
reply latency, send retries, dead letters, reminder lag (the breaker's gauge: tests/conversations/
test_llm_service.py; the queue age: test_queue_age.py)."""

import httpx
import pytest
import respx
from django.utils import timezone
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from conversations.channels.base import InboundMessage, MessageKind, TransientChannelError
from conversations.channels.services import channel_configure
from conversations.core.ingest import dead_letter_record, inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import Outbox
from conversations.tasks import outbox_send_task

WHATICKET_SEND = "http://whaticket.test/api/messages/send"


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(autouse=True)
def no_debounce(settings):
    settings.DEBOUNCE_SECONDS = 0


def receive(text: str, id: str):
    return inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=id, sender="5511912345678", sender_name="Maria Souza",
        kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))


def test_an_answered_burst_observes_the_reply_latency(acme):
    before = value("secretaria_reply_latency_seconds_count")
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        message = receive("oi", "lat-1")
        assert conversation_reply(contact_id=message.contact_id).status == "answered"
    assert value("secretaria_reply_latency_seconds_count") == before + 1


@respx.mock
def test_a_send_put_back_after_a_transient_error_is_counted_as_a_retry(acme):
    respx.post(WHATICKET_SEND).mock(return_value=httpx.Response(503))
    before = value("secretaria_outbox_retries_total")
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="tok")
        message = receive("oi", "retry-1")
        conversation_reply(contact_id=message.contact_id)
        outbox = Outbox.objects.get(message__contact=message.contact)
        with pytest.raises(TransientChannelError):
            outbox_send_task(outbox.pk)  # the task's first attempt: Celery would retry it
    assert value("secretaria_outbox_retries_total") == before + 1
    assert value("secretaria_whaticket_errors_total", company="acme") >= 1


def test_a_dead_letter_is_counted_under_its_company_once_committed(acme, django_capture_on_commit_callbacks):
    before = value("secretaria_dead_letters_total", company="acme")
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=False) as pending:
        dead_letter_record(source="reply", reason="teste", payload={})
    assert value("secretaria_dead_letters_total", company="acme") == before  # not before the commit
    for callback in pending:
        callback()
    assert value("secretaria_dead_letters_total", company="acme") == before + 1
    assert value("secretaria_dead_letters_total", company="globex") == 0
