"""Reads of the WhatsApp message templates, in the current company's schema."""

from __future__ import annotations

from collections.abc import Mapping

import structlog

from conversations.channels.message_templates import TemplateMessage
from conversations.channels.models import Channel
from conversations.channels.selectors import channel_by_id
from templates.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMapping, WhatsAppTemplateSync

log = structlog.get_logger(__name__)


def meta_channels(*, waba_id: str = "") -> list[Channel]:
    """The company's Meta channels that have a business account id (that one, when given). Read from
    the table, not the per-process channel cache: the callers are rare and must see a write at once."""
    rows = Channel.objects.filter(kind="meta", config__has_key="waba_id").exclude(config__waba_id="")
    return list(rows.filter(config__waba_id=waba_id) if waba_id else rows)


def template_list(*, channel: Channel | None = None) -> list[WhatsAppTemplate]:
    rows = WhatsAppTemplate.objects.order_by("name", "language")
    return list(rows.filter(channel=channel) if channel is not None else rows)


def sync_last(*, channel: Channel) -> WhatsAppTemplateSync | None:
    return WhatsAppTemplateSync.objects.filter(channel=channel).first()


def template_for_slot(channel_id: int, slot: str, variables: Mapping[str, object]) -> TemplateMessage | None:
    """The resolver behind conversations' `template_for`: the approved template mapped to `slot` on
    the channel, its parameters taken from `variables` in the mapped order; None when there is no
    mapping, the template is not approved (now), or it changed since it was mapped."""
    mapping = (WhatsAppTemplateMapping.objects.select_related("template")
               .filter(channel_id=channel_id, slot=slot).first())
    if mapping is None or not mapping.template.sendable:
        return None
    template = mapping.template
    if len(template.body_placeholders) != len(mapping.variables):
        log.warning("whatsapp_mapping_stale", slot=slot, template=template.name, channel_id=channel_id)
        return None
    parameters = tuple("" if variables.get(name) is None else str(variables.get(name)) for name in mapping.variables)
    return TemplateMessage(name=template.name, language=template.language, parameters=parameters)


def channel_for_templates(channel_id: int | None = None) -> Channel | None:
    """The channel a template request is about: the one named, else the company's only (or default)
    Meta channel with a business account."""
    if channel_id is not None:
        return channel_by_id(channel_id)
    channels = meta_channels()
    return next((c for c in channels if c.is_default), channels[0] if channels else None)
