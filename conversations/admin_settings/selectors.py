"""Reads for the settings pages and their cards on the "Configurações" screen."""

from datetime import datetime

from django.db.models import Count

from conversations.assistant.models import CompanyProfile, KnowledgeItem, LLMCall
from conversations.channels.models import Channel


def profile_stored() -> CompanyProfile | None:
    return CompanyProfile.objects.filter(singleton=1).first()


def knowledge_active_count() -> int:
    return KnowledgeItem.objects.filter(is_active=True).count()


def channels_enabled_by_kind() -> dict[str, int]:
    rows = Channel.objects.filter(enabled=True).values("kind").annotate(n=Count("id")).order_by()
    return {row["kind"]: row["n"] for row in rows}


def llm_calls_since(moment: datetime):
    return LLMCall.objects.filter(created_at__gte=moment)
