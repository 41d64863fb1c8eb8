"""Encryption of stored secrets (channel tokens, LLM keys) with a rotatable key list.

`FERNET_KEYS` holds one or more keys, newest first: new values are encrypted with
the first, and every key can still decrypt. To rotate, put a new key in front,
run `manage.py secrets_rotate` (re-encrypts every stored secret), then drop the
old key. Without FERNET_KEYS a key is derived from SECRET_KEY, good for local use.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    # The key derived from SECRET_KEY always comes last: secrets written before
    # FERNET_KEYS was set stay readable, and `secrets_rotate` moves them to the new key.
    keys = [*settings.FERNET_KEYS, _derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


def _derived_key() -> str:
    digest = hashlib.sha256(("secretaria-fernet:" + settings.SECRET_KEY).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        return value  # written before encryption was switched on
    try:
        return _fernet().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with the configured FERNET_KEYS") from exc


def rotate(value: str) -> str:
    """Re-encrypt with the newest key (MultiFernet.rotate)."""
    if not value.startswith(PREFIX):
        return encrypt(value)
    return PREFIX + _fernet().rotate(value[len(PREFIX):].encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code only ever sees the plain text."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)
