"""The channel interface: what every WhatsApp provider parses into and sends from.

Inbound payloads are normalised into `InboundMessage` and `StatusUpdate`; outbound
calls return `SendResult` or raise `TransientChannelError` / `PermanentChannelError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from secretaria.connection_check import ConnectionCheck


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE = "interactive"  # a reply to our buttons or list
    BUTTON = "button"  # a quick-reply button of a template
    REACTION = "reaction"
    ORDER = "order"
    SYSTEM = "system"
    UNSUPPORTED = "unsupported"


class DeliveryStatus(StrEnum):
    """Outbound message states, in the order they advance."""

    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    DELETED = "deleted"


@dataclass(frozen=True)
class Media:
    id: str = ""  # provider's media id (Meta) or "" when only a URL is known
    url: str = ""
    mime_type: str = ""
    sha256: str = ""
    filename: str = ""
    voice: bool = False
    animated: bool = False


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""
    url: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """One customer message, whatever the provider.

    `text` is what a person would read: the body, a caption, the title of the
    chosen button or list row, a reaction's emoji, a location's name — or "".
    `choice_id` is the id of the chosen button/list row, for flows that sent them.
    """

    provider: str
    provider_message_id: str
    sender: str  # digits only, no "+" (E.164 without the plus); a user id when no phone is given
    kind: MessageKind
    timestamp: datetime
    text: str = ""
    sender_name: str = ""
    channel_account: str = ""  # Meta phone_number_id; "" for single-number providers
    media: Media | None = None
    location: Location | None = None
    choice_id: str = ""
    reply_to: str = ""  # provider id of the message this one answers (context)
    reaction_to: str = ""  # provider id of the message a reaction is about
    contacts: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatusUpdate:
    provider: str
    provider_message_id: str
    status: DeliveryStatus
    timestamp: datetime
    recipient: str = ""
    channel_account: str = ""
    errors: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    """One choice offered to the customer (a button, a list row or a numbered line)."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str  # "" when the provider does not return one
    raw: dict = field(default_factory=dict)


class ChannelError(Exception):
    def __init__(self, message: str, *, status: int | None = None, code: str | int | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class TransientChannelError(ChannelError):
    """Timeouts, connection errors, 429, 5xx and provider throttling: retry with backoff."""


class PermanentChannelError(ChannelError):
    """Bad request, bad credentials, unknown recipient...: retrying will not help."""


class TemplateRequiredError(PermanentChannelError):
    """Meta 131047: the 24-hour window is closed; only a template message may be sent."""


class ChannelClient(Protocol):
    """What the outbox needs from a provider."""

    name: str

    def send_text(self, *, to: str, body: str) -> SendResult: ...

    def send_options(self, *, to: str, body: str, options: list[Option], button: str = "Ver opções") -> SendResult:
        """Offer choices: interactive buttons (≤ 3) or a list (≤ 10) where the provider has them,
        a numbered text otherwise."""
        ...

    def check(self) -> ConnectionCheck:
        """The panel's "Testar conexão": one harmless authenticated call with the channel's settings
        (sends nothing to anyone), answered as working / invalid credentials / unreachable / refused."""
        ...


class TemplateChannelClient(ChannelClient, Protocol):
    """Clients of kinds with `Capabilities(templates=True)`: what goes out when the window is closed."""

    def send_text_template(self, *, to: str, name: str, language: str, text: str) -> SendResult:
        """`text` in an approved template whose body is a single variable."""
        ...
