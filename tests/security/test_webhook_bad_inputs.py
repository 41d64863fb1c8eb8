"""What the internet can send to a webhook, correctly authenticated or not: each gets its 4xx, never a
5xx (a provider retries a 5xx forever), and stores nothing. Every webhook the app serves is here:
the sandbox and Whaticket (a secret per channel, in the path), Cal.com (a signed body) on a company's
host, and Meta (a signed body) on the platform's host.

Text PostgreSQL cannot store (NUL, lone surrogates, NaN) is tests/security/test_webhook_bad_text.py.
"""

import hashlib
import hmac

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from agenda.models import CalendarConfig
from agenda.services.config import calendar_config, calendar_config_forget
from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.models import DeadLetter, Message

CALCOM_SECRET = "segredo-calcom-de-teste"
META_SECRET = "segredo-do-app-meta-de-teste"
VALID = b'{"from": "5511912345678", "id": "wamid.ok", "text": "oi"}'


class Webhook:
    """One webhook: where it is, and how a caller who knows its secret authenticates a body."""

    def __init__(self, host: str, path: str, *, sign=None):
        self.client = Client(HTTP_HOST=host)
        self.path, self.sign = path, sign

    def post(self, body: bytes, content_type: str = "application/json", *, path: str | None = None,
             signed: bool = True, **headers):
        if self.sign and signed:
            headers.update(self.sign(body))
        return self.client.generic("POST", path or self.path, body, content_type=content_type, **headers)


def _calcom_signature(body: bytes) -> dict:
    return {"HTTP_X_CAL_SIGNATURE_256": hmac.new(CALCOM_SECRET.encode(), body, hashlib.sha256).hexdigest()}


def _meta_signature(body: bytes) -> dict:
    digest = hmac.new(META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"HTTP_X_HUB_SIGNATURE_256": f"sha256={digest}"}


@pytest.fixture(params=["sandbox", "whaticket", "calcom", "meta"])
def webhook(request, acme, settings) -> Webhook:
    settings.META_APP_SECRET = META_SECRET
    kind = request.param
    with schema_context("acme"):
        if kind == "calcom":
            config = calendar_config()
            config.provider = CalendarConfig.Provider.CALCOM
            config.calcom_base_url, config.calcom_api_key = "http://127.0.0.1:9", "chave"
            config.calcom_webhook_secret = CALCOM_SECRET
            config.save()
            calendar_config_forget()
            return Webhook("acme.localhost", "/webhook/calcom", sign=_calcom_signature)
        if kind == "meta":
            return Webhook("localhost", "/webhook/meta", sign=_meta_signature)
        extra = {"base_url": "http://whaticket.test", "access_token": "tok"} if kind == "whaticket" else {}
        channel_configure(kind=kind, **extra)
        return Webhook("acme.localhost", f"/webhook/{kind}/{channel_default_ensure().inbound_secret}")


@pytest.fixture
def stored():
    """How many messages and dead letters acme has: a refused request adds to neither."""

    def count() -> tuple[int, int]:
        with schema_context("acme"):
            return Message.objects.count(), DeadLetter.objects.count()

    return count


def _unsigned_path(webhook: Webhook) -> str:
    return webhook.path.rsplit("/", 1)[0] + "/segredo-errado" if not webhook.sign else webhook.path


BAD_BODIES = {
    # name: (body, content type, status)
    "wrong content type": (VALID, "text/plain", 415),
    "form-encoded": (b"from=5511912345678&text=oi", "application/x-www-form-urlencoded", 415),
    "invalid JSON": (b'{"from": "5511912345678", "text": ', "application/json", 400),
    "a JSON array": (b"[1, 2, 3]", "application/json", 400),
    "a JSON string": (b'"oi"', "application/json", 400),
    "not UTF-8": ('{"text": "ol\u00e1"}'.encode("latin-1"), "application/json", 400),
    "nested too deep": (b'{"a": ' * 200 + b"1" + b"}" * 200, "application/json", 400),
    "blank": (b" ", "application/json", 400),
    # Django's test client sends no Content-Type with an empty body, as curl does with `-d ''`.
    "empty": (b"", "application/json", 415),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_an_authenticated_bad_body_is_a_4xx_and_stores_nothing(webhook, stored, case):
    body, content_type, expected = BAD_BODIES[case]
    before = stored()

    response = webhook.post(body, content_type)

    assert response.status_code == expected, response.content
    assert stored() == before


def test_a_body_over_the_limit_is_413_before_anything_else(webhook, stored):
    before = stored()
    huge = b'{"text": "' + b"a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'

    response = webhook.post(huge)

    assert response.status_code == 413
    assert stored() == before


def test_a_wrong_secret_or_signature_is_401_and_stores_nothing(webhook, stored):
    before = stored()

    if webhook.sign:
        response = webhook.post(VALID, HTTP_X_CAL_SIGNATURE_256="0" * 64, HTTP_X_HUB_SIGNATURE_256="sha256=" + "0" * 64,
                                signed=False)
    else:
        response = webhook.post(VALID, path=_unsigned_path(webhook))

    assert response.status_code == 401
    assert stored() == before


def test_a_missing_secret_or_signature_is_401(webhook):
    path = webhook.path.rsplit("/", 1)[0] if not webhook.sign else webhook.path

    assert webhook.post(VALID, path=path, signed=False).status_code == 401


@pytest.mark.parametrize("host, path", [
    ("acme.localhost", "/webhook/nao-existe/segredo"),
    ("acme.localhost", "/webhook/meta"),  # Meta's webhook is served on the platform's host only
    ("localhost", "/webhook/sandbox/segredo"),  # and the sandbox's on a company's host only
    ("localhost", "/webhook/calcom"),
    ("nao-existe.localhost", "/webhook/sandbox/segredo"),
])
def test_an_unknown_kind_or_host_is_a_4xx(db, host, path):
    response = Client(HTTP_HOST=host).post(path, VALID, content_type="application/json")

    assert 400 <= response.status_code < 500


def test_other_methods_are_a_4xx(webhook):
    for method in ("PUT", "PATCH", "DELETE"):
        assert 400 <= webhook.client.generic(method, webhook.path, VALID).status_code < 500, method
