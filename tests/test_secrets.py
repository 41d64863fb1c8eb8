"""Stored secrets are encrypted, and survive a key rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from conversations.services.channel import channel_configure, channel_get
from secretaria import crypto


def raw_token() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM conversations_channel")
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
        assert channel_get().access_token == "tok-secreto"
        # Without the old key (and without the derived one) the new ciphertext still reads.
        assert Fernet(new_key).decrypt(raw_token()[len("fernet:"):].encode()) == b"tok-secreto"


def test_a_secret_is_never_stored_in_clear(acme):
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://w.test", access_token="tok-em-claro")
        assert "tok-em-claro" not in raw_token()
