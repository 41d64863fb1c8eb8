"""Send API error responses → TransientChannelError or PermanentChannelError.

Every family answers errors as `{"error": "<code or text>"}` (docs/contracts/whaticket.md §1.1–§1.3).
By status: 429 and 5xx are transient; 3xx and other 4xx permanent (bad token, bad
number, missing route or connection) — except the 400s below, which report a WhatsApp
session that is down rather than a bad request.

Why a disconnected session is transient: it is the phone/QR session behind Whaticket,
not our request, that failed; Baileys reconnects by itself within seconds and an
operator re-scans the QR within hours. The outbox's bounded backoff then delivers the
reply, or dead-letters it with an alert once its budget is spent; calling it permanent
would drop every reply of a short reconnect.

`code` on the exception is the vendor's code ("ERR_…") when it sent one, else our slug.
"""

from __future__ import annotations

import httpx

from ..base import ChannelError, PermanentChannelError, TransientChannelError

TRANSIENT_STATUSES = frozenset({408, 429})
# 400s that mean "the WhatsApp session could not send now" (disconnected, not ready).
SESSION_DOWN_CODES = frozenset(
    {
        "ERR_WAPP_NOT_INITIALIZED",  # no live session for the connection (getWbot)
        "ERR_WAPP_CHECK_CONTACT",  # the on-WhatsApp check itself failed (original)
        "ERR_SENDING_WAPP_MSG",  # whatsapp-web.js failed to send (original)
    }
)
# SaaS turns every plain Error, "number not on WhatsApp" included, into "Não foi possível
# enviar a mensagem, tente novamente em alguns instantes" — the vendor says: try again.
_RETRY_LATER_PHRASE = "tente novamente"
_PERMANENT_SLUGS = {401: "unauthorized", 403: "forbidden", 404: "not_found"}
_MESSAGE_LIMIT = 300


def error_for_response(response: httpx.Response) -> ChannelError:
    status = response.status_code
    reason = _vendor_error(response)
    code = reason if _is_vendor_code(reason) else None
    message = f"Whaticket HTTP {status}: {reason or response.reason_phrase}"[:_MESSAGE_LIMIT]
    if status >= 500 or status in TRANSIENT_STATUSES:
        return TransientChannelError(message, status=status, code=code or _transient_slug(status))
    if status == 400 and (code in SESSION_DOWN_CODES or _RETRY_LATER_PHRASE in reason.casefold()):
        return TransientChannelError(message, status=status, code=code or "retry_later")
    return PermanentChannelError(message, status=status, code=code or _permanent_slug(status, reason))


def _vendor_error(response: httpx.Response) -> str:
    """`error` (or `message`) of a JSON error body, else a bounded excerpt of the text."""
    try:
        payload = response.json()
    except ValueError:
        return response.text.strip()[:_MESSAGE_LIMIT]
    if isinstance(payload, dict):
        for name in ("error", "message", "mensagem"):
            if isinstance(payload.get(name), str) and payload[name].strip():
                return payload[name].strip()[:_MESSAGE_LIMIT]
    return ""


def _is_vendor_code(reason: str) -> bool:
    return reason.startswith("ERR_") and reason.replace("_", "").isalnum() and reason.isupper()


def _transient_slug(status: int) -> str:
    return "rate_limited" if status == 429 else "timeout" if status == 408 else "server_error"


def _permanent_slug(status: int, reason: str) -> str:
    if "number" in reason.casefold():  # "Invalid number format. Only numbers is allowed."
        return "invalid_number"
    if status < 400:
        return "redirect"  # a base URL that redirects (http → https) is a configuration error
    return _PERMANENT_SLUGS.get(status, "bad_request")
