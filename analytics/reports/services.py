"""Writes of the reports: a company's day and ISO week, computed and stored (replacing what was there).

All of them work in the current company's schema. `report_nightly` is what beat runs every hour
for every company: once the company's own midnight has passed, yesterday is computed and its
week re-combined. `report_today` is what it runs every minute: today's row, stored as the day goes
(when something happened since the last one), so that a summary reads stored rows only instead of
counting today from the rows on every first read. A row computed before its day ended is partial:
the nightly run computes that day again. A per-company PostgreSQL advisory lock keeps two workers
from computing one company at the same time (the second skips: the first writes the same rows).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from agenda.models import Appointment, AppointmentEvent
from analytics.feedback.models import Feedback
from analytics.reports.compute import company_timezone, day_bounds, day_parts
from analytics.reports.metrics import report_gauges_export
from analytics.reports.models import FunnelMark, Report
from analytics.reports.parts import figures_from_parts, parts_combine
from analytics.reports.quiet_cache import cache_get, cache_set
from conversations.models import LLMCall, Message

log = structlog.get_logger(__name__)
DAY, WEEK = Report.Granularity.DAY, Report.Granularity.WEEK


class ReportBusy(Exception):
    """Another worker is computing this company's reports right now."""


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def report_compute(*, day: date) -> Report:
    """Compute the company's `day` from the rows and store it, replacing an earlier computation."""
    tz = company_timezone()
    parts = day_parts(day, tz)
    return _store(granularity=DAY, start=day, end=day, tz=tz, parts=parts)


def report_compute_week(*, day: date) -> Report:
    """Combine the stored days of `day`'s ISO week (Monday to Sunday) into its week row.

    Days not computed yet count as empty: the nightly run re-combines the week every day.
    """
    start = week_start(day)
    end = start + timedelta(days=6)
    days = Report.objects.filter(granularity=DAY, start__range=(start, end)).order_by("start")
    parts = parts_combine([row.parts for row in days])
    return _store(granularity=WEEK, start=start, end=end, tz=company_timezone(), parts=parts)


def _store(*, granularity: str, start: date, end: date, tz: str, parts: dict) -> Report:
    report, _ = Report.objects.update_or_create(
        granularity=granularity, start=start,
        defaults={"end": end, "timezone": tz, "parts": parts, "figures": figures_from_parts(parts),
                  "computed_at": timezone.now()})
    return report


def reports_compute_range(*, date_from: date, date_to: date) -> int:
    """Every day of [date_from, date_to] and every ISO week touching it (the backfill). Returns days done."""
    with report_lock():
        day = date_from
        while day <= date_to:
            report_compute(day=day)
            day += timedelta(days=1)
        week = week_start(date_from)
        while week <= date_to:
            report_compute_week(day=week)
            week += timedelta(days=7)
    return (date_to - date_from).days + 1


def company_yesterday() -> date:
    return timezone.localdate(timezone=ZoneInfo(company_timezone())) - timedelta(days=1)


def report_nightly() -> str:
    """Yesterday (the company's) and its week, unless yesterday was already computed after it ended;
    with it, any of the ANALYTICS_REPORTS_LIVE_DAYS days before it left partial (a missed night).

    Returns "computed", "done" (nothing due) or "busy" (another worker holds the company's lock).
    """
    yesterday = company_yesterday()
    due = _days_partial(yesterday)
    if not due:
        return "done"
    try:
        with report_lock():
            for day in due:
                stored = report_compute(day=day)
                week = report_compute_week(day=day)
    except ReportBusy:
        return "busy"
    if due[-1] == yesterday:  # the gauges show yesterday and its week, not an older day made whole
        report_gauges_export(schema=connection.schema_name, day=stored.figures, week=week.figures)
    log.info("analytics_report_computed", days=[str(day) for day in due])
    return "computed"


def _days_partial(yesterday: date) -> list[date]:
    """Yesterday, and the recent days with a row computed before they ended (in date order); yesterday
    counts even without a row, older days only with one (a day never computed is the backfill's)."""
    tz = company_timezone()
    recent = [yesterday - timedelta(days=n) for n in range(settings.ANALYTICS_REPORTS_LIVE_DAYS, -1, -1)]
    stored = dict(Report.objects.filter(granularity=DAY, start__in=recent).values_list("start", "computed_at"))
    # A row computed before the day ended (today's row, or a backfill run during it) is partial.
    return [day for day in recent if (day in stored or day == yesterday)
            and (day not in stored or stored[day] < day_bounds(day, tz)[1])]


def report_today() -> str:
    """Today's row, computed again when something happened since the last one and it is at least
    ANALYTICS_REPORTS_TODAY_SECONDS old (at most ANALYTICS_REPORTS_TODAY_MAX_AGE in any case: a quota's
    share follows billing's roll-up, which leaves no mark here).

    Returns "computed", "fresh" (nothing to do) or "busy".
    """
    today = company_yesterday() + timedelta(days=1)
    mark, key = activity_mark(), f"analytics:today-mark:{today.isoformat()}"
    computed_at = Report.objects.filter(granularity=DAY, start=today).values_list("computed_at", flat=True).first()
    if computed_at is not None and not _today_due(computed_at, changed=cache_get(key) != mark):
        return "fresh"
    try:
        with report_lock():
            report_compute(day=today)
            _outdated_recompute(before=today)
    except ReportBusy:
        return "busy"
    # The mark read before counting: what happened while counting makes the next run count again.
    cache_set(key, mark, timeout=2 * 24 * 3600)
    return "computed"


def _today_due(computed_at, *, changed: bool) -> bool:
    age = (timezone.now() - computed_at).total_seconds()
    if age >= settings.ANALYTICS_REPORTS_TODAY_MAX_AGE:
        return True
    return changed and age >= settings.ANALYTICS_REPORTS_TODAY_SECONDS


# computed_at of a stored past day that something changed since (an appointment of that day marked
# attended days later): before any day's end, so it reads as partial, and recognisable as such.
OUTDATED = datetime(2000, 1, 1, tzinfo=UTC)


def report_outdate_for_appointment(*, appointment_id: int) -> int:
    """An appointment's outcome was set: its day's stored row (when past) is computed again by the
    next minute's run, and its week with it. Returns the rows marked (0 or 1)."""
    start = Appointment.objects.filter(pk=appointment_id).values_list("start", flat=True).first()
    return report_outdate(moment=start) if start is not None else 0


def report_outdate_for_feedback(*, feedback_id: int) -> int:
    """A score another system sent for an earlier day (analytics/feedback): that day's NPS changes."""
    given_at = Feedback.objects.filter(pk=feedback_id).values_list("given_at", flat=True).first()
    return report_outdate(moment=given_at) if given_at is not None else 0


def report_outdate(*, moment: datetime) -> int:
    """The stored row of the past day holding `moment` is computed again by the next minute's run."""
    day = timezone.localdate(moment, timezone=ZoneInfo(company_timezone()))
    if day >= company_yesterday() + timedelta(days=1):
        return 0  # today's row follows the activity mark anyway
    return Report.objects.filter(granularity=DAY, start=day).exclude(computed_at=OUTDATED).update(
        computed_at=OUTDATED)


def _outdated_recompute(*, before: date) -> None:
    for day in Report.objects.filter(granularity=DAY, start__lt=before, computed_at=OUTDATED).values_list(
            "start", flat=True):
        report_compute(day=day)
        report_compute_week(day=day)


def activity_mark() -> str:
    """The newest row id of what today's figures are counted from, in one query by primary key indexes:
    a message (conversations opened, handoffs, follow-up answers and reminders all bring one), an
    appointment event (bookings, moves, attendances, no-shows), an AI call, a funnel mark, an ingested score."""
    tables = [model._meta.db_table for model in (Message, AppointmentEvent, LLMCall, FunnelMark, Feedback)]
    sql = "SELECT " + ", ".join(f'(SELECT max(id) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return ":".join(str(value or 0) for value in cursor.fetchone())


@contextmanager
def report_lock() -> Iterator[None]:
    """The company's report lock (a transaction-scoped PostgreSQL advisory lock), or ReportBusy.

    Transaction-scoped: a worker killed mid-run releases it with its connection, and every row
    of the run commits together.
    """
    key = zlib.crc32(f"analytics-report:{connection.schema_name}".encode()) & 0x7FFFFFFF  # int4
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, key])
            if not cursor.fetchone()[0]:
                raise ReportBusy(connection.schema_name)
        yield


LOCK_CLASS = 1170  # the first key of the two-int advisory lock: "analytics reports", apart from other locks
