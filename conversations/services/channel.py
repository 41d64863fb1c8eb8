"""The company's channel: configuration, and the client that sends through it."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from conversations.models import Channel
from secretaria.local_cache import cached, forget
from tenants.selectors import company_current
from tenants.services import channel_route_set

REQUIRED = {
    Channel.Kind.META: ("phone_number_id", "access_token"),
    Channel.Kind.WHATICKET: ("base_url", "access_token"),
    Channel.Kind.SANDBOX: (),
}


def channel_get() -> Channel:
    """The company's channel row, created as a sandbox on first use."""
    channel = Channel.objects.filter(singleton=1).first()
    if channel is None:
        channel, _ = Channel.objects.get_or_create(
            singleton=1, defaults={"inbound_secret": secrets.token_urlsafe(24)}
        )
    return channel


@transaction.atomic
def channel_configure(
    *, kind: str, phone_number_id: str = "", access_token: str = "", base_url: str = ""
) -> Channel:
    """Switch the company to a channel kind with its credentials (stored encrypted)."""
    kind = Channel.Kind(kind)
    values = {"phone_number_id": phone_number_id.strip(), "access_token": access_token.strip(),
              "base_url": base_url.strip().rstrip("/")}
    missing = {name: ["Obrigatório para este canal."] for name in REQUIRED[kind] if not values[name]}
    if missing:
        raise ValidationError(missing)
    channel = channel_get()
    channel.kind = kind
    channel.phone_number_id = values["phone_number_id"] if kind == Channel.Kind.META else ""
    channel.base_url = values["base_url"] if kind == Channel.Kind.WHATICKET else ""
    channel.access_token = values["access_token"] if kind != Channel.Kind.SANDBOX else ""
    channel.save()
    forget("channel")
    forget("channel_inbound")
    channel_route_set(company=company_current(), provider="meta",
                      external_id=channel.phone_number_id if kind == Channel.Kind.META else None)
    return channel


def channel_rotate_inbound_secret() -> Channel:
    channel = channel_get()
    channel.inbound_secret = secrets.token_urlsafe(24)
    channel.save(update_fields=["inbound_secret", "updated_at"])
    forget("channel")
    forget("channel_inbound")
    return channel


def inbound_webhook_url(*, channel: Channel, host: str, scheme: str = "https") -> str:
    """The URL to give the provider for messages coming in."""
    if channel.kind == Channel.Kind.META:
        public = settings.SECRETARIA_PUBLIC_DOMAINS[0]
        return f"{scheme}://{public}/webhook/meta"
    return f"{scheme}://{host}/webhook/{channel.kind}/{channel.inbound_secret}"


def channel_client(channel: Channel | None = None):
    """The provider client for the company's channel (ChannelClient)."""
    from conversations.providers.channels.sandbox import SandboxClient
    from conversations.providers.http import shared_client

    channel = channel or cached("channel", channel_get)
    if channel.kind == Channel.Kind.META:
        from conversations.providers.channels.meta import MetaClient

        return MetaClient(phone_number_id=channel.phone_number_id, access_token=channel.access_token,
                          graph_url=settings.META_GRAPH_URL, http=shared_client())
    if channel.kind == Channel.Kind.WHATICKET:
        from conversations.providers.channels.whaticket import WhaticketClient

        return WhaticketClient(base_url=channel.base_url, token=channel.access_token, http=shared_client())
    return SandboxClient()
