"""Inbound: a Whaticket webhook body → InboundMessage (docs/contracts/whaticket.md §1.4, §1.5).

Whaticket signs nothing and sends no tenant id: the caller authenticates the request
(path token, see `signing.py`) and hands us the parsed JSON body. Accepted shapes:

- the raw Baileys `WebMessageInfo` (SaaS "webhook"/"n8n" integrations);
- `{"message": WebMessageInfo, ...}` (forks that wrap it, some adding `contact`/`ticket`);
- `{"action", "message": <Whaticket Message row>, "ticket", "contact"}` (a Socket.IO
  `appMessage` relay): the Baileys message is read from the row's `dataJson` when the
  fork stores it, otherwise from the row itself (see `relay.py`).
"""

from __future__ import annotations

import json

from ..base import InboundMessage
from ._values import digits, obj, text, unix_time
from .content import parse_content
from .errors import PROVIDER, WhaticketPayloadError
from .relay import envelope_contact, is_group_ticket, parse_message_row

# Servers of the JID after "@" that carry a phone number in the user part.
PHONE_SERVERS = frozenset({"s.whatsapp.net", "c.us"})
# Chats we never answer: groups, status updates and broadcast lists, channels.
IGNORED_SERVERS = frozenset({"g.us", "broadcast", "newsletter"})
LID_SERVER = "lid"
# Where Baileys puts the phone JID of an @lid chat: `senderPn`/`participantPn` (6.7.x),
# `remoteJidAlt`/`participantAlt` (7.x).
_PHONE_ALTERNATIVES = ("senderPn", "remoteJidAlt", "participantPn", "participantAlt")


def parse_inbound(payload: object) -> InboundMessage | None:
    """One webhook body → one InboundMessage, or None when there is nothing to answer.

    None: our own messages (`fromMe`), groups, status/broadcast chats, protocol and empty
    messages, Socket.IO events other than "create". Raises WhaticketPayloadError when the
    body is not a message at all, so the webhook can dead-letter it with the reason.
    """
    if not isinstance(payload, dict):
        raise WhaticketPayloadError(f"payload is a {type(payload).__name__}, not a JSON object")
    if "key" in payload:
        return parse_web_message_info(payload, raw=payload)
    row = payload.get("message")
    if not isinstance(row, dict):
        raise WhaticketPayloadError("no `key`: neither a Baileys WebMessageInfo nor {'message': WebMessageInfo}")
    if payload.get("action", "create") != "create" or is_group_ticket(payload):
        return None  # Socket.IO updates (acks, edits) and group tickets
    info = row if "key" in row else _data_json(row)
    if info is None:
        return parse_message_row(row, payload)
    return parse_web_message_info(info, raw=payload, phone_hint=envelope_contact(payload, row))


def parse_web_message_info(info: dict, *, raw: dict, phone_hint: str = "") -> InboundMessage | None:
    """A Baileys WebMessageInfo. `phone_hint` is a phone number the wrapper knows (its contact)."""
    key = info.get("key")
    if not isinstance(key, dict):
        raise WhaticketPayloadError("`key` is not an object")
    message_id = key.get("id")
    if not isinstance(message_id, str) or not message_id:
        raise WhaticketPayloadError("`key.id` is missing")
    if key.get("fromMe") is True:
        return None
    remote_jid = key.get("remoteJid")
    if not isinstance(remote_jid, str) or "@" not in remote_jid:
        raise WhaticketPayloadError(f"`key.remoteJid` is not a JID: {str(remote_jid)[:60]!r}")
    if _server(remote_jid) in IGNORED_SERVERS:
        return None
    content = parse_content(info.get("message"))
    if content is None:
        return None
    return InboundMessage(
        provider=PROVIDER,
        provider_message_id=message_id,
        sender=sender_of(key, phone_hint=phone_hint),
        kind=content.kind,
        timestamp=unix_time(info.get("messageTimestamp")),
        text=content.text,
        sender_name=text(info.get("pushName")),
        media=content.media,
        location=content.location,
        choice_id=content.choice_id,
        reply_to=content.reply_to,
        reaction_to=content.reaction_to,
        contacts=content.contacts,
        raw=raw,
    )


def sender_of(key: dict, *, phone_hint: str = "") -> str:
    """Digits of the customer's phone: the JID's user part without the device suffix (":12").

    An `@lid` JID hides the phone behind a WhatsApp-internal id; the phone is taken from
    the alternatives Baileys adds, or the wrapper's contact. When none is given, the lid's
    digits are returned: a stable user id for the contact, but not a number the Send API
    can reach (base.InboundMessage allows "a user id when no phone is given").
    """
    remote_jid = key["remoteJid"]
    if _server(remote_jid) == LID_SERVER:
        for name in _PHONE_ALTERNATIVES:
            phone = _phone_of(key.get(name))
            if phone:
                return phone
        if phone_hint:
            return phone_hint
    user = _user_digits(remote_jid)
    if not user:
        raise WhaticketPayloadError(f"`key.remoteJid` has no digits: {remote_jid[:60]!r}")
    return user


def _phone_of(jid: object) -> str:
    """Digits of a phone JID ("55...@s.whatsapp.net") or bare number; "" for other JIDs."""
    if not isinstance(jid, str):
        return ""
    if "@" in jid and _server(jid) not in PHONE_SERVERS:
        return ""
    return _user_digits(jid)


def _server(jid: str) -> str:
    return jid.rpartition("@")[2].lower()


def _user_digits(jid: str) -> str:
    user = jid.partition("@")[0]
    return digits(user.partition(":")[0])


def _data_json(row: dict) -> dict | None:
    """The Baileys message a SaaS `Messages` row keeps as `dataJson` (JSON text), if any."""
    data = row.get("dataJson")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    data = obj(data)
    return data if "key" in data else None
