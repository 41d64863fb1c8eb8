"""Writes of the reports: a company's day and ISO week, computed and stored (replacing what was there).

All of them work in the current company's schema. `report_nightly` is what beat runs every hour
for every company: once the company's own midnight has passed, yesterday is computed and its
week re-combined. A per-company PostgreSQL advisory lock keeps two workers from computing one
company at the same time (the second skips: the first writes the same rows).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import structlog
from django.db import connection, transaction
from django.utils import timezone

from analytics.reports.compute import company_timezone, day_bounds, day_parts
from analytics.reports.metrics import report_gauges_export
from analytics.reports.models import Report
from analytics.reports.parts import figures_from_parts, parts_combine

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
    """Yesterday (the company's) and its week, unless yesterday was already computed after it ended.

    Returns "computed", "done" (nothing due) or "busy" (another worker holds the company's lock).
    """
    yesterday = company_yesterday()
    _, ended = day_bounds(yesterday, company_timezone())
    # A row computed before the day ended (a backfill run during it) is partial: compute it again.
    if Report.objects.filter(granularity=DAY, start=yesterday, computed_at__gte=ended).exists():
        return "done"
    try:
        with report_lock():
            day = report_compute(day=yesterday)
            week = report_compute_week(day=yesterday)
    except ReportBusy:
        return "busy"
    report_gauges_export(schema=connection.schema_name, day=day.figures, week=week.figures)
    log.info("analytics_report_computed", day=str(yesterday))
    return "computed"


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
