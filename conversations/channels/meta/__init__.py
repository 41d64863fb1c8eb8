"""Meta WhatsApp Cloud API provider (docs/contracts/meta.md §2): webhook checks, parsing, sending.

A pure provider: no models, no database, no settings — the caller passes secrets and
ids in, and stores what comes out.
"""

from .client import TRANSIENT_CODES, MetaClient, build_interactive, error_for
from .parse import PROVIDER, MetaNotification, MetaPayloadError, parse_notification
from .status import most_advanced, status_rank
from .webhook import signature_valid, verify_handshake

__all__ = [
    "PROVIDER",
    "TRANSIENT_CODES",
    "MetaClient",
    "MetaNotification",
    "MetaPayloadError",
    "build_interactive",
    "error_for",
    "most_advanced",
    "parse_notification",
    "signature_valid",
    "status_rank",
    "verify_handshake",
]
