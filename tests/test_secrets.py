"""Stored secrets are encrypted, and survive a key rotation."""

import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure, channel_default_ensure
from secretaria import crypto
from tenants.management.commands.secrets_rotate import encrypted_columns


def raw_token() -> str:
    """The channel's stored credentials, as PostgreSQL holds them (an encrypted JSON object)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM conversations_channel WHERE is_default")
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def fresh_keys():
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


def test_a_rotation_re_encrypts_with_the_new_key_and_the_old_key_can_then_go(acme, settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old_key]
    crypto._fernet.cache_clear()
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://w.test", access_token="tok-secreto")
        before = raw_token()

    settings.FERNET_KEYS = [new_key, old_key]
    crypto._fernet.cache_clear()
    call_command("secrets_rotate")
    settings.FERNET_KEYS = [new_key]
    crypto._fernet.cache_clear()

    with schema_context("acme"):
        assert raw_token() != before and raw_token().startswith("fernet:")
        assert channel_default_ensure().access_token == "tok-secreto"
        # Without the old key (and without the derived one) the new ciphertext still reads.
        assert json.loads(Fernet(new_key).decrypt(raw_token()[len("fernet:"):].encode())) == {
            "access_token": "tok-secreto"}


def test_a_secret_is_never_stored_in_clear(acme):
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://w.test", access_token="tok-em-claro")
        assert "tok-em-claro" not in raw_token()


def test_every_encrypted_column_of_every_company_model_is_rotated():
    """Found through the app registry: a secret added anywhere (the Cal.com keys too) is rotated."""
    columns = {table: set(names) for table, _pk, names in encrypted_columns()}

    assert columns["conversations_channel"] == {"secrets", "inbound_secret"}
    assert columns["conversations_llmconfig"] == {"api_key"}
    assert columns["agenda_calendarconfig"] == {"calcom_api_key", "calcom_webhook_secret"}
