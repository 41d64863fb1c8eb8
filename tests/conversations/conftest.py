import hashlib
import hmac
import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure, channel_default_ensure

META_SECRET = "meta-app-secret-de-teste"
META_PHONE_ID = "106540352242922"  # the phone_number_id of the contract examples


@pytest.fixture
def meta_settings(settings):
    settings.META_APP_SECRET = META_SECRET
    settings.META_VERIFY_TOKEN = "verifica-123"
    return settings


@pytest.fixture
def company_texts(acme):
    """For tests that run the engine without a pipeline: its fixed texts are the company's template slots
    (secretaria/texts.py), read in acme's schema, where none is edited (the shipped defaults)."""
    with schema_context(acme.schema_name):
        yield acme


def in_schema(company, fn):
    with schema_context(company.schema_name):
        return fn()


@pytest.fixture
def sandbox_secret(acme) -> str:
    """acme's inbound secret, with acme on the sandbox channel."""
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        return channel_default_ensure().inbound_secret


@pytest.fixture
def acme_on_meta(acme, meta_settings):
    with schema_context("acme"):
        channel_configure(kind="meta", phone_number_id=META_PHONE_ID, access_token="EAAG-token-de-teste")
    return acme


def post_json(client: Client, path: str, payload, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(path, data=body, content_type=headers.pop("content_type", "application/json"), **headers)


def meta_signature(body: bytes, secret: str = META_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_meta(payload, *, secret: str = META_SECRET):
    body = json.dumps(payload).encode()
    return Client(HTTP_HOST="localhost").post(
        "/webhook/meta", data=body, content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=meta_signature(body, secret),
    )
