"""A week of opening intervals as staff type them: parsed, checked and described in pt-BR.

Two settings are a week of intervals: the company's opening hours (CompanyProfile.business_hours,
what the assistant says) and each professional's working hours (the agenda's WorkingHours rows,
what the calendar offers). The panel edits both with the same weekly grid, so both are checked
here, once: an interval ends after it starts, and a day's intervals do not overlap (two intervals
on a day leave a break between them, the lunch hour).

Plain data only (no database): the agenda's service and the admin's forms both call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from conversations.assistant.engine.hours import describe
from secretaria.ptbr import WEEKDAY_NAMES

DAYS = range(7)  # Monday is 0, as datetime.weekday() counts
# "8", "8h", "08:00", "8:30", "8h30", "08h30min", "8.30"
_CLOCK = re.compile(r"(?P<hour>\d{1,2})\s*(?:(?:h|:|\.)\s*(?P<minute>\d{2})?\s*(?:min)?)?")


@dataclass(frozen=True, order=True)
class Span:
    """One interval of one weekday, in the company's wall-clock time."""

    weekday: int
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def clock(text: str) -> time:
    """A time of day as typed ("8", "8h", "08:00", "8h30"); ValueError when it is none."""
    match = _CLOCK.fullmatch((text or "").strip().lower())
    if not match:
        raise ValueError(text)
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)


def week_problems(spans: Iterable[Span]) -> list[str]:
    """What is wrong with a week of intervals, one pt-BR sentence per problem (empty when nothing)."""
    problems: list[str] = []
    by_day: dict[int, list[Span]] = {}
    for span in spans:
        if span.weekday not in DAYS:
            problems.append(f"Dia da semana inválido: {span.weekday}.")
            continue
        if span.end <= span.start:
            problems.append(f"{_day(span.weekday)}: o fim ({span.end:%H:%M}) deve ser depois do início "
                            f"({span.start:%H:%M}).")
            continue
        by_day.setdefault(span.weekday, []).append(span)
    for weekday, day in sorted(by_day.items()):
        day.sort()
        for before, after in zip(day, day[1:], strict=False):
            if after.start < before.end:
                problems.append(f"{_day(weekday)}: os intervalos {before} e {after} se sobrepõem.")
    return problems


def _day(weekday: int) -> str:
    name = WEEKDAY_NAMES[weekday]
    return name[0].upper() + name[1:]


def spans_of_business_hours(business_hours: dict | None) -> list[Span]:
    """{"0": [["08:00", "12:00"], ...]} (CompanyProfile.business_hours) as spans; unreadable entries are skipped."""
    found = []
    for key, pairs in (business_hours or {}).items():
        if not (isinstance(key, str) and key.isdigit() and int(key) in DAYS and isinstance(pairs, list)):
            continue
        for pair in pairs:
            try:
                found.append(Span(int(key), clock(pair[0]), clock(pair[1])))
            except (ValueError, IndexError, TypeError):
                continue
    return sorted(found)


def business_hours_of(spans: Iterable[Span]) -> dict[str, list[list[str]]]:
    """Spans as CompanyProfile.business_hours stores them (a day without spans is closed: left out)."""
    week: dict[str, list[list[str]]] = {}
    for span in sorted(spans):
        week.setdefault(str(span.weekday), []).append([f"{span.start:%H:%M}", f"{span.end:%H:%M}"])
    return week


def week_summary(spans: Iterable[Span]) -> str:
    """"segunda a sexta, das 8h às 12h e das 13h às 18h; sábado, das 8h às 12h" ("" when none),
    in the words the assistant uses for the company's hours."""
    return describe(business_hours_of(spans))
