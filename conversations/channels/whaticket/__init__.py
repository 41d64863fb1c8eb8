"""Whaticket as a WhatsApp channel (docs/contracts/whaticket.md §1): inbound parsing, webhook auth, Send API client.

A pure provider: no models, no database, no settings. The webhook view authenticates
the request (`token_valid` / `signature_valid`), calls `parse_inbound` and stores the
result; the outbox builds a `WhaticketClient` from the company's channel row.
"""

from conversations.channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, signature_valid, token_valid

from .client import WhaticketClient, normalize_number, numbered_text, option_for_reply
from .errors import PROVIDER, WhaticketPayloadError
from .errors_map import SESSION_DOWN_CODES
from .inbound import parse_inbound

__all__ = [
    "PROVIDER",
    "SESSION_DOWN_CODES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WhaticketClient",
    "WhaticketPayloadError",
    "normalize_number",
    "numbered_text",
    "option_for_reply",
    "parse_inbound",
    "sign",
    "signature_valid",
    "token_valid",
]
