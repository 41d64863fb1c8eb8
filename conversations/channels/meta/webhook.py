"""Authenticating Meta's webhook calls (docs/contracts/meta.md §2.1, §2.2).

Both checks are constant-time so that response timing never reveals how much of a
secret an attacker guessed right, and both fail closed: anything missing, empty or
malformed is a "no".
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
# Meta's challenge is an integer; a conservative charset keeps the echo from
# reflecting arbitrary content back to whoever calls the endpoint.
_CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,256}")


def verify_handshake(params: Mapping[str, str], *, verify_token: str) -> str | None:
    """The `hub.challenge` to echo (as a plain-text 200) when Meta's GET is genuine, else None.

    An empty configured token never matches, so an unconfigured tenant cannot be
    subscribed by sending an empty `hub.verify_token`.
    """
    if not verify_token or params.get("hub.mode") != "subscribe":
        return None
    token = params.get("hub.verify_token")
    challenge = params.get("hub.challenge")
    if not isinstance(token, str) or not isinstance(challenge, str):
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return challenge if _CHALLENGE.fullmatch(challenge) else None


def signature_valid(raw_body: bytes, header: str | None, *, app_secret: str) -> bool:
    """Whether `X-Hub-Signature-256` is `sha256=` + the HMAC-SHA256 of the raw body.

    The HMAC is computed over the bytes exactly as received: re-serialised JSON would
    differ (Meta escapes unicode) and fail. The key is the App Secret, never the verify
    or access token. There is no timestamp in Meta's scheme: replays are stopped by
    the message-id dedupe, not here.
    """
    if not app_secret or not header:
        return False
    match = _SIGNATURE.fullmatch(header.strip())
    if match is None:
        return False
    expected = hmac.new(app_secret.encode(), bytes(raw_body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())
