"""Inbound webhooks: authenticate, store once, dead-letter what cannot be processed (S1-S3, R6, R9)."""

import json
import time

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.channels.whaticket import sign
from conversations.models import DeadLetter, Message
from tests.conversations import meta_payloads, whaticket_payloads
from tests.conversations.conftest import META_PHONE_ID, post_json, post_meta
from tests.conversations.factories import ContactFactory, MessageFactory

ACME = Client(HTTP_HOST="acme.localhost")


def stored(schema: str = "acme", **filters) -> int:
    with schema_context(schema):
        return Message.objects.filter(direction="in", **filters).count()


def dead_letters(schema: str = "acme") -> int:
    with schema_context(schema):
        return DeadLetter.objects.count()


def sandbox_message(text: str = "Oi, tudo bem?", id: str = "sbx-1") -> dict:
    return {"from": "5511912345678", "text": text, "id": id, "name": "Maria Souza"}


# --- sandbox ----------------------------------------------------------------------------

def test_a_sandbox_message_with_the_right_secret_is_stored(sandbox_secret):
    response = post_json(ACME, f"/webhook/sandbox/{sandbox_secret}", sandbox_message())

    assert response.status_code == 200
    assert stored(provider_message_id="sbx-1", state="received") == 1


def test_the_same_message_delivered_five_times_is_stored_once(sandbox_secret):
    for _ in range(5):
        response = post_json(ACME, f"/webhook/sandbox/{sandbox_secret}", sandbox_message(id="sbx-dup"))
        assert response.status_code == 200

    assert response.json()["status"] == "duplicate"
    assert stored(provider_message_id="sbx-dup") == 1


@pytest.mark.parametrize("secret", ["", "errado", "x" * 40])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(sandbox_secret, secret):
    response = post_json(ACME, f"/webhook/sandbox/{secret}" if secret else "/webhook/sandbox", sandbox_message())

    assert response.status_code == 401
    assert stored() == 0


def test_another_companys_secret_is_refused(sandbox_secret, globex):
    with schema_context("globex"):
        channel_configure(kind="sandbox")
        globex_secret = channel_default_ensure().inbound_secret

    response = post_json(ACME, f"/webhook/sandbox/{globex_secret}", sandbox_message())

    assert response.status_code == 401
    assert stored("acme") == 0 and stored("globex") == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe\x00{", "application/json", 400),
        (b'{"from": "5511912345678", "text": "oi"}', "text/plain", 415),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b'{"x": "' + b"a" * (2 * 1024 * 1024) + b'"}', "application/json", 413),
    ],
    ids=["malformed", "invalid-utf8", "wrong-content-type", "deep-brackets", "deep-objects", "not-object", "oversized"],
)
def test_bad_bodies_are_4xx_never_5xx(sandbox_secret, body, content_type, status):
    response = ACME.post(f"/webhook/sandbox/{sandbox_secret}", data=body, content_type=content_type)

    assert response.status_code == status
    assert stored() == 0


def test_a_signed_but_unprocessable_message_is_dead_lettered_and_others_keep_flowing(sandbox_secret):
    poison = post_json(ACME, f"/webhook/sandbox/{sandbox_secret}", {"from": "5511912345678", "text": ""})
    good = post_json(ACME, f"/webhook/sandbox/{sandbox_secret}", sandbox_message(id="sbx-after-poison"))

    assert poison.status_code == 202 and dead_letters() == 1
    assert good.status_code == 200 and stored(provider_message_id="sbx-after-poison") == 1


def test_sandbox_traffic_is_refused_when_the_company_uses_another_channel(sandbox_secret):
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="t")

    assert post_json(ACME, f"/webhook/sandbox/{sandbox_secret}", sandbox_message()).status_code == 401


# --- whaticket --------------------------------------------------------------------------

@pytest.fixture
def whaticket_secret(acme) -> str:
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="tok")
        return channel_default_ensure().inbound_secret


@pytest.mark.parametrize("wrapped", [False, True], ids=["raw", "wrapped"])
def test_whaticket_messages_raw_or_wrapped_are_stored(whaticket_secret, wrapped):
    payload = {"message": whaticket_payloads.TEXT} if wrapped else whaticket_payloads.TEXT

    response = post_json(ACME, f"/webhook/whaticket?token={whaticket_secret}", payload)

    assert response.status_code == 200
    assert stored(provider="whaticket", text="Quero marcar uma consulta amanhã") == 1


def test_whaticket_own_messages_and_groups_are_ignored(whaticket_secret):
    from_me = json.loads(json.dumps(whaticket_payloads.TEXT))
    from_me["key"]["fromMe"] = True

    response = post_json(ACME, f"/webhook/whaticket/{whaticket_secret}", from_me)

    assert response.status_code == 200 and stored() == 0


def test_whaticket_accepts_our_hmac_scheme(whaticket_secret):
    body = json.dumps(whaticket_payloads.TEXT).encode()
    timestamp = str(int(time.time()))

    response = ACME.post("/webhook/whaticket", data=body, content_type="application/json",
                         HTTP_X_SECRETARIA_TIMESTAMP=timestamp,
                         HTTP_X_SECRETARIA_SIGNATURE=sign(whaticket_secret, timestamp, body))

    assert response.status_code == 200 and stored() == 1


@pytest.mark.parametrize("age", [330, -330])  # clearly outside ±300 s, whatever the clock does meanwhile
def test_whaticket_hmac_outside_the_window_is_refused(whaticket_secret, age):
    body = json.dumps(whaticket_payloads.TEXT).encode()
    timestamp = str(int(time.time()) - age)

    response = ACME.post("/webhook/whaticket", data=body, content_type="application/json",
                         HTTP_X_SECRETARIA_TIMESTAMP=timestamp,
                         HTTP_X_SECRETARIA_SIGNATURE=sign(whaticket_secret, timestamp, body))

    assert response.status_code == 401 and stored() == 0


def test_whaticket_hmac_over_a_tampered_body_is_refused(whaticket_secret):
    body = json.dumps(whaticket_payloads.TEXT).encode()
    timestamp = str(int(time.time()))
    signature = sign(whaticket_secret, timestamp, body)

    response = ACME.post("/webhook/whaticket", data=body.replace(b"Maria", b"Mario"),
                         content_type="application/json",
                         HTTP_X_SECRETARIA_TIMESTAMP=timestamp, HTTP_X_SECRETARIA_SIGNATURE=signature)

    assert response.status_code == 401 and stored() == 0


# --- meta -------------------------------------------------------------------------------

def phone_number_id_of(payload: dict) -> str:
    return payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"]


def route_to_acme(payload: dict) -> None:
    """The contract examples come from several sources, each with its own number: own it."""
    with schema_context("acme"):
        channel_configure(kind="meta", phone_number_id=phone_number_id_of(payload), access_token="EAAG-x")


@pytest.mark.parametrize("name", sorted(meta_payloads.INBOUND_EXAMPLES))
def test_every_meta_example_signed_is_accepted_and_normalised(acme, meta_settings, name):
    payload = meta_payloads.INBOUND_EXAMPLES[name]
    route_to_acme(payload)

    response = post_meta(payload)

    assert response.status_code in (200, 202), response.content
    with schema_context("acme"):
        rows = Message.objects.filter(provider="meta").count() + DeadLetter.objects.count()
    assert rows >= 1


def test_a_meta_text_is_routed_to_the_company_that_owns_the_number(acme_on_meta, globex):
    response = post_meta(meta_payloads.TEXT)

    assert response.status_code == 200
    assert stored("acme", provider="meta", text="Does it come in another color?") == 1
    assert stored("globex") == 0


@pytest.mark.parametrize("secret", ["outro-segredo", ""])
def test_a_meta_notification_with_a_bad_signature_is_refused(acme_on_meta, secret):
    if secret:
        response = post_meta(meta_payloads.TEXT, secret=secret)
    else:
        response = post_json(Client(HTTP_HOST="localhost"), "/webhook/meta", meta_payloads.TEXT)

    assert response.status_code == 401
    assert stored("acme") == 0


def test_meta_redeliveries_store_one_message(acme_on_meta):
    for _ in range(5):
        assert post_meta(meta_payloads.TEXT).status_code == 200

    assert stored("acme", provider="meta") == 1


def test_meta_statuses_out_of_order_keep_the_most_advanced(acme, meta_settings):
    route_to_acme(meta_payloads.STATUS_READ)
    wamid = meta_payloads.STATUS_READ["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    with schema_context("acme"):
        MessageFactory(contact=ContactFactory(phone="16505551234"), outbound=True, provider="meta",
                       provider_message_id=wamid, delivery_status="sent")
    for name in ("status_read", "status_delivered", "status_sent"):
        payload = json.loads(json.dumps(meta_payloads.STATUS_EXAMPLES[name]))
        payload["entry"][0]["changes"][0]["value"]["statuses"][0]["id"] = wamid
        payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = phone_number_id_of(
            meta_payloads.STATUS_READ)
        assert post_meta(payload).status_code == 200

    with schema_context("acme"):
        assert Message.objects.get(provider_message_id=wamid).delivery_status == "read"


def test_the_meta_handshake_echoes_the_challenge_only_with_the_right_token(db, meta_settings):
    client = Client(HTTP_HOST="localhost")
    ok = client.get("/webhook/meta", {"hub.mode": "subscribe", "hub.verify_token": "verifica-123",
                                      "hub.challenge": "1158201444"})
    wrong = client.get("/webhook/meta", {"hub.mode": "subscribe", "hub.verify_token": "nao",
                                         "hub.challenge": "1158201444"})

    assert (ok.status_code, ok.content) == (200, b"1158201444")
    assert wrong.status_code == 403


def test_a_number_of_no_company_is_accepted_and_ignored(meta_settings, acme):
    response = post_meta(meta_payloads.TEXT)

    assert response.status_code == 200
    assert stored("acme") == 0


def test_the_channel_api_configures_meta_and_tells_the_webhook_url(api, acme, meta_settings):
    response = api(acme, "manager").put(
        "/api/channel", {"kind": "meta", "phone_number_id": META_PHONE_ID, "access_token": "EAAG-x"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["webhook_url"].endswith("/webhook/meta")
    assert "access_token" not in response.json()
    with schema_context("acme"):
        assert channel_default_ensure().access_token == "EAAG-x"
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT secrets FROM conversations_channel WHERE is_default")
            assert cursor.fetchone()[0].startswith("fernet:")  # stored encrypted


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_cannot_change_the_channel(api, acme, role):
    response = api(acme, role).put("/api/channel", {"kind": "sandbox"}, format="json")

    assert response.status_code == 403


def test_the_channel_api_requires_the_fields_of_each_kind(api, acme):
    response = api(acme, "owner").put("/api/channel", {"kind": "whaticket"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"base_url", "access_token"}


def test_a_hosted_platform_refuses_a_whaticket_inside_its_network(api, acme, settings):
    body = {"kind": "whaticket", "base_url": "http://127.0.0.1:8080", "access_token": "t"}
    settings.ALLOW_PRIVATE_BASE_URLS = False
    refused = api(acme, "owner").put("/api/channel", body, format="json")
    settings.ALLOW_PRIVATE_BASE_URLS = True
    accepted = api(acme, "owner").put("/api/channel", body, format="json")

    assert refused.status_code == 400 and "rede interna" in refused.json()["base_url"][0]
    assert accepted.status_code == 200


def test_a_meta_number_belongs_to_one_company_only(api, acme_on_meta, globex):
    response = api(globex, "owner").put(
        "/api/channel", {"kind": "meta", "phone_number_id": META_PHONE_ID, "access_token": "x"}, format="json")

    assert response.status_code == 409


def test_channels_start_as_sandbox_with_their_own_secret(acme, globex):
    with schema_context("acme"):
        acme_channel = channel_default_ensure()
    with schema_context("globex"):
        globex_channel = channel_default_ensure()
    assert acme_channel.inbound_secret != globex_channel.inbound_secret
    assert "sandbox" in (acme_channel.kind, globex_channel.kind)


def test_a_broker_outage_after_commit_still_answers_2xx(sandbox_secret, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    """The row is committed; the per-minute sweeper schedules it once Redis is back (R3)."""
    import redis

    from conversations.core import pipeline

    def redis_down(*_args, **_kwargs):
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(pipeline, "wakeup_schedule", redis_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(ACME, f"/webhook/sandbox/{sandbox_secret}", sandbox_message(id="sbx-broker-down"))

    assert response.status_code == 200
    assert stored(provider_message_id="sbx-broker-down", state="received") == 1
