"""Reads of the reports (the API and the exports call these), in the current company's schema.

Periods are the company's calendar (agenda's CalendarConfig.timezone): a day is its local
midnight to midnight, a week ISO (Monday to Sunday), a month the calendar month. Dates are
inclusive at both ends.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from analytics.reports.compute import company_timezone, day_parts
from analytics.reports.figures import empty_figures
from analytics.reports.funnel import funnel_of
from analytics.reports.models import Report
from analytics.reports.parts import change, figures_from_parts, parts_combine
from analytics.reports.quiet_cache import cache_get, cache_set
from analytics.reports.services import week_start

PERIODS = ("day", "week", "month")
GRANULARITIES = ("day", "week")
MAX_RANGE_DAYS = 2 * 366  # "at most two years", leap days included


def range_check(*, date_from: date | None, date_to: date | None) -> None:
    """The rules every range of the API follows, as pt-BR messages."""
    if date_from is None or date_to is None:
        raise ValidationError("Informe o início e o fim do período (from e to).")
    if date_to < date_from:
        raise ValidationError("O fim do período é anterior ao início.")
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise ValidationError("O período pode ter no máximo 2 anos.")


def period_bounds(*, period: str, day: date) -> tuple[date, date]:
    """[from, to] of the day, ISO week or month containing `day`."""
    if period == "day":
        return day, day
    if period == "week":
        start = week_start(day)
        return start, start + timedelta(days=6)
    if period == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    raise ValidationError("Período desconhecido: use day, week ou month.")


def _previous(*, period: str, date_from: date) -> tuple[date, date]:
    return period_bounds(period=period, day=date_from - timedelta(days=1))


def report_summary(*, period: str, day: date) -> dict:
    """The figures of the period containing `day`, the previous period's and the relative change.

    Stored days are combined exactly (analytics/reports/parts.py), today's too: beat's minute run
    stores it as the day goes (services.report_today), so its figures are a minute or two old. Today
    and the last ANALYTICS_REPORTS_LIVE_DAYS days, when not stored at all, are read live from the rows;
    older days never computed count as empty (`manage.py analytics_backfill` computes them).
    """
    date_from, date_to = period_bounds(period=period, day=day)
    prev_from, prev_to = _previous(period=period, date_from=date_from)
    parts = report_day_parts(prev_from, date_to)
    current = figures_from_parts(parts_combine([parts[d] for d in _days(date_from, date_to)]))
    previous = figures_from_parts(parts_combine([parts[d] for d in _days(prev_from, prev_to)]))
    return {"period": period, "from": date_from, "to": date_to, "timezone": company_timezone(),
            "figures": current, "previous": previous,
            "change": {key: change(value, previous[key]) for key, value in current.items()}}


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def report_day_parts(date_from: date, date_to: date) -> dict[date, dict]:
    """Parts of every day of the range: stored ones in one query, past days missing read live, the future empty."""
    stored = dict(Report.objects.filter(granularity=Report.Granularity.DAY, start__range=(date_from, date_to))
                  .values_list("start", "parts"))
    tz = company_timezone()
    today = timezone.localdate(timezone=ZoneInfo(tz))
    live_from = today - timedelta(days=settings.ANALYTICS_REPORTS_LIVE_DAYS)
    for day in _days(date_from, date_to):
        if day not in stored:
            # Today and the last days the nightly run may not have reached; older gaps are the backfill's.
            stored[day] = _live_parts(day, tz) if live_from <= day <= today else {}
    return stored


def _live_parts(day: date, tz: str) -> dict:
    """A day not stored yet, read from the rows; kept ANALYTICS_REPORTS_LIVE_CACHE_SECONDS in the company's
    cache (keys carry the schema), so a dashboard polling the summary does not recount it every time."""
    key = f"analytics:live-parts:{day.isoformat()}:{tz}"
    parts = cache_get(key)
    if parts is None:
        parts = day_parts(day, tz)
        cache_set(key, parts, timeout=settings.ANALYTICS_REPORTS_LIVE_CACHE_SECONDS)
    return parts


def report_history(*, date_from: date, date_to: date, granularity: str) -> list[dict]:
    """One entry per day or ISO week of the range, in order, from the stored rows (one query);
    periods not computed are zero-filled (counts 0, the rest None)."""
    periods = _history_periods(date_from=date_from, date_to=date_to, granularity=granularity)
    rows = dict(_history_rows(periods, granularity).values_list("start", "figures"))
    empty = empty_figures()
    # A row stored before a figure was added lacks it: "sem dados" rather than a missing key.
    return [{"start": start, "end": end, "figures": {**empty, **rows.get(start, {})}} for start, end in periods]


def report_history_json(*, date_from: date, date_to: date, granularity: str) -> str:
    """`report_history` as JSON text, for the API: each stored row's figures are copied as PostgreSQL
    keeps them, never decoded and encoded again (a year is 365 x 35 figures). A row stored before a
    figure was added lacks it here until recomputed (`analytics_backfill`)."""
    periods = _history_periods(date_from=date_from, date_to=date_to, granularity=granularity)
    rows = dict(_history_rows(periods, granularity).annotate(text=Cast("figures", TextField()))
                .values_list("start", "text"))
    empty = json.dumps(empty_figures())
    entries = (f'{{"start":"{start.isoformat()}","end":"{end.isoformat()}","figures":{rows.get(start, empty)}}}'
               for start, end in periods)
    return "[" + ",".join(entries) + "]"


def _history_periods(*, date_from: date, date_to: date, granularity: str) -> list[tuple[date, date]]:
    range_check(date_from=date_from, date_to=date_to)
    if granularity not in GRANULARITIES:
        raise ValidationError("Granularidade desconhecida: use day ou week.")
    step = timedelta(days=7 if granularity == "week" else 1)
    start = week_start(date_from) if granularity == "week" else date_from
    periods = []
    while start <= date_to:
        periods.append((start, start + step - timedelta(days=1)))
        start += step
    return periods


def _history_rows(periods: list[tuple[date, date]], granularity: str):
    return Report.objects.filter(granularity=granularity, start__range=(periods[0][0], periods[-1][0])).order_by()


def report_funnel(*, date_from: date, date_to: date) -> dict:
    """The funnel of the range (analytics/reports/funnel.py): steps, per service, per professional, reminders."""
    range_check(date_from=date_from, date_to=date_to)
    return funnel_of(date_from=date_from, date_to=date_to)
