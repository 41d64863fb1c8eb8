"""Writes of the platform view: the daily global run over every active company, and the staff's answers.

Runs in the public schema (one global beat job, celery_app.py). Idempotent like the companies' own
recommendations: one open row per company and situation, refreshed while unanswered, closed when
the situation goes away (an unanswered one as `expired`).
"""

from __future__ import annotations

from datetime import date, datetime

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.platform.models import CompanyRecommendation
from analytics.platform.readings import Reading, churn_reading, upgrade_readings
from secretaria.errors import Conflict
from tenants.selectors import company_list_active

log = structlog.get_logger(__name__)
Kind, Status = CompanyRecommendation.Kind, CompanyRecommendation.Status


def platform_recommendations_compute(*, today: date | None = None, now: datetime | None = None) -> dict[str, int]:
    """Read every active company's churn risk and quota use; bring the rows in line. Counts of changes."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    counts = {"created": 0, "refreshed": 0, "closed": 0}
    for company in company_list_active():
        churn = churn_reading(company_id=company.pk, today=today)
        found = {(Kind.CHURN_RISK, ""): churn} if churn.score >= settings.ANALYTICS_CHURN_MIN_SCORE else {}
        upgrades = upgrade_readings(company_id=company.pk, today=today, ratio=settings.ANALYTICS_UPGRADE_RATIO)
        found |= {(Kind.UPGRADE, kind): reading for kind, reading in upgrades.items()}
        try:
            with transaction.atomic():
                for outcome in _reconcile(company.pk, found, now):
                    counts[outcome] += 1
        except IntegrityError:  # a concurrent run created the company's row first: it has it
            log.warning("platform_recommendations_concurrent_run", company=company.schema_name)
    log.info("platform_recommendations_computed", **counts)
    return counts


def _reconcile(company_id: int, found: dict[tuple[str, str], Reading], now: datetime) -> list[str]:
    open_rows = {(row.kind, row.subject): row for row in CompanyRecommendation.objects.select_for_update()
                 .filter(company_id=company_id, closed_at__isnull=True)}
    outcomes = []
    for (kind, subject), reading in found.items():
        row = open_rows.pop((kind, subject), None)
        outcomes.append(_refresh(row, reading, now) if row else _create(company_id, kind, subject, reading))
    for row in open_rows.values():
        row.closed_at = now
        row.status = Status.EXPIRED if row.status == Status.NEW else row.status
        row.save(update_fields=["closed_at", "status"])
        outcomes.append("closed")
    return outcomes


def _create(company_id: int, kind: str, subject: str, reading: Reading) -> str:
    CompanyRecommendation.objects.create(company_id=company_id, kind=kind, subject=subject, score=reading.score,
                                         summary=reading.summary, reasons=reading.reasons, evidence=reading.evidence)
    return "created"


def _refresh(row: CompanyRecommendation, reading: Reading, now: datetime) -> str:
    """Today's numbers, whatever the status: the staff's list sorts by the current score."""
    row.score, row.summary, row.reasons, row.evidence, row.refreshed_at = (
        reading.score, reading.summary, reading.reasons, reading.evidence, now)
    row.save(update_fields=["score", "summary", "reasons", "evidence", "refreshed_at"])
    return "refreshed"


def company_recommendation_decide(*, recommendation: CompanyRecommendation, status: str, actor: str,
                                  now: datetime | None = None) -> CompanyRecommendation:
    """The staff accept (someone will talk to the company) or dismiss one. Answering twice the same way
    is a no-op; changing an answer, or answering an expired one, is a Conflict."""
    with transaction.atomic():
        row = CompanyRecommendation.objects.select_for_update().get(pk=recommendation.pk)
        if row.status == status:
            return row
        if row.status != Status.NEW:
            raise Conflict(f"Esta recomendação já está {row.get_status_display().lower()}.")
        row.status, row.decided_by, row.decided_at = status, actor, now or timezone.now()
        row.save(update_fields=["status", "decided_by", "decided_at"])
    return row
