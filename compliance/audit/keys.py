"""The audit trail's keys: HMAC keys that seal the entries, and the Ed25519 key that signs exports.

`AUDIT_HMAC_KEYS` lists "key_id:base64" pairs, current first. Every entry stores the id of
the key that sealed it, so after a rotation old entries still verify with their own key;
only the current key seals new ones. A key derived from SECRET_KEY (id "sk") always
verifies too, so a trail written before AUDIT_HMAC_KEYS was set stays verifiable, and it is
the current key while nothing is configured (local use).

The export signing key is derived from an HMAC key: a third party verifies an export with
the public key alone (`audit_public_keys`), and rotating the HMAC keys rotates it too.
"""

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DERIVED_KEY_ID = "sk"
MIN_KEY_BYTES = 16


def hmac_keys() -> dict[str, bytes]:
    """Every key that may verify an entry, by id; the current one first."""
    return dict(_ring(tuple(settings.AUDIT_HMAC_KEYS), settings.SECRET_KEY))


def current_key_id() -> str:
    return next(iter(hmac_keys()))


@lru_cache(maxsize=4)
def _ring(configured: tuple[str, ...], secret_key: str) -> tuple[tuple[str, bytes], ...]:
    ring: dict[str, bytes] = {}
    for item in configured:
        key_id, _, encoded = item.strip().partition(":")
        if not key_id or not encoded or key_id in ring:
            raise ImproperlyConfigured('AUDIT_HMAC_KEYS: use "id:base64,id:base64" with distinct ids.')
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"AUDIT_HMAC_KEYS: key {key_id!r} is not base64.") from exc
        if len(key) < MIN_KEY_BYTES:
            raise ImproperlyConfigured(f"AUDIT_HMAC_KEYS: key {key_id!r} is shorter than {MIN_KEY_BYTES} bytes.")
        ring[key_id] = key
    ring.setdefault(DERIVED_KEY_ID, hashlib.sha256(("secretaria-audit-hmac:" + secret_key).encode()).digest())
    return tuple(ring.items())


def signing_key(key_id: str) -> Ed25519PrivateKey:
    """The Ed25519 key that signs exports sealed under `key_id` (KeyError if unknown)."""
    seed = hmac.new(hmac_keys()[key_id], b"secretaria-audit-export-ed25519", hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(key_id: str) -> str:
    raw = signing_key(key_id).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def audit_public_keys() -> dict[str, str]:
    """The export verification keys (raw Ed25519, base64), by key id; the current one first."""
    return {key_id: public_key_b64(key_id) for key_id in hmac_keys()}
