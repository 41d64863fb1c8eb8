"""Reads of the company's recommendations (the API, the admin and the PDF export read here)."""

from django.db.models import QuerySet

from analytics.recommendations.models import Recommendation

Status = Recommendation.Status


def recommendation_list(*, status: str | None = None) -> QuerySet[Recommendation]:
    """The company's recommendations, newest first; `status` filters (new, accepted, dismissed, expired)."""
    rows = Recommendation.objects.all()
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def recommendation_top(*, limit: int = 5) -> list[Recommendation]:
    """The open recommendations nobody answered yet, most important first, the newest among equals.

    For the printable report: each row's `title` already carries its numbers ("12 clientes não
    voltam há 90 dias"), `get_kind_display()` names its kind and `evidence` holds the figures.
    """
    rows = Recommendation.objects.filter(status=Status.NEW, closed_at__isnull=True)
    return list(rows.order_by("-importance", "-created_at", "-pk")[:max(limit, 0)])


def recommendation_open(*, kind: str) -> dict[str, Recommendation]:
    """The open rows of `kind` by subject: what the daily run compares today's situations with."""
    return {row.subject: row for row in Recommendation.objects.filter(kind=kind, closed_at__isnull=True)}
