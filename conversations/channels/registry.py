"""The channel registry: every WhatsApp provider we speak, each declared once by its own package.

A provider package (meta/, whaticket/, sandbox/) declares one `ChannelSpec` in its `spec.py`:
its configuration fields and their validation, how to build its client, how to parse and
authenticate its webhooks, and what it can do. Everything else — the one webhook view, the
channel API and admin, the outbox — asks the registry, never a provider by name.

Adding a channel: a new package with a `spec.py`, and one line in `builtin.py` (or a
`register_channel(SPEC)` call in another app's `AppConfig.ready()`). docs/how-to/add-a-channel.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from conversations.channels.base import ChannelClient, DeliveryStatus, InboundMessage, StatusUpdate
from secretaria.registry import Registry


class Routing(StrEnum):
    """Where a provider's webhooks arrive."""

    COMPANY_HOST = "company_host"  # on the company's host, one URL (and secret) per channel
    PLATFORM_HOST = "platform_host"  # one URL on the platform's host for every company, routed by account id


@dataclass(frozen=True)
class ConfigField:
    """One setting of a channel of this kind, as the API, the admin and the service see it."""

    name: str
    label: str  # pt-BR, for the admin and error messages
    required: bool = False
    secret: bool = False  # stored encrypted; write-only in the API and the admin
    default: str = ""
    max_length: int = 512
    help_text: str = ""
    validate: Callable[[str], str | None] | None = None  # the value's problem in pt-BR, or None
    aliases: tuple[str, ...] = ()  # other input names accepted for it ("token" for "access_token")
    normalise: Callable[[str], str] = str.strip


@dataclass(frozen=True)
class Capabilities:
    interactive: bool = False  # real lists and buttons (elsewhere options go as numbered lines)
    templates: bool = False  # approved message templates, the only thing sent outside the window
    window_hours: int | None = None  # the customer-care window, when the provider has one


@dataclass(frozen=True)
class WebhookRequest:
    """What a spec needs of an inbound HTTP request (no Django types: specs stay testable)."""

    body: bytes
    headers: Mapping[str, str]
    query: Mapping[str, str]
    token: str = ""  # the path segment after /webhook/<kind>/, if any


@dataclass(frozen=True)
class Inbound:
    """A parsed webhook: customers' messages, delivery statuses, and items we could not read."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # each with "reason"; dead-lettered, never dropped


def _no_rank(status: DeliveryStatus) -> int:
    return list(DeliveryStatus).index(status)


@dataclass(frozen=True)
class ChannelSpec:
    kind: str  # the identifier in URLs, rows and the API: lowercase letters, digits, _
    label: str  # pt-BR
    fields: tuple[ConfigField, ...]
    client: Callable[[Mapping[str, str]], ChannelClient]  # from the channel's values (secrets decrypted)
    parse: Callable[[dict], Inbound]  # raises ValueError for a body it cannot read at all
    # (request, the channel's own inbound secret) -> genuine? For PLATFORM_HOST kinds the secret is "".
    authenticate: Callable[[WebhookRequest, str], bool]
    capabilities: Capabilities = Capabilities()
    routing: Routing = Routing.COMPANY_HOST
    account_field: str = ""  # PLATFORM_HOST: the field holding the account id payloads are routed by
    handshake: Callable[[Mapping[str, str]], str | None] | None = None  # GET verification: the echo, or None
    status_rank: Callable[[DeliveryStatus], int] = _no_rank
    # Errors that involve several fields or other settings: {field: [pt-BR messages]}.
    check: Callable[[Mapping[str, str]], dict[str, list[str]]] | None = None
    # A dead-lettered payload (the body, or one rejected item) back into a body `parse` reads, for
    # reprocessing; the dead letter's id pins anything the parser would otherwise invent.
    redeliver: Callable[[dict, int], dict] | None = None

    def field(self, name: str) -> ConfigField | None:
        return next((f for f in self.fields if f.name == name), None)


_specs: Registry[ChannelSpec] = Registry(key=lambda spec: spec.kind)
register_channel = _specs.register  # make a channel kind available (replaces a spec of the same kind)
unregister_channel = _specs.unregister
channel_spec = _specs.get
channel_specs = _specs.all


def channel_kind_choices() -> list[tuple[str, str]]:
    return [(spec.kind, spec.label) for spec in channel_specs()]
