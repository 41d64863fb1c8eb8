"""Reads of the platform view."""

from django.db.models import QuerySet

from analytics.platform.models import CompanyRecommendation


def company_recommendation_list(*, open_only: bool = True) -> QuerySet[CompanyRecommendation]:
    """The companies' churn and upgrade rows, highest score first (the platform admin's order)."""
    rows = CompanyRecommendation.objects.select_related("company")
    if open_only:
        rows = rows.filter(closed_at__isnull=True)
    return rows.order_by("-score", "-created_at")
