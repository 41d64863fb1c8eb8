"""The days the company does not open, as the assistant reads them: holidays and days off.

Two kinds of closed days reach the offline engine, as {date: reason} in the company's own
dates (EngineContext.closed_days):

- the holidays of Brazil, with their pt-BR names, from the `holidays` package: the national
  ones, the state's when the profile names one, and Carnaval (a "ponto facultativo" by law, a
  day off for most businesses in practice). A company whose profile says it opens on holidays
  (`opens_on_holidays`) gets none of them;
- the company's own days off, which live in a higher app (the agenda's `TimeOff` rows for the
  whole business). `conversations` cannot import it, so that app registers a source in its
  `AppConfig.ready()`:

      register_closed_day_source(ClosedDaySource(name="agenda", spans=company_days_off))

  A source returns spans of time (start, end, reason); a span closes a date when it covers all
  of that date's business hours (the whole day when the date has none), so an afternoon off
  does not close the morning.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
import structlog

from conversations.assistant.engine import hours
from secretaria.registry import Registry
from secretaria.settings_cache import cached

log = structlog.get_logger(__name__)
# How far ahead the engine knows the calendar: "abrem feriado?" lists the next closed days in it.
WINDOW_DAYS = 60
# Optional days (pontos facultativos) that close most businesses; the others (Ash Wednesday until
# 14h, Christmas and New Year's eves in the afternoon, Corpus Christi, the civil servants' day) do not
# close a whole business day, and a company that closes on one adds it as a day off.
_OPTIONAL_CLOSED = frozenset({"Carnaval"})
_DAY_OFF = "recesso"  # the reason of a day off entered without one
_LAST_MINUTE = 24 * 60 - 1  # a day off entered as "00:00 to 23:59" covers the whole day


@dataclass(frozen=True)
class ClosedSpan:
    """A stretch of time the whole business is closed (aware datetimes)."""

    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True)
class ClosedDaySource:
    name: str
    spans: Callable[[datetime, datetime], Iterable[ClosedSpan]]  # (window start, window end) -> spans


_sources: Registry[ClosedDaySource] = Registry(key=lambda source: source.name)


def register_closed_day_source(source: ClosedDaySource) -> None:
    _sources.register(source)


def unregister_closed_day_source(name: str) -> None:
    _sources.unregister(name)


def company_closed_days(*, profile, now: datetime) -> dict[date, str]:
    """The current company's closed days ahead, kept in this process until its settings change.

    Days off are settings (their admin bumps the settings version), and so is the profile's
    holiday choice; the cache's MAX_AGE renews the window a few minutes past midnight, which
    the day before in it covers.
    """
    return cached("closed_days", lambda: closed_days_ahead(profile=profile, now=now))


def closed_days_ahead(*, profile, now: datetime, tz: str = hours.DEFAULT_TZ,
                      days: int = WINDOW_DAYS) -> dict[date, str]:
    """{date: pt-BR reason} for the company's closed days from yesterday to `days` ahead.

    Yesterday is included so a cached copy stays right a little past midnight, and so is
    the whole window's last day. `profile` is a CompanyProfile (or ProfileData: no holiday
    settings, so national holidays close).
    """
    zone = ZoneInfo(tz)
    first = now.astimezone(zone).date() - timedelta(days=1)
    last = first + timedelta(days=days + 1)
    closed: dict[date, str] = {}
    if not getattr(profile, "opens_on_holidays", False):
        closed.update(brazil_holidays(first=first, last=last, state=getattr(profile, "state", "") or ""))
    business_hours = getattr(profile, "business_hours", None) or {}
    start, end = _midnight(first, zone), _midnight(last + timedelta(days=1), zone)
    for source in _sources.all():
        for span in source.spans(start, end):
            for day in _days_covered(span, business_hours, zone, first, last):
                # The company's own word wins over the calendar's ("Recesso de fim de ano" on the 25th).
                closed[day] = span.reason.strip() or closed.get(day) or _DAY_OFF
    return closed


def brazil_holidays(*, first: date, last: date, state: str = "") -> dict[date, str]:
    """The holidays from `first` to `last` (inclusive), national and the state's, named in pt-BR."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        found.update({day: name for day, name in _year_holidays(year, state).items() if first <= day <= last})
    return found


@functools.lru_cache(maxsize=256)
def _year_holidays(year: int, state: str) -> dict[date, str]:
    # Built once per (year, state) and process: the package computes movable feasts on every call.
    subdiv = state if state in holiday_calendars.Brazil.subdivisions else None
    if state and subdiv is None:
        log.warning("closed_days_unknown_state", state=state)
    public = holiday_calendars.Brazil(years=year, subdiv=subdiv, language="pt_BR")
    optional = holiday_calendars.Brazil(years=year, subdiv=subdiv, language="pt_BR", categories=("optional",))
    days = dict(public.items())
    days.update({day: name for day, name in optional.items() if name in _OPTIONAL_CLOSED and day not in days})
    return days


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _days_covered(span: ClosedSpan, business_hours: dict, zone: ZoneInfo, first: date, last: date):
    """The dates in [first, last] whose business hours the span covers entirely."""
    day, until = max(span.start.astimezone(zone).date(), first), min(span.end.astimezone(zone).date(), last)
    while day <= until:
        needed = hours.intervals(business_hours, day.weekday()) or [(0, _LAST_MINUTE)]
        midnight = _midnight(day, zone)
        if all(span.start <= midnight + timedelta(minutes=start)
               and midnight + timedelta(minutes=min(end, _LAST_MINUTE)) <= span.end for start, end in needed):
            yield day
        day += timedelta(days=1)
