"""Our own webhook authentication, for channels whose provider never signs what it sends
(Whaticket: docs/contracts/whaticket.md §1.5; the sandbox). Each channel has its own secret.

Two mechanisms:

- `token_valid`: the secret token in the webhook URL path/query — all a stock
  Whaticket integration can send, since it posts to a fixed URL with no extra headers;
- `sign` / `signature_valid`: our HMAC scheme for senders that can sign (a relay,
  n8n, a patched fork). The MAC covers a timestamp so a captured request cannot be
  replayed outside a ±300 s window (docs/reliability.md, "Signed endpoints").

Signature = "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + raw body)),
timestamp = integer Unix seconds, sent in the two headers below.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Secretaria-Signature"
TIMESTAMP_HEADER = "X-Secretaria-Timestamp"
SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE = 300
_MAX_TIMESTAMP_DIGITS = 12  # beyond the year 33658: certainly not a Unix time in seconds
_HEX_DIGITS = frozenset("0123456789abcdef")


def sign(secret: str, timestamp: str, raw_body: bytes) -> str:
    """The signature header value for `raw_body` sent at `timestamp`."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + b"." + bytes(raw_body), hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def signature_valid(
    *,
    secret: str,
    timestamp_header: str | None,
    signature_header: str | None,
    raw_body: bytes,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """True only for a well-formed, fresh signature made with `secret` over exactly these bytes.

    False (never an exception) for a blank secret, a missing or malformed header, a
    non-integer timestamp or one more than `tolerance` seconds away from `now`, in
    either direction (a future timestamp is as suspicious as an old one).
    """
    if not secret or not _timestamp_fresh(timestamp_header, now, tolerance):
        return False
    given = _signature_hex(signature_header)
    if given is None:
        return False
    expected = sign(secret, timestamp_header.strip(), raw_body).removeprefix(SIGNATURE_PREFIX)
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii"))


def token_valid(expected: str, given: str | None) -> bool:
    """Constant-time check of the per-company token; a blank expected token matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def _timestamp_fresh(header: str | None, now: float | None, tolerance: int) -> bool:
    if not isinstance(header, str):
        return False
    value = header.strip()
    if not value.isascii() or not value.isdigit() or len(value) > _MAX_TIMESTAMP_DIGITS:
        return False
    current = time.time() if now is None else now
    return abs(current - int(value)) <= tolerance


def _signature_hex(header: str | None) -> str | None:
    """The hex digest of a "sha256=<64 hex>" header (hex case-insensitive), else None."""
    if not isinstance(header, str):
        return None
    value = header.strip()
    if not value.lower().startswith(SIGNATURE_PREFIX):
        return None
    digest = value[len(SIGNATURE_PREFIX) :].lower()
    if len(digest) != 64 or not _HEX_DIGITS.issuperset(digest):
        return None
    return digest


def secret_authenticates(request, secret: str) -> bool:
    """A `WebhookRequest` carries this channel's secret: as the path token or `?token=`, or as the
    key of our HMAC over timestamp and body."""
    given = request.token or request.query.get("token")
    if given:
        return token_valid(secret, given)
    return signature_valid(secret=secret, raw_body=request.body,
                           timestamp_header=request.headers.get(TIMESTAMP_HEADER),
                           signature_header=request.headers.get(SIGNATURE_HEADER))
