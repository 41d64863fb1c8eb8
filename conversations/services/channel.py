"""The company's channel: configuration, and the client that sends through it."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from conversations.models import Channel
from conversations.providers.channels.meta.client import TEMPLATE_LANGUAGE, TEMPLATE_NAME
from secretaria.local_cache import cached, forget
from secretaria.url_check import base_url_problem
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


DEFAULT_TEMPLATE_LANGUAGE = "pt_BR"


@transaction.atomic
def channel_configure(
    *, kind: str, phone_number_id: str = "", access_token: str = "", base_url: str = "",
    template_name: str = "", template_language: str = "",
) -> Channel:
    """Switch the company to a channel kind with its credentials (stored encrypted).

    `template_name`/`template_language` (Meta only): the approved template, with one body
    variable {{1}}, that carries messages sent outside the 24-hour window.
    """
    kind = Channel.Kind(kind)
    values = {"phone_number_id": phone_number_id.strip(), "access_token": access_token.strip(),
              "base_url": base_url.strip().rstrip("/")}
    errors = {name: ["Obrigatório para este canal."] for name in REQUIRED[kind] if not values[name]}
    if kind == Channel.Kind.WHATICKET and values["base_url"] and (problem := base_url_problem(values["base_url"])):
        errors["base_url"] = [problem]
    template = _template_of(kind, template_name, template_language)
    errors |= channel_template_errors(name=template[0], language=template[1])
    if errors:
        raise ValidationError(errors)
    channel = channel_get()
    channel.kind = kind
    channel.phone_number_id = values["phone_number_id"] if kind == Channel.Kind.META else ""
    channel.base_url = values["base_url"] if kind == Channel.Kind.WHATICKET else ""
    channel.access_token = values["access_token"] if kind != Channel.Kind.SANDBOX else ""
    channel.template_name, channel.template_language = template
    channel.save()
    forget("channel")
    forget("channel_inbound")
    channel_route_set(company=company_current(), provider="meta",
                      external_id=channel.phone_number_id if kind == Channel.Kind.META else None)
    return channel


def _template_of(kind: str, name: str, language: str) -> tuple[str, str]:
    """The (name, language) the channel keeps: only Meta has templates."""
    if kind != Channel.Kind.META:
        return "", DEFAULT_TEMPLATE_LANGUAGE
    return name.strip(), language.strip() or DEFAULT_TEMPLATE_LANGUAGE


def channel_template_errors(*, name: str, language: str) -> dict[str, list[str]]:
    """pt-BR errors for a Meta template name (blank: none) and language code, by field."""
    errors = {}
    if name and not TEMPLATE_NAME.fullmatch(name):
        errors["template_name"] = ["Use o nome do template na Meta: letras minúsculas, números e _ (até 512)."]
    if not TEMPLATE_LANGUAGE.fullmatch(language):
        errors["template_language"] = ["Use um código de idioma da Meta, ex.: pt_BR ou en_US."]
    return errors


def channel_fallback_template() -> tuple[str, str] | None:
    """The company's (template name, language) for messages outside Meta's 24-hour window, if set."""
    channel = cached("channel", channel_get)
    if channel.kind != Channel.Kind.META or not channel.template_name:
        return None
    return channel.template_name, channel.template_language


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
