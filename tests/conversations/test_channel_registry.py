"""A channel defined only in the tests (echo_channel.py) plugs in through the registry alone: it is
configured through the API, receives on its own webhook URL, replies and dead-letters."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from conversations.channels.registry import channel_spec, register_channel, unregister_channel
from conversations.core.dead_letters import dead_letter_reprocess
from conversations.core.pipeline import conversation_reply
from conversations.models import DeadLetter, Message
from tests.conversations import echo_channel
from tests.conversations.conftest import post_json

ACME = Client(HTTP_HOST="acme.localhost")


@pytest.fixture
def eco(settings):
    settings.DEBOUNCE_SECONDS = 0
    register_channel(echo_channel.SPEC)  # the one registry line
    echo_channel.SENT.clear()
    yield echo_channel
    unregister_channel("eco")


@pytest.fixture
def eco_channel(eco, api, acme) -> dict:
    response = api(acme, "owner").post("/api/channels", {"kind": "eco", "name": "Eco", "endpoint": "https://eco.test",
                                                         "api_key": "chave-eco"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_kind_is_configured_through_the_api_with_its_own_fields(eco_channel, api, acme):
    assert eco_channel["config"] == {"endpoint": "https://eco.test"} and eco_channel["has_credentials"]
    assert "chave-eco" not in str(eco_channel)
    refused = api(acme, "owner").post("/api/channels", {"kind": "eco", "endpoint": "http://x"}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"endpoint", "api_key"}


def test_a_message_in_gets_its_reply_out_through_the_same_channel(eco_channel, django_capture_on_commit_callbacks):
    secret = eco_channel["webhook_url"].rsplit("/", 1)[-1]

    response = post_json(ACME, f"/webhook/eco/{secret}", {"de": "5511912340001", "texto": "Oi, bom dia!", "id": "e1"})

    assert response.status_code == 200
    with schema_context("acme"):
        message = Message.objects.get(provider_message_id="e1")
        assert (message.provider, message.channel_id) == ("eco", eco_channel["id"])
        with django_capture_on_commit_callbacks(execute=True):  # the reply is sent once its row commits
            conversation_reply(contact_id=message.contact_id)
        reply = Message.objects.get(direction="out", contact_id=message.contact_id)
        assert reply.channel_id == eco_channel["id"] and reply.outbox.state == "sent"
    [sent] = echo_channel.SENT
    assert (sent["endpoint"], sent["key"], sent["to"]) == ("https://eco.test", "chave-eco", "5511912340001")
    assert "Acme" in sent["body"]


def test_a_wrong_secret_is_refused_and_an_unreadable_body_is_dead_lettered(eco_channel):
    secret = eco_channel["webhook_url"].rsplit("/", 1)[-1]

    assert post_json(ACME, "/webhook/eco/errado", {"de": "5511912340002", "texto": "x"}).status_code == 401
    response = post_json(ACME, f"/webhook/eco/{secret}", {"de": "abc"})

    assert response.status_code == 202
    with schema_context("acme"):
        dead = DeadLetter.objects.get(source="webhook:eco")
        assert dead.channel_id == eco_channel["id"] and "obrigatórios" in dead.reason
        with pytest.raises(ValidationError, match="ainda não pode ser processado"):
            dead_letter_reprocess(dead_letter=dead)


def test_a_send_the_provider_refuses_is_dead_lettered(eco_channel, django_capture_on_commit_callbacks):
    secret = eco_channel["webhook_url"].rsplit("/", 1)[-1]
    post_json(ACME, f"/webhook/eco/{secret}", {"de": "5511912340000", "texto": "Oi", "id": "e2"})

    with schema_context("acme"):
        message = Message.objects.get(provider_message_id="e2")
        with django_capture_on_commit_callbacks(execute=True):
            conversation_reply(contact_id=message.contact_id)

        dead = DeadLetter.objects.get(source="send")
        assert "número inexistente" in dead.reason and dead.channel_id == eco_channel["id"]


def test_unregistered_the_kind_is_gone_everywhere(eco, acme):
    unregister_channel("eco")

    assert channel_spec("eco") is None
    assert post_json(ACME, "/webhook/eco/x", {"de": "1", "texto": "x"}).status_code == 404
