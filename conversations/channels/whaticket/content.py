"""The content of a Baileys `Message` (WAProto) → kind, text, media, location, choice...

A `Message` is a protobuf `oneof` in spirit: one content field (`conversation`,
`imageMessage`, ...) next to bookkeeping fields (`messageContextInfo`,
`senderKeyDistributionMessage`). Some content arrives inside wrappers (disappearing
messages, view-once, documents with a caption) that are peeled off first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..base import Location, Media, MessageKind
from ._values import b64_bytes, coordinate, obj, text

# Wrappers holding another Message in `.message`; peeled off before reading the content.
WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",  # an edit: its inner Message is a protocolMessage, hence ignored
)
# Fields that travel alongside the content and never are the content.
BOOKKEEPING = frozenset({"messageContextInfo", "senderKeyDistributionMessage", *WRAPPERS})
# Signalling between devices (revoke, edit, ephemeral settings, history sync): nothing to answer.
PROTOCOL = frozenset({"protocolMessage"})
_MAX_WRAPPER_DEPTH = 4
_WAID = re.compile(r"waid=(\d+)", re.I)


@dataclass(frozen=True)
class Content:
    """What one Message says, ready to be copied into an InboundMessage."""

    kind: MessageKind
    text: str = ""
    media: Media | None = None
    location: Location | None = None
    choice_id: str = ""
    reply_to: str = ""
    reaction_to: str = ""
    contacts: list[dict] = field(default_factory=list)


def parse_content(message: object) -> Content | None:
    """The content of a Message; None when there is nothing a person wrote (empty, protocol)."""
    message = _unwrap(obj(message))
    if _inner(message) is not None:
        return Content(MessageKind.UNSUPPORTED)  # nested deeper than WhatsApp ever does: keep, do not dig
    present = [name for name, value in message.items() if name not in BOOKKEEPING and value not in (None, "", {})]
    if not present or PROTOCOL.intersection(present):
        return None
    name = next((n for n in _HANDLERS if n in present), present[0])
    handler = _HANDLERS.get(name)
    return handler(message[name]) if handler else Content(MessageKind.UNSUPPORTED)


def _unwrap(message: dict) -> dict:
    for _ in range(_MAX_WRAPPER_DEPTH):
        inner = _inner(message)
        if inner is None:
            break
        message = inner
    return message


def _inner(message: dict) -> dict | None:
    inner = next((obj(message[w]).get("message") for w in WRAPPERS if w in message), None)
    return inner if isinstance(inner, dict) else None


def _reply_to(value: dict) -> str:
    """The quoted message's id: every content type carries the quote in `contextInfo`."""
    return text(obj(value.get("contextInfo")).get("stanzaId"))


def _conversation(value: object) -> Content:
    return Content(MessageKind.TEXT, text=text(value))


def _extended_text(value: object) -> Content:
    value = obj(value)
    return Content(MessageKind.TEXT, text=text(value.get("text")), reply_to=_reply_to(value))


def _media(kind: MessageKind) -> Callable[[object], Content]:
    """A handler for one media type. The URL is WhatsApp's encrypted CDN blob: downloading
    it needs `mediaKey` (kept in `raw`), so `url` is a reference, not a fetchable file."""

    def handler(value: object) -> Content:
        value = obj(value)
        media = Media(
            url=text(value.get("url")),
            mime_type=text(value.get("mimetype")),
            sha256=b64_bytes(value.get("fileSha256")),
            filename=text(value.get("fileName")),
            voice=kind == MessageKind.AUDIO and value.get("ptt") is True,
            animated=kind == MessageKind.STICKER and value.get("isAnimated") is True,
        )
        return Content(kind, text=text(value.get("caption")), media=media, reply_to=_reply_to(value))

    return handler


def _location(value: object) -> Content:
    value = obj(value)
    location = Location(
        latitude=coordinate(value.get("degreesLatitude"), "degreesLatitude", 90),
        longitude=coordinate(value.get("degreesLongitude"), "degreesLongitude", 180),
        name=text(value.get("name")),
        address=text(value.get("address")),
        url=text(value.get("url")),
    )
    label = location.name or text(value.get("caption"))  # live locations only have a caption
    return Content(MessageKind.LOCATION, text=label, location=location, reply_to=_reply_to(value))


def _contact(value: object) -> Content:
    return _contacts_of([obj(value)], obj(value))


def _contacts_array(value: object) -> Content:
    value = obj(value)
    cards = [obj(card) for card in value.get("contacts") or [] if isinstance(card, dict)]
    return _contacts_of(cards, value)


def _contacts_of(cards: list[dict], value: dict) -> Content:
    """Cards in the shape Meta uses (`name.formatted_name`, `phones[]`), plus the raw vCard."""
    contacts = [_card(card) for card in cards]
    names = [c["name"]["formatted_name"] for c in contacts if c["name"]["formatted_name"]]
    label = ", ".join(names) or text(value.get("displayName"))
    return Content(MessageKind.CONTACTS, text=label, contacts=contacts, reply_to=_reply_to(value))


def _card(card: dict) -> dict:
    vcard = text(card.get("vcard"))
    return {"name": {"formatted_name": text(card.get("displayName"))}, "phones": _vcard_phones(vcard), "vcard": vcard}


def _vcard_phones(vcard: str) -> list[dict]:
    """TEL lines of a vCard; WhatsApp adds `waid=<digits>` when the number is on WhatsApp."""
    phones = []
    for line in vcard.splitlines():
        params, sep, number = line.partition(":")
        if sep and params.split(";")[0].upper().rsplit(".", 1)[-1] == "TEL":
            waid = _WAID.search(params)
            phones.append({"phone": number.strip(), "wa_id": waid.group(1) if waid else ""})
    return phones


def _buttons_response(value: object) -> Content:
    value = obj(value)
    return _choice(value, text(value.get("selectedButtonId")), text(value.get("selectedDisplayText")))


def _list_response(value: object) -> Content:
    value = obj(value)
    return _choice(value, text(obj(value.get("singleSelectReply")).get("selectedRowId")), text(value.get("title")))


def _template_button_reply(value: object) -> Content:
    value = obj(value)
    return _choice(value, text(value.get("selectedId")), text(value.get("selectedDisplayText")))


def _choice(value: dict, choice_id: str, title: str) -> Content:
    return Content(MessageKind.INTERACTIVE, text=title, choice_id=choice_id, reply_to=_reply_to(value))


def _reaction(value: object) -> Content:
    """An emoji about another message; an empty `text` removes an earlier reaction."""
    value = obj(value)
    reacted = text(obj(value.get("key")).get("id"))
    return Content(MessageKind.REACTION, text=text(value.get("text")), reaction_to=reacted)


# Checked in this order when a Message carries several content fields.
_HANDLERS: dict[str, Callable[[object], Content]] = {
    "conversation": _conversation,
    "extendedTextMessage": _extended_text,
    "imageMessage": _media(MessageKind.IMAGE),
    "videoMessage": _media(MessageKind.VIDEO),
    "audioMessage": _media(MessageKind.AUDIO),
    "documentMessage": _media(MessageKind.DOCUMENT),
    "stickerMessage": _media(MessageKind.STICKER),
    "locationMessage": _location,
    "liveLocationMessage": _location,
    "contactMessage": _contact,
    "contactsArrayMessage": _contacts_array,
    "buttonsResponseMessage": _buttons_response,
    "listResponseMessage": _list_response,
    "templateButtonReplyMessage": _template_button_reply,
    "reactionMessage": _reaction,
}
