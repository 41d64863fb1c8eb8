"""Writes of the company's recommendations: the daily run, and the owner's accept and dismiss.

The daily run is idempotent. A situation (kind + subject) has at most one open row; running again
refreshes an unanswered row's numbers, never adds a second one, and closes the rows whose situation
went away (an unanswered one becomes `expired`). Two exceptions, because of what accepting does:
- an accepted "contacts who stopped coming" row is closed at the next run: its messages went out,
  and contacts who stop coming afterwards are a new situation (a new row);
- an accepted "slot with many no-shows" row stays open while the slot stays bad, and each run plans
  the extra reminder for the slot's newly booked appointments too.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from analytics.recommendations.actions import ACTIONS, slot_reminder_for
from analytics.recommendations.models import Recommendation
from analytics.recommendations.rules import RULES, Finding
from secretaria.errors import Conflict
from secretaria.events import RecommendationCreated, publish

log = structlog.get_logger(__name__)
Kind, Status = Recommendation.Kind, Recommendation.Status
CLOSED_ONCE_ACTED = {Kind.INACTIVE_CONTACTS}
ACTED_EVERY_RUN = {Kind.NOSHOW_SLOT}
SUMMED = ("queued", "planned")  # counts of an action that add up over repeated runs

ALREADY_DISMISSED = "Esta recomendação foi descartada; não é possível aceitá-la."
ALREADY_ACCEPTED = "Esta recomendação já foi aceita; não é possível descartá-la."
EXPIRED = "Esta recomendação expirou: a situação mudou desde que foi feita."


def recommendations_compute(*, now: datetime | None = None) -> dict[str, int]:
    """Run every rule for the current company and bring its rows in line. Counts of what changed."""
    now = now or timezone.now()
    counts = {"created": 0, "refreshed": 0, "closed": 0}
    for kind, rule in RULES.items():
        findings = rule(now=now)
        try:
            with transaction.atomic():
                for outcome in _reconcile(kind, findings, now):
                    counts[outcome] += 1
        except IntegrityError:
            # Another run created this kind's row first (the partial unique constraint): it has them.
            log.warning("recommendations_concurrent_run", kind=kind)
    log.info("recommendations_computed", **counts)
    return counts


def _reconcile(kind: str, findings: list[Finding], now: datetime) -> list[str]:
    # Locked: a run overlapping this one (beat twice, a manual run) waits, then finds our rows.
    open_rows = {row.subject: row for row in
                 Recommendation.objects.select_for_update().filter(kind=kind, closed_at__isnull=True)}
    outcomes = []
    for finding in findings:
        row = open_rows.pop(finding.subject, None)
        if row is not None and row.status == Status.ACCEPTED and kind in CLOSED_ONCE_ACTED:
            outcomes.append(_close(row, now))
            row = None
        outcomes.append(_refresh(row, finding, now) if row is not None else _create(finding))
    outcomes.extend(_close(row, now) for row in open_rows.values())
    return outcomes


def _create(finding: Finding) -> str:
    row = Recommendation.objects.create(kind=finding.kind, subject=finding.subject, title=finding.title,
                                        evidence=finding.evidence, importance=finding.importance)
    publish(RecommendationCreated(recommendation_id=row.pk, kind=row.kind, title=row.title))
    return "created"


def _refresh(row: Recommendation, finding: Finding, now: datetime) -> str:
    """Fresh numbers for an unanswered row; an answered one keeps what the owner saw and decided on."""
    if row.status == Status.NEW:
        row.title, row.evidence, row.importance = finding.title, finding.evidence, finding.importance
    elif row.status == Status.ACCEPTED and row.kind in ACTED_EVERY_RUN:
        row.result = _summed(row.result, ACTIONS[row.kind](row, now))
    row.refreshed_at = now
    row.save(update_fields=["title", "evidence", "importance", "result", "refreshed_at"])
    return "refreshed"


def _close(row: Recommendation, now: datetime) -> str:
    row.closed_at = now
    if row.status == Status.NEW:
        row.status = Status.EXPIRED
    row.save(update_fields=["closed_at", "status"])
    return "closed"


def _summed(before: dict, now: dict) -> dict:
    return {**before, **now, **{key: before.get(key, 0) + now[key] for key in SUMMED if key in now}}


# --- The owner's answer --------------------------------------------------------------------------

def recommendation_accept(*, recommendation: Recommendation, actor: str,
                          now: datetime | None = None) -> Recommendation:
    """Accept and run the recommendation's action. Accepting again runs it again, which sends and
    plans nothing twice (the action's keys); a dismissed or expired one cannot be accepted (Conflict)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if row.status == Status.DISMISSED:
            raise Conflict(ALREADY_DISMISSED)
        if row.status == Status.EXPIRED:
            raise Conflict(EXPIRED)
        action = ACTIONS.get(row.kind)
        row.result = _summed(row.result, action(row, now)) if action else row.result
        if row.status == Status.NEW:
            row.status, row.decided_by, row.decided_at = Status.ACCEPTED, actor, now
        row.save(update_fields=["status", "decided_by", "decided_at", "result"])
    log.info("recommendation_accepted", recommendation_id=row.pk, kind=row.kind, result=row.result)
    return row


def recommendation_dismiss(*, recommendation: Recommendation, actor: str,
                           now: datetime | None = None) -> Recommendation:
    """Dismiss: the situation is not raised again while it lasts. Dismissing twice is a no-op; an
    accepted or expired one cannot be dismissed (Conflict)."""
    with transaction.atomic():
        row = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if row.status == Status.ACCEPTED:
            raise Conflict(ALREADY_ACCEPTED)
        if row.status == Status.EXPIRED:
            raise Conflict(EXPIRED)
        if row.status == Status.NEW:
            row.status, row.decided_by, row.decided_at = Status.DISMISSED, actor, now or timezone.now()
            row.save(update_fields=["status", "decided_by", "decided_at"])
    return row


def slot_reminder_on_booking(*, appointment_id: int, now: datetime | None = None) -> bool:
    """A booking in a slot whose no-show recommendation the owner accepted gets the extra reminder at
    once (the daily run would, but a booking for this afternoon cannot wait for it)."""
    accepted = Recommendation.objects.filter(kind=Kind.NOSHOW_SLOT, status=Status.ACCEPTED, closed_at__isnull=True)
    slots = [(row.evidence.get("weekday"), row.evidence.get("hour")) for row in accepted]
    return bool(slots) and slot_reminder_for(appointment_id=appointment_id, slots=slots, now=now or timezone.now())
