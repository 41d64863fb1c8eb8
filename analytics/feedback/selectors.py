"""Reads of feedback: the keys, the stored scores, and the NPS of a period (in the current company's schema).

The NPS counts every score the company has: the follow-up answers (agenda's `FollowUp`, by when they
were answered, attributed to their appointment's professional and service, source "followup") and the
scores other systems sent (`Feedback`, by when the customer gave them). Periods are the company's
calendar, dates inclusive, as the reports read them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from agenda.models import FollowUp, Professional, Service
from analytics.feedback.models import Feedback, FeedbackKey
from analytics.feedback.nps import PASSIVE_MIN, PROMOTER_MIN, Tally
from analytics.feedback.services import FOLLOWUP_SOURCE
from analytics.reports.compute import company_timezone, day_bounds
from analytics.reports.services import week_start

BANDS = {
    "promoters": Count("pk", filter=Q(score__gte=PROMOTER_MIN)),
    "passives": Count("pk", filter=Q(score__gte=PASSIVE_MIN, score__lt=PROMOTER_MIN)),
    "detractors": Count("pk", filter=Q(score__lt=PASSIVE_MIN)),
}
NO_PROFESSIONAL = "Sem profissional informado"
NO_SERVICE = "Sem serviço informado"


def feedback_key_list() -> QuerySet[FeedbackKey]:
    return FeedbackKey.objects.all()


def feedback_key_get(*, key_id: int) -> FeedbackKey | None:
    return FeedbackKey.objects.filter(pk=key_id).first()


def feedback_list() -> QuerySet[Feedback]:
    return Feedback.objects.select_related("contact", "professional", "service")


@dataclass(frozen=True)
class _Group:
    """Responses of one source about one professional and one service (ids may be None)."""

    source: str
    professional_id: int | None
    service_id: int | None
    tally: Tally


def _groups(start: datetime, end: datetime) -> list[_Group]:
    """Two grouped queries: the follow-up answers and the ingested scores of [start, end)."""
    followups = (FollowUp.objects.filter(answered_at__gte=start, answered_at__lt=end, score__isnull=False)
                 .values("appointment__professional_id", "appointment__service_id").annotate(**BANDS).order_by())
    ingested = (Feedback.objects.filter(given_at__gte=start, given_at__lt=end)
                .values("source", "professional_id", "service_id").annotate(**BANDS).order_by())
    groups = [_Group(FOLLOWUP_SOURCE, row["appointment__professional_id"], row["appointment__service_id"],
                     _tally(row)) for row in followups]
    groups += [_Group(row["source"], row["professional_id"], row["service_id"], _tally(row)) for row in ingested]
    return groups


def _tally(row: dict) -> Tally:
    return Tally(promoters=row["promoters"], passives=row["passives"], detractors=row["detractors"])


def _sum_by(groups: list[_Group], attribute: str) -> dict:
    totals: dict = defaultdict(Tally)
    for group in groups:
        tally = group.tally
        totals[getattr(group, attribute)].add(promoters=tally.promoters, passives=tally.passives,
                                              detractors=tally.detractors)
    return totals


def _ordered(entries: list[dict]) -> list[dict]:
    """Most responses first, then by name; the entry without an id (nothing named) last."""
    return sorted(entries, key=lambda e: (e.get("id", 0) is None, -e["responses"], e.get("name") or e.get("source")))


def _named(totals: dict, model, missing: str) -> list[dict]:
    names = dict(model.objects.filter(pk__in=[pk for pk in totals if pk is not None]).values_list("pk", "name"))
    return _ordered([{"id": pk, "name": names.get(pk, missing) if pk is not None else missing, **tally.as_dict()}
                     for pk, tally in totals.items()])


def nps_report(*, date_from: date, date_to: date) -> dict:
    """The NPS of the company's days [date_from, date_to]: overall, per professional, per service and per
    source. Figures are null ("sem dados") where there is no response; nothing divides by zero."""
    tz = company_timezone()
    start, end = day_bounds(date_from, tz)[0], day_bounds(date_to, tz)[1]
    groups = _groups(start, end)
    sources = _sum_by(groups, "source")
    total = Tally()
    for tally in sources.values():
        total.add(promoters=tally.promoters, passives=tally.passives, detractors=tally.detractors)
    return {
        "from": date_from, "to": date_to, "timezone": tz, **total.as_dict(),
        "by_professional": _named(_sum_by(groups, "professional_id"), Professional, NO_PROFESSIONAL),
        "by_service": _named(_sum_by(groups, "service_id"), Service, NO_SERVICE),
        "by_source": _ordered([{"source": source, **tally.as_dict()} for source, tally in sources.items()]),
    }


def nps_week_by_source(*, now: datetime | None = None) -> dict[str, Tally]:
    """The current ISO week so far (company calendar), per source: what the gauges show."""
    tz = company_timezone()
    today = timezone.localdate(now or timezone.now(), timezone=ZoneInfo(tz))
    start = day_bounds(week_start(today), tz)[0]
    return dict(_sum_by(_groups(start, day_bounds(today, tz)[1]), "source"))


def feedback_sources_recent(*, days: int, limit: int, now: datetime | None = None) -> list[str]:
    """The sources that sent the most scores in the last `days` days, at most `limit` of them."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (Feedback.objects.filter(given_at__gte=since).values("source").annotate(n=Count("pk"))
            .order_by("-n", "source")[:limit])
    return [row["source"] for row in rows]
