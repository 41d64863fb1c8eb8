"""The company's channels: created, changed, disabled and removed through the registry's specs.

Every write checks the values against the kind's spec (ConfigField, ChannelSpec.check),
keeps secrets encrypted and write-only (a blank secret keeps the stored one while the kind
stays the same), points platform-routed accounts (Meta's phone_number_id) at this company,
and tells every process that the settings changed (secretaria/settings_cache.py).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from conversations.channels.models import Channel
from conversations.channels.registry import ChannelSpec, Routing, channel_spec, channel_specs
from secretaria.errors import Conflict
from secretaria.events import ChannelDisabled, SettingsChanged, publish
from secretaria.limits import CHANNELS, limit_check
from secretaria.settings_cache import settings_changed
from tenants.provisioning import ProvisioningHook
from tenants.selectors import company_current
from tenants.services import channel_routes_set

CHANNEL_DISABLED = ("canal desativado: reative o canal ou envie por outro número "
                    "(channel disabled: enable it again or send through another channel)")


def _spec_of(kind: str) -> ChannelSpec:
    spec = channel_spec(kind)
    if spec is None:
        known = ", ".join(sorted(s.kind for s in channel_specs()))
        raise ValidationError({"kind": [f"Tipo de canal desconhecido: {kind}. Use um destes: {known}."]})
    return spec


def channel_default_ensure() -> Channel:
    """The company's default channel, created as a sandbox on first use (every company has one)."""
    channel = Channel.objects.filter(is_default=True).first()
    if channel is None:
        channel, _ = Channel.objects.get_or_create(
            is_default=True, defaults={"kind": "sandbox", "name": "Sandbox", "inbound_secret": _new_secret()})
    return channel


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


# --- values ----------------------------------------------------------------------------------------

def _given(spec: ChannelSpec, data: Mapping[str, object]) -> dict[str, str]:
    """The spec's fields present in `data` (by name or alias), as stripped strings."""
    found = {}
    for config_field in spec.fields:
        for name in (config_field.name, *config_field.aliases):
            if name in data and data[name] is not None:
                found[config_field.name] = config_field.normalise(str(data[name]))
                if found[config_field.name]:
                    break
    return found


def channel_values_check(*, kind: str, data: Mapping[str, object], current: Channel | None = None,
                         partial: bool = False) -> dict[str, str]:
    """The complete, valid values of a `kind` channel from `data`, or ValidationError by field (pt-BR).

    With `current` of the same kind, a blank secret keeps the stored one, and with `partial`
    every field left out keeps its value too.
    """
    spec = _spec_of(kind)
    given = _given(spec, data)
    stored = current.values() if current is not None and current.kind == kind else {}
    values, errors = {}, {}
    for config_field in spec.fields:
        value = given.get(config_field.name, "")
        if not value and (config_field.secret or (partial and config_field.name not in given)):
            value = stored.get(config_field.name, "")
        value = value or config_field.default
        if len(value) > config_field.max_length:
            errors[config_field.name] = [f"Use no máximo {config_field.max_length} caracteres."]
        elif config_field.required and not value:
            errors[config_field.name] = ["Obrigatório para este canal."]
        elif value and config_field.validate and (problem := config_field.validate(value)):
            errors[config_field.name] = [problem]
        values[config_field.name] = value
    if not errors and spec.check:
        errors = spec.check(values)
    if errors:
        raise ValidationError(errors)
    return values


def _store_values(channel: Channel, spec: ChannelSpec, values: Mapping[str, str]) -> None:
    secret_names = {f.name for f in spec.fields if f.secret}
    channel.config = {k: v for k, v in values.items() if k not in secret_names}
    kept = {k: v for k, v in values.items() if k in secret_names and v}
    channel.secrets = json.dumps(kept) if kept else ""
    channel.account = values.get(spec.account_field, "") if spec.routing == Routing.PLATFORM_HOST else ""


def _changed_names(spec: ChannelSpec, before: Mapping[str, str], after: Mapping[str, str]) -> dict:
    """What changed, for the audit trail: secrets only as True, never their values."""
    secret_names = {f.name for f in spec.fields if f.secret}
    return {name: (True if name in secret_names else after.get(name, ""))
            for name in sorted(set(before) | set(after)) if before.get(name, "") != after.get(name, "")}


# --- writes ----------------------------------------------------------------------------------------

def _limit_check() -> None:
    # The plan's number of active channels (billing fills the seam): 402 when it is full.
    limit_check(CHANNELS, count=Channel.objects.filter(enabled=True).count)


@transaction.atomic
def channel_create(*, kind: str, data: Mapping[str, object], name: str = "", is_default: bool = False,
                   enabled: bool = True, actor: str = "") -> Channel:
    """A new channel of `kind` with its own inbound URL and secret."""
    spec = _spec_of(kind)
    values = channel_values_check(kind=kind, data=data)
    if enabled:
        _limit_check()
    if is_default:
        Channel.objects.filter(is_default=True).update(is_default=False)
    channel = Channel(kind=kind, name=(name or "").strip()[:80] or spec.label, enabled=enabled,
                      is_default=is_default or not Channel.objects.filter(is_default=True).exists(),
                      inbound_secret=_new_secret())
    _store_values(channel, spec, values)
    channel.save()
    _after_write(channel, action="channel.created", actor=actor, data={"kind": kind, "name": channel.name})
    return channel


@transaction.atomic
def channel_update(*, channel: Channel, kind: str | None = None, data: Mapping[str, object] | None = None,
                   name: str | None = None, enabled: bool | None = None, is_default: bool | None = None,
                   partial: bool = True, actor: str = "") -> Channel:
    """Change a channel: its kind and values (all of them with `partial=False`), name, state, default."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    kind = kind or channel.kind
    spec = _spec_of(kind)
    before = channel.values() if kind == channel.kind else {}
    values = channel_values_check(kind=kind, data=data or {}, current=channel, partial=partial)
    was_enabled = channel.enabled
    if enabled and not was_enabled:
        _limit_check()
    if is_default is False and channel.is_default:
        raise ValidationError({"is_default": ["Escolha outro canal como padrão; a empresa sempre tem um."]})
    if is_default and not channel.is_default:
        Channel.objects.filter(is_default=True).update(is_default=False)
        channel.is_default = True
    if enabled is not None:
        channel.enabled = enabled
    if name is not None:
        channel.name = name.strip()[:80] or spec.label
    changed = _changed_names(spec, before, values) | ({"kind": kind} if kind != channel.kind else {})
    channel.kind = kind
    _store_values(channel, spec, values)
    channel.save()
    _after_write(channel, action="channel.updated", actor=actor, data=changed)
    if was_enabled and not channel.enabled:
        publish(ChannelDisabled(channel_id=channel.pk, reason=CHANNEL_DISABLED, actor=actor))
    return channel


def channel_configure(*, kind: str, actor: str = "", **data) -> Channel:
    """`PUT /api/channel`: the company's default channel becomes `kind` with exactly these values."""
    return channel_update(channel=channel_default_ensure(), kind=kind, data=data, partial=False, actor=actor)


@transaction.atomic
def channel_delete(*, channel: Channel, actor: str = "") -> None:
    """Remove a channel that never carried a conversation; one with history can only be disabled
    (its messages keep saying which number they used). Raises ValidationError or Conflict."""
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.is_default:
        raise ValidationError({"is_default": ["O canal padrão não pode ser removido: escolha outro como padrão."]})
    _after_write(channel, action="channel.deleted", actor=actor, data={"kind": channel.kind, "name": channel.name})
    try:
        with transaction.atomic():
            channel.delete()
    except ProtectedError as exc:
        raise Conflict("Este canal já tem conversas: desative-o em vez de removê-lo.", field="enabled") from exc
    _routes_sync()


@transaction.atomic
def channel_rotate_inbound_secret(*, channel: Channel | None = None, actor: str = "") -> Channel:
    """A new inbound secret (and so a new webhook URL) for the channel (the default one when None).

    The old secret stops working as soon as this commits: settings_changed() makes every process
    reload the channels before its next webhook. The event says that it rotated, never the value.
    """
    channel = Channel.objects.select_for_update().get(pk=(channel or channel_default_ensure()).pk)
    channel.inbound_secret = _new_secret()
    channel.save(update_fields=["inbound_secret", "updated_at"])
    _after_write(channel, action="channel.secret_rotated", actor=actor, data={})
    return channel


def _after_write(channel: Channel, *, action: str, actor: str, data: dict) -> None:
    _routes_sync()
    settings_changed()
    publish(SettingsChanged(area="channel", action=action, actor=actor, target=f"channel:{channel.pk}", data=data))


def _routes_sync() -> None:
    """Point every platform-routed account of the company's channels (enabled or not) at this company."""
    company = company_current()
    for spec in channel_specs():
        if spec.routing == Routing.PLATFORM_HOST:
            accounts = set(Channel.objects.filter(kind=spec.kind).exclude(account="")
                           .values_list("account", flat=True))
            channel_routes_set(company=company, provider=spec.kind, external_ids=accounts)


# --- using a channel -------------------------------------------------------------------------------

def channel_client(channel: Channel):
    """The provider client of this channel (a ChannelClient)."""
    return _spec_of(channel.kind).client(channel.values())


def channel_fallback_template(channel: Channel) -> tuple[str, str] | None:
    """The channel's (template name, language) for messages outside its window, if it has one."""
    spec = channel_spec(channel.kind)
    if spec is None or not spec.capabilities.templates or not channel.template_name:
        return None
    return channel.template_name, channel.template_language or "pt_BR"


def inbound_webhook_url(*, channel: Channel, host: str, scheme: str = "https") -> str:
    """The URL to give the provider for messages coming in on this channel."""
    spec = channel_spec(channel.kind)
    if spec is not None and spec.routing == Routing.PLATFORM_HOST:
        return f"{scheme}://{settings.SECRETARIA_PUBLIC_DOMAINS[0]}/webhook/{channel.kind}"
    return f"{scheme}://{host}/webhook/{channel.kind}/{channel.inbound_secret}"


def _default_channel_ensure(company) -> None:
    channel_default_ensure()


# Every company starts with a sandbox channel with its own secret (tenants/provisioning.py).
CHANNEL_PROVISIONING = ProvisioningHook(name="conversations.channel", in_schema=_default_channel_ensure)
