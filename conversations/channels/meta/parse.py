"""Meta webhook notifications → `InboundMessage` / `StatusUpdate` (docs/contracts/meta.md §2.3–§2.5).

Two levels of failure, so that one poison item never costs the good ones (battery R9):

- The envelope (object, entry, changes, field, value, metadata.phone_number_id, the
  messages/statuses/errors arrays) is wrong → `MetaPayloadError`: nothing in the body
  can be trusted or routed; the caller dead-letters the whole raw body.
- One item is unusable → it is skipped and listed in `MetaNotification.rejected` with a
  reason; the caller stores the others and dead-letters each rejected item. An item is
  rejected only when what the caller keys on is missing (id, sender, timestamp, a known
  status) or its content cannot be represented (a location without coordinates, a part
  that is not an object). Missing optional content is tolerated and read as "".
- When items were rejected and nothing usable is left, the notification as a whole
  is a dead letter too: `MetaPayloadError` (e.g. a payload whose only message has no id).

Besides "messages", one other `field` is read: `message_template_status_update` (§10), which
says what Meta decided about a message template of the business account (`entry[].id`, the WABA):
each becomes a `TemplateStatusChange`. Such a change names no phone number, so it cannot be routed
like a message; one without a template name or event is unusable and only counted as ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..base import DeliveryStatus, InboundMessage, Location, Media, MessageKind, StatusUpdate
from ..message_templates import TemplateStatusChange

PROVIDER = "meta"
OBJECT = "whatsapp_business_account"
TEMPLATE_STATUS_FIELD = "message_template_status_update"


class MetaPayloadError(ValueError):
    """The notification as a whole is unusable: dead-letter the raw body."""


class _Rejected(Exception):
    """One item is unusable; becomes an entry of `MetaNotification.rejected`."""


@dataclass(frozen=True)
class MetaNotification:
    """Everything one webhook POST carried.

    `errors`: out-of-band `value.errors[]`, each Meta's dict plus `channel_account`.
    `ignored_fields`: `field` of each non-"messages" change (accepted, not handled).
    `rejected`: `{"kind": "message"|"status"|"error", "path", "reason", "channel_account",
    "item"}` per skipped item, for the caller's dead-letter rows.
    `template_changes`: the `message_template_status_update` changes, in order.
    """

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    template_changes: list[TemplateStatusChange] = field(default_factory=list)
    ignored_fields: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)


def parse_notification(payload: dict) -> MetaNotification:
    """Normalise every entry, change, message and status; never only the first of each."""
    out = MetaNotification()
    for path, entry, change in _changes(payload):
        kind = change.get("field")
        if not isinstance(kind, str) or not kind:
            raise MetaPayloadError(f"{path}: missing 'field'")
        if kind == "messages":
            _collect(_object(change.get("value"), f"{path}.value"), f"{path}.value", out)
        elif kind == TEMPLATE_STATUS_FIELD and (template := _template_change(entry, change.get("value"))):
            out.template_changes.append(template)
        else:
            out.ignored_fields.append(kind)
    if out.rejected and not (out.messages or out.statuses or out.errors or out.template_changes):
        reasons = "; ".join(f"{r['path']}: {r['reason']}" for r in out.rejected)
        raise MetaPayloadError(f"no usable item in the notification ({reasons})")
    return out


# --- envelope --------------------------------------------------------------------


def _changes(payload: dict) -> Iterator[tuple[str, dict, dict]]:
    root = _object(payload, "notification")
    if root.get("object") != OBJECT:
        raise MetaPayloadError(f"notification: 'object' is {root.get('object')!r}, expected {OBJECT!r}")
    for i, entry in enumerate(_array(root, "entry", "notification", required=True)):
        where = f"entry[{i}]"
        for j, change in enumerate(_array(_object(entry, where), "changes", where, required=True)):
            yield f"{where}.changes[{j}]", entry, _object(change, f"{where}.changes[{j}]")


def _collect(value: dict, path: str, out: MetaNotification) -> None:
    account = _account(value, path)
    names = _contact_names(value.get("contacts"))
    sections: list[tuple[str, str, Callable[[object], object], list]] = [
        ("messages", "message", lambda item: _message(item, account, names), out.messages),
        ("statuses", "status", lambda item: _status(item, account), out.statuses),
        ("errors", "error", lambda item: _error(item, account), out.errors),
    ]
    for key, kind, parse, target in sections:
        for i, item in enumerate(_array(value, key, path)):
            try:
                target.append(parse(item))
            except _Rejected as exc:
                out.rejected.append(
                    {
                        "kind": kind,
                        "path": f"{path}.{key}[{i}]",
                        "reason": str(exc),
                        "channel_account": account,
                        "item": item,
                    }
                )


def _account(value: dict, path: str) -> str:
    """The tenant routing key: a WABA (`entry.id`) may hold several numbers."""
    metadata = value.get("metadata")
    account = _str(metadata.get("phone_number_id")) if isinstance(metadata, dict) else ""
    if not account:
        raise MetaPayloadError(f"{path}: missing metadata.phone_number_id")
    return account


def _contact_names(contacts: object) -> dict[str, str]:
    """Profile name by `wa_id` and by BSUID `user_id` (username-only users have no wa_id)."""
    names: dict[str, str] = {}
    for contact in contacts if isinstance(contacts, list) else []:
        if not isinstance(contact, dict):
            continue
        profile = contact.get("profile")
        name = _str(profile.get("name")) if isinstance(profile, dict) else ""
        for key in ("wa_id", "user_id"):
            if _str(contact.get(key)):
                names[_str(contact.get(key))] = name
    return names


def _template_change(entry: dict, value: object) -> TemplateStatusChange | None:
    """One template status update (§10), or None when it lacks what it could be matched by."""
    if not isinstance(value, dict):
        return None
    event, name = _str(value.get("event")).upper(), _str(value.get("message_template_name"))
    account = _str(entry.get("id"))
    if not (event and name and account):
        return None
    reason = _str(value.get("reason"))
    return TemplateStatusChange(
        provider=PROVIDER, account=account, template_id=_str(value.get("message_template_id")), name=name,
        language=_str(value.get("message_template_language")), event=event,
        reason="" if reason.upper() == "NONE" else reason,  # Meta says "NONE" when there is no reason
        category=_str(value.get("message_template_category")).upper(), raw=value,
    )


# --- items -----------------------------------------------------------------------


def _message(item: object, account: str, names: dict[str, str]) -> InboundMessage:
    message = _item(item, "message")
    phone = re.sub(r"\D", "", _str(message.get("from")))
    user_id = _str(message.get("from_user_id"))
    if not (phone or user_id):
        raise _Rejected("message without a sender ('from' or 'from_user_id')")
    kind, fields = _content(message)
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    return InboundMessage(
        provider=PROVIDER,
        provider_message_id=_str(message["id"]),
        sender=phone or user_id,
        kind=kind,
        timestamp=_timestamp(message),
        sender_name=names.get(phone) or names.get(user_id, ""),
        channel_account=account,
        reply_to=_str(context.get("id")),
        raw=message,
        **fields,
    )


def _status(item: object, account: str) -> StatusUpdate:
    status = _item(item, "status")
    try:
        state = DeliveryStatus(_str(status.get("status")).lower())
    except ValueError:
        raise _Rejected(f"unknown status {status.get('status')!r}") from None
    errors = status.get("errors") if isinstance(status.get("errors"), list) else []
    return StatusUpdate(
        provider=PROVIDER,
        provider_message_id=_str(status["id"]),
        status=state,
        timestamp=_timestamp(status),
        recipient=_str(status.get("recipient_id")) or _str(status.get("recipient_user_id")),
        channel_account=account,
        errors=[error for error in errors if isinstance(error, dict)],
        raw=status,
    )


def _error(item: object, account: str) -> dict:
    if not isinstance(item, dict):
        raise _Rejected("error is not an object")
    return {"channel_account": account, **item}


def _item(item: object, kind: str) -> dict:
    """Checks shared by messages and statuses: an object with an id (the dedupe key)."""
    if not isinstance(item, dict):
        raise _Rejected(f"{kind} is not an object")
    if not _str(item.get("id")):
        raise _Rejected(f"{kind} without an id")
    return item


def _timestamp(item: dict) -> datetime:
    """Meta sends Unix seconds as a string; an aware UTC datetime comes out."""
    raw = item.get("timestamp")
    try:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise TypeError
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise _Rejected(f"bad timestamp {raw!r}") from None


# --- message content, one normaliser per type (§2.4) --------------------------------

Content = tuple[MessageKind, dict]


def _content(message: dict) -> Content:
    """Kind plus the InboundMessage fields of that kind; unknown types are UNSUPPORTED
    (the raw message, with its `errors`, stays in `raw`)."""
    parse = _BY_TYPE.get(_str(message.get("type")))
    return parse(message) if parse else (MessageKind.UNSUPPORTED, {})


def _text(message: dict) -> Content:
    return MessageKind.TEXT, {"text": _str(_part(message, "text").get("body"))}


def _media(kind: MessageKind) -> Callable[[dict], Content]:
    def parse(message: dict) -> Content:
        part = _part(message, kind.value)
        media = Media(
            id=_str(part.get("id")),
            url=_str(part.get("url")),
            mime_type=_str(part.get("mime_type")),
            sha256=_str(part.get("sha256")),
            filename=_str(part.get("filename")),
            voice=part.get("voice") is True,
            animated=part.get("animated") is True,
        )
        return kind, {"text": _str(part.get("caption")), "media": media}

    return parse


def _location(message: dict) -> Content:
    """A shared current location has only coordinates: name/address/url may be missing."""
    part = _part(message, "location")
    latitude = _coordinate(part.get("latitude"), 90)
    longitude = _coordinate(part.get("longitude"), 180)
    if latitude is None or longitude is None:
        raise _Rejected("location without valid latitude/longitude")
    name = _str(part.get("name"))
    place = Location(latitude, longitude, name, _str(part.get("address")), _str(part.get("url")))
    return MessageKind.LOCATION, {"text": name, "location": place}


def _contacts(message: dict) -> Content:
    raw = message.get("contacts")
    cards = [card for card in raw if isinstance(card, dict)] if isinstance(raw, list) else []
    names = [_str(card["name"].get("formatted_name")) for card in cards if isinstance(card.get("name"), dict)]
    return MessageKind.CONTACTS, {"text": ", ".join(n for n in names if n), "contacts": cards}


def _interactive(message: dict) -> Content:
    """Replies to our buttons or list; other sub-types (e.g. Flows' nfm_reply) and an
    interactive without payload are UNSUPPORTED."""
    part = _part(message, "interactive")
    subtype = _str(part.get("type"))
    if subtype not in ("button_reply", "list_reply"):
        return MessageKind.UNSUPPORTED, {}
    reply = _part(part, subtype)
    return MessageKind.INTERACTIVE, {"text": _str(reply.get("title")), "choice_id": _str(reply.get("id"))}


def _button(message: dict) -> Content:
    """A template's quick-reply button: `payload` is what we set, `text` what was shown."""
    part = _part(message, "button")
    return MessageKind.BUTTON, {"text": _str(part.get("text")), "choice_id": _str(part.get("payload"))}


def _reaction(message: dict) -> Content:
    """An empty or missing emoji means the customer removed their reaction: text == ""."""
    part = _part(message, "reaction")
    return MessageKind.REACTION, {"text": _str(part.get("emoji")), "reaction_to": _str(part.get("message_id"))}


def _order(message: dict) -> Content:
    return MessageKind.ORDER, {"text": _str(_part(message, "order").get("text"))}


def _system(message: dict) -> Content:
    return MessageKind.SYSTEM, {"text": _str(_part(message, "system").get("body"))}


_BY_TYPE: dict[str, Callable[[dict], Content]] = {
    "text": _text,
    "image": _media(MessageKind.IMAGE),
    "audio": _media(MessageKind.AUDIO),
    "video": _media(MessageKind.VIDEO),
    "document": _media(MessageKind.DOCUMENT),
    "sticker": _media(MessageKind.STICKER),
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
    "order": _order,
    "system": _system,
}


# --- small readers -----------------------------------------------------------------


def _object(value: object, path: str) -> dict:
    if not isinstance(value, dict):
        raise MetaPayloadError(f"{path}: expected an object, got {type(value).__name__}")
    return value


def _array(parent: dict, key: str, path: str, *, required: bool = False) -> list:
    value = parent.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise MetaPayloadError(f"{path}.{key}: expected a list, got {type(value).__name__}")
    return value


def _part(parent: dict, key: str) -> dict:
    """A type's sub-object: missing reads as empty, anything but an object is rejected."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Rejected(f"'{key}' is not an object")
    return value


def _str(value: object) -> str:
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _coordinate(value: object, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) <= bound else None
