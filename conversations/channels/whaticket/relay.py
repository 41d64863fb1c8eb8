"""Whaticket's own `Message` row, as a Socket.IO `appMessage` relay forwards it (docs/contracts/whaticket.md §1.4).

The original Whaticket has no webhooks; integrators relay the UI's Socket.IO event
`{"action": "create", "message": <Message incl. contact>, "ticket": <Ticket incl. contact>,
"contact": <Contact>}`. Without `dataJson` (the original never stores one) only the
row's own columns are known: `id` (the WhatsApp message id, the same value as Baileys'
`key.id`), `body`, `fromMe`, `mediaType`, `mediaUrl`, `quotedMsgId`, `createdAt`.
[INFERENCE from the vendor's models; verify against the tenant's fork on onboarding.]
"""

from __future__ import annotations

from ..base import InboundMessage, Media, MessageKind
from ._values import digits, iso_time, obj, text
from .errors import PROVIDER, WhaticketPayloadError

# `mediaType` is the MIME type's first half for media ("image", "application"...),
# or the whatsapp-web.js message type otherwise ("chat", "location", "vcard"...).
_MEDIA_KINDS = {
    "image": MessageKind.IMAGE,
    "video": MessageKind.VIDEO,
    "audio": MessageKind.AUDIO,
    "ptt": MessageKind.AUDIO,
    "document": MessageKind.DOCUMENT,
    "application": MessageKind.DOCUMENT,
    "sticker": MessageKind.STICKER,
}
_TEXT_TYPES = frozenset({"", "chat", "conversation", "extendedTextMessage"})


def envelope_contact(payload: dict, row: dict) -> str:
    """Digits of the contact's number as Whaticket stored it, from wherever the fork put it."""
    for contact in (payload.get("contact"), row.get("contact"), obj(payload.get("ticket")).get("contact")):
        number = digits(obj(contact).get("number"))
        if number:
            return number
    return ""


def is_group_ticket(payload: dict) -> bool:
    ticket = obj(payload.get("ticket"))
    return ticket.get("isGroup") is True or obj(payload.get("contact")).get("isGroup") is True


def parse_message_row(row: dict, payload: dict) -> InboundMessage | None:
    """A Whaticket `Message` row → InboundMessage; None for our own messages."""
    message_id = row.get("id")
    if not isinstance(message_id, str) or not message_id:
        raise WhaticketPayloadError("`message` has neither a Baileys `key` nor a Whaticket `id`")
    if row.get("fromMe") is True:
        return None
    sender = envelope_contact(payload, row)
    if not sender:
        raise WhaticketPayloadError("Whaticket message without a contact number")
    media_type = text(row.get("mediaType")).lower()
    kind = MessageKind.TEXT if media_type in _TEXT_TYPES else _MEDIA_KINDS.get(media_type, MessageKind.UNSUPPORTED)
    media = _media(row, media_type) if media_type in _MEDIA_KINDS else None
    return InboundMessage(
        provider=PROVIDER,
        provider_message_id=message_id,
        sender=sender,
        kind=kind,
        timestamp=iso_time(row.get("createdAt")),
        # The body of a location or vCard row is a thumbnail or raw vCard: not for reading.
        text=text(row.get("body")) if kind != MessageKind.UNSUPPORTED else "",
        sender_name=text(obj(payload.get("contact") or row.get("contact")).get("name")),
        media=media,
        reply_to=text(row.get("quotedMsgId")),
        raw=payload,
    )


def _media(row: dict, media_type: str) -> Media:
    """Whaticket already downloaded the file: `mediaUrl` points at its public folder."""
    return Media(url=text(row.get("mediaUrl")), voice=media_type == "ptt")
