"""`{% load inbox %}` (registered in settings' inbox region): the inbox's words for stored codes."""

from django import template

from conversations.core.labels import STATUS, STATUS_BADGE, handoff_reason

register = template.Library()


@register.filter
def motivo(reason: str) -> str:
    """A handoff reason in words: "human_request" -> "Pediu para falar com uma pessoa"."""
    return handoff_reason(reason or "")


@register.filter
def situacao(status: str) -> str:
    return STATUS.get(status, status)


@register.filter
def situacao_cor(status: str) -> str:
    return STATUS_BADGE.get(status, "")
