"""Several channels per company (`/api/channels`): each with its own URL and secret; a conversation
belongs to the channel its first message came in on and every reply leaves through it."""

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.models import Channel
from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.core.ingest import inbound_store
from conversations.core.outbox import outbox_send, reply_create
from conversations.core.pipeline import conversation_reply
from conversations.core.sessions import conversation_current
from conversations.models import Conversation, DeadLetter, Message, Outbox
from tests.conversations.conftest import post_json
from tests.conversations.factories import ChannelFactory, ContactFactory, ConversationFactory

ACME = Client(HTTP_HOST="acme.localhost")
WHATICKET = {"kind": "whaticket", "name": "Unidade Centro", "base_url": "https://w.example.com", "token": "tok-centro"}


@pytest.fixture
def no_debounce(settings):
    settings.DEBOUNCE_SECONDS = 0


def secret_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def sandbox_message(text: str, id: str, phone: str = "5511912345678") -> dict:
    return {"from": phone, "text": text, "id": id, "name": "Maria"}


# --- the API ----------------------------------------------------------------------------------

def test_a_manager_adds_a_second_number_with_its_own_webhook_url_and_secret(api, acme):
    response = api(acme, "manager").post("/api/channels", WHATICKET, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["name"], body["is_default"], body["enabled"]) == (
        "whaticket", "Unidade Centro", False, True)
    assert body["has_credentials"] and "tok-centro" not in response.content.decode()
    listed = api(acme, "manager").get("/api/channels").json()
    assert [c["kind"] for c in listed] == ["sandbox", "whaticket"]  # the default first
    urls = {c["webhook_url"] for c in listed}
    assert len(urls) == 2 and body["webhook_url"] in urls
    assert body["webhook_url"].startswith("http://acme.localhost/webhook/whaticket/")


def test_put_channel_keeps_editing_the_default_and_answers_the_same_shape_as_post(api, acme):
    created = api(acme, "owner").post("/api/channels", WHATICKET, format="json").json()
    put = api(acme, "owner").put("/api/channel", {"kind": "whaticket", "base_url": "https://x.example.com",
                                                  "token": "t"}, format="json").json()

    assert set(put) == set(created)
    assert put["is_default"] and put["id"] != created["id"]
    assert api(acme, "owner").get("/api/channel").json()["id"] == put["id"]


def test_patch_changes_only_what_it_names_and_keeps_the_secret(api, acme):
    created = api(acme, "manager").post("/api/channels", WHATICKET, format="json").json()

    patched = api(acme, "manager").patch(f"/api/channels/{created['id']}", {"name": "Recepção"}, format="json")

    assert patched.status_code == 200 and patched.json()["name"] == "Recepção"
    with schema_context("acme"):
        channel = Channel.objects.get(pk=created["id"])
        assert (channel.base_url, channel.access_token) == ("https://w.example.com", "tok-centro")


def test_bad_input_is_a_clear_400_in_portuguese(api, acme):
    client = api(acme, "manager")

    unknown = client.post("/api/channels", {"kind": "telegram"}, format="json")
    missing = client.post("/api/channels", {"kind": "meta"}, format="json")
    bad_url = client.post("/api/channels", {**WHATICKET, "base_url": "ftp://x"}, format="json")

    assert unknown.status_code == 400 and "Tipo de canal desconhecido" in unknown.json()["kind"][0]
    assert missing.status_code == 400 and set(missing.json()) == {"phone_number_id", "access_token"}
    assert bad_url.status_code == 400 and "base_url" in bad_url.json()


def test_making_another_channel_the_default_moves_the_flag(api, acme):
    created = api(acme, "manager").post("/api/channels", WHATICKET, format="json").json()

    api(acme, "manager").patch(f"/api/channels/{created['id']}", {"is_default": True}, format="json")

    listed = api(acme, "manager").get("/api/channels").json()
    assert [(c["id"], c["is_default"]) for c in listed][0] == (created["id"], True)
    assert sum(c["is_default"] for c in listed) == 1
    refused = api(acme, "manager").patch(f"/api/channels/{created['id']}", {"is_default": False}, format="json")
    assert refused.status_code == 400


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_cannot_see_or_change_channels(api, acme, role):
    assert api(acme, role).get("/api/channels").status_code == 403
    assert api(acme, role).post("/api/channels", WHATICKET, format="json").status_code == 403


def test_another_companys_channel_is_not_found(api, acme, globex):
    created = api(acme, "owner").post("/api/channels", WHATICKET, format="json").json()

    assert api(globex, "owner").get(f"/api/channels/{created['id']}").status_code == 404
    assert api(globex, "owner").delete(f"/api/channels/{created['id']}").status_code == 404


def test_an_unused_channel_is_removed_the_default_and_used_ones_are_not(api, acme, no_debounce):
    client = api(acme, "owner")
    unused = client.post("/api/channels", WHATICKET, format="json").json()
    used = client.post("/api/channels", {"kind": "sandbox", "name": "Simulador"}, format="json").json()
    post_json(ACME, f"/webhook/sandbox/{secret_of(used['webhook_url'])}", sandbox_message("oi", "sbx-used"))
    default = client.get("/api/channel").json()

    assert client.delete(f"/api/channels/{unused['id']}").status_code == 204
    assert client.delete(f"/api/channels/{used['id']}").status_code == 409
    assert client.delete(f"/api/channels/{default['id']}").status_code == 400


# --- routing messages by channel --------------------------------------------------------------

def test_each_channel_authenticates_with_its_own_secret_and_stores_its_messages(api, acme):
    second = api(acme, "owner").post("/api/channels", {"kind": "sandbox", "name": "Segundo"}, format="json").json()
    with schema_context("acme"):
        first = channel_default_ensure()

    assert post_json(ACME, f"/webhook/sandbox/{first.inbound_secret}", sandbox_message("a", "sbx-a")).status_code == 200
    assert post_json(ACME, f"/webhook/sandbox/{secret_of(second['webhook_url'])}",
                     sandbox_message("b", "sbx-b")).status_code == 200

    with schema_context("acme"):
        assert Message.objects.get(provider_message_id="sbx-a").channel_id == first.pk
        assert Message.objects.get(provider_message_id="sbx-b").channel_id == second["id"]


def test_a_reply_leaves_through_the_channel_the_customer_wrote_on(acme, no_debounce):
    with schema_context("acme"):
        second = ChannelFactory(name="Segundo")
        message = receive("Oi, bom dia!", "sbx-on-second", channel=second)

        conversation_reply(contact_id=message.contact_id)

        reply = Message.objects.get(direction="out", contact_id=message.contact_id)
        assert reply.channel_id == second.pk
        assert Conversation.objects.get(contact_id=message.contact_id).channel_id == second.pk


def test_writing_to_another_number_moves_the_conversation_there(acme, no_debounce):
    with schema_context("acme"):
        first, second = channel_default_ensure(), ChannelFactory(name="Segundo")
        conversation_reply(contact_id=receive("Oi", "sbx-m1", channel=first).contact_id)
        contact_id = receive("Quanto custa?", "sbx-m2", channel=second).contact_id
        conversation_reply(contact_id=contact_id)

        conversations = list(Conversation.objects.filter(contact_id=contact_id).order_by("id"))
        assert [(c.channel_id, c.status) for c in conversations] == [(first.pk, "closed"), (second.pk, "bot")]
        last_reply = Message.objects.filter(direction="out", contact_id=contact_id).latest("id")
        assert last_reply.channel_id == second.pk


def test_automations_use_the_contacts_last_channel_or_else_the_default(acme):
    with schema_context("acme"):
        first, second = channel_default_ensure(), ChannelFactory(name="Segundo")
        known, stranger = ContactFactory(), ContactFactory()
        ConversationFactory(contact=known, channel=second, status="closed")

        to_known = reply_create(contact=known, conversation=None, text="Lembrete", idempotency_key="k1")
        to_stranger = reply_create(contact=stranger, conversation=None, text="Oferta", idempotency_key="k2")

        assert to_known.message.channel_id == second.pk
        assert to_stranger.message.channel_id == first.pk


def test_a_disabled_channel_refuses_its_webhooks_and_dead_letters_its_pending_sends(
        api, acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        second = ChannelFactory(name="Segundo")
        contact = ContactFactory()
        conversation = conversation_current(contact=contact, channel_id=second.pk)
        pending = reply_create(contact=contact, conversation=conversation, text="Olá", idempotency_key="k3")

    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme, "owner").patch(f"/api/channels/{second.pk}", {"enabled": False}, format="json")

    assert response.status_code == 200 and response.json()["enabled"] is False
    refused = post_json(ACME, f"/webhook/sandbox/{second.inbound_secret}", sandbox_message("oi", "sbx-off"))
    assert refused.status_code == 404
    with schema_context("acme"):
        assert not Message.objects.filter(provider_message_id="sbx-off").exists()
        assert Outbox.objects.get(pk=pending.pk).state == "failed"
        dead = DeadLetter.objects.get(source="send", payload={"outbox_id": pending.pk})
        assert "canal desativado" in dead.reason and dead.channel_id == second.pk


def test_a_send_found_for_a_disabled_channel_is_dead_lettered_not_sent_elsewhere(acme):
    with schema_context("acme"):
        second = ChannelFactory(name="Segundo")
        contact = ContactFactory()
        conversation = conversation_current(contact=contact, channel_id=second.pk)
        outbox = reply_create(contact=contact, conversation=conversation, text="Olá", idempotency_key="k4")
        Channel.objects.filter(pk=second.pk).update(enabled=False)
        from secretaria.settings_cache import forget

        forget()

        assert outbox_send(outbox_id=outbox.pk) == "failed"
        assert "canal desativado" in Outbox.objects.get(pk=outbox.pk).last_error


def test_a_meta_number_of_another_company_is_refused(api, acme, globex):
    meta = {"kind": "meta", "phone_number_id": "5550009999", "access_token": "EAAG-a"}
    assert api(acme, "owner").post("/api/channels", meta, format="json").status_code == 201

    response = api(globex, "owner").post("/api/channels", meta, format="json")

    assert response.status_code == 409 and "outra empresa" in response.json()["phone_number_id"][0]


def test_the_old_single_channel_call_still_configures_the_default(acme):
    with schema_context("acme"):
        channel = channel_configure(kind="whaticket", base_url="https://w.example.com", access_token="tok")

        assert channel.is_default and Channel.objects.filter(is_default=True).get().kind == "whaticket"


def receive(text: str, id: str, *, channel: Channel, phone: str = "5511955550001") -> Message:
    return inbound_store(channel_id=channel.pk, message=InboundMessage(
        provider=channel.kind, provider_message_id=id, sender=phone, sender_name="Bia", kind=MessageKind.TEXT,
        text=text, timestamp=timezone.now()))


def test_a_webhook_decided_with_stale_settings_is_decided_again_with_the_current_ones(acme, no_debounce):
    """A process that last saw acme's channels before another process rotated the secret: the first
    webhook with the new secret is stored, the old secret refused (no TTL window)."""
    from secretaria.redis_client import get_redis
    from secretaria.settings_cache import settings_version_key

    with schema_context("acme"):
        channel = channel_default_ensure()
        old_secret = channel.inbound_secret
    assert post_json(ACME, f"/webhook/sandbox/{old_secret}", sandbox_message("a", "sbx-st1")).status_code == 200
    # What another process's rotation does: a new secret committed, a new version in Redis. This
    # process keeps its cached channels (nothing told it).
    with schema_context("acme"):
        Channel.objects.filter(pk=channel.pk).update(inbound_secret="segredo-novo-de-outro-processo")
        get_redis().set(settings_version_key(), "changed-elsewhere")

    fresh = post_json(ACME, "/webhook/sandbox/segredo-novo-de-outro-processo", sandbox_message("b", "sbx-st2"))
    stale = post_json(ACME, f"/webhook/sandbox/{old_secret}", sandbox_message("c", "sbx-st3"))

    assert (fresh.status_code, stale.status_code) == (200, 401)
    with schema_context("acme"):
        assert set(Message.objects.filter(provider_message_id__startswith="sbx-st").values_list(
            "provider_message_id", flat=True)) == {"sbx-st1", "sbx-st2"}
