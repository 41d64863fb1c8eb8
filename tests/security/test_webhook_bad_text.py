"""Text PostgreSQL cannot store in an authenticated webhook body (issue 16, finding 7): a NUL or a lone
surrogate is stored cleaned, NaN/Infinity are refused with 400, on the sandbox, Whaticket and Cal.com,
over their real URLs. Never a 500 (a provider would retry it forever)."""

import copy
import hashlib
import hmac
import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from agenda.models import CalendarConfig
from agenda.services.config import calendar_config, calendar_config_forget
from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.models import DeadLetter, Message
from tests.conversations import whaticket_payloads

ACME = Client(HTTP_HOST="acme.localhost")
CALCOM_SECRET = "segredo-calcom-de-teste"
# Raw JSON text: json.dumps would never write a lone surrogate escape or NaN on its own.
NUL = r"oi\u0000 tudo bem?"
SURROGATE = r"oi \ud800 tudo bem?"


def post(path: str, body: str, **headers):
    return ACME.post(path, data=body.encode(), content_type="application/json", **headers)


def stored_text(provider_message_id: str) -> str:
    with schema_context("acme"):
        return Message.objects.get(direction="in", provider_message_id=provider_message_id).text


@pytest.fixture
def sandbox(acme) -> str:
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        return f"/webhook/sandbox/{channel_default_ensure().inbound_secret}"


@pytest.fixture
def whaticket(acme) -> str:
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="tok")
        return f"/webhook/whaticket/{channel_default_ensure().inbound_secret}"


@pytest.fixture
def calcom(acme):
    with schema_context("acme"):
        config = calendar_config()
        config.provider = CalendarConfig.Provider.CALCOM
        config.calcom_base_url = "http://127.0.0.1:9"
        config.calcom_api_key = "chave"
        config.calcom_webhook_secret = CALCOM_SECRET
        config.save()
        calendar_config_forget()

    def send(body: str):
        signature = hmac.new(CALCOM_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
        return post("/webhook/calcom", body, HTTP_X_CAL_SIGNATURE_256=signature)

    return send


def sandbox_body(text: str, message_id: str, extra: str = "") -> str:
    return f'{{"from": "5511912345678", "id": "{message_id}", "name": "Maria{extra}", "text": "{text}"}}'


def whaticket_body(text: str, message_id: str) -> str:
    payload = copy.deepcopy(whaticket_payloads.TEXT)
    payload["key"]["id"] = message_id
    payload["message"]["conversation"] = "@TEXT@"
    return json.dumps(payload).replace('"@TEXT@"', f'"{text}"')


# --- sandbox -------------------------------------------------------------------------------

def test_a_nul_in_a_sandbox_message_is_stored_without_it(sandbox):
    response = post(sandbox, sandbox_body(NUL, "sbx-nul", extra=r"\u0000"))

    assert response.status_code == 200, response.content
    assert stored_text("sbx-nul") == "oi tudo bem?"


def test_a_lone_surrogate_in_a_sandbox_message_is_stored_replaced(sandbox):
    response = post(sandbox, sandbox_body(SURROGATE, "sbx-surrogate"))

    assert response.status_code == 200, response.content
    assert stored_text("sbx-surrogate") == "oi \ufffd tudo bem?"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_in_a_sandbox_body_is_refused_with_400(sandbox, constant):
    body = f'{{"from": "5511912345678", "id": "sbx-nan", "text": "oi", "score": {constant}}}'

    response = post(sandbox, body)

    assert response.status_code == 400
    assert constant.lstrip("-") in response.json()["detail"]


# --- Whaticket -----------------------------------------------------------------------------

def test_a_nul_in_a_whaticket_message_is_stored_without_it(whaticket):
    response = post(whaticket, whaticket_body(NUL, "WT-NUL-1"))

    assert response.status_code == 200, response.content
    assert stored_text("WT-NUL-1") == "oi tudo bem?"


def test_a_lone_surrogate_in_a_whaticket_message_is_stored_replaced(whaticket):
    response = post(whaticket, whaticket_body(SURROGATE, "WT-SUR-1"))

    assert response.status_code == 200, response.content
    assert stored_text("WT-SUR-1") == "oi \ufffd tudo bem?"


def test_nan_in_a_whaticket_body_is_refused_with_400(whaticket):
    body = whaticket_body("oi", "WT-NAN-1").replace('"broadcast": false', '"broadcast": NaN')

    assert "NaN" in body
    assert post(whaticket, body).status_code == 400


# --- Cal.com -------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_bad_text_in_a_calcom_body_is_kept_cleaned_not_a_500(calcom, text):
    # A trigger we do not know is acknowledged; one without a triggerEvent is dead-lettered with
    # its payload, a JSON column PostgreSQL refuses a \u0000 in.
    ignored = calcom(f'{{"triggerEvent": "{text}", "payload": {{"title": "{text}"}}}}')
    dead = calcom(f'{{"payload": {{"title": "{text}", "attendees": [{{"name": "{text}"}}]}}}}')

    assert ignored.status_code == 200, ignored.content
    assert dead.status_code == 202, dead.content
    with schema_context("acme"):
        payload = DeadLetter.objects.get(source="webhook:calcom").payload
    assert "\x00" not in payload["payload"]["title"] and payload["payload"]["title"].startswith("oi")


def test_nan_in_a_calcom_body_is_refused_with_400(calcom):
    assert calcom('{"triggerEvent": "BOOKING_CREATED", "payload": {"price": NaN}}').status_code == 400
