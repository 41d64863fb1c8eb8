"""Business hours: open now?, when does it open next?, and how to say the hours in Portuguese.

The shape is CompanyProfile.business_hours: {"0": [["08:00", "12:00"], ["13:00", "18:00"]], ...},
Monday is "0", a missing day is closed, and an empty dict means "no hours set": always open
(a company that never configured hours must not be told it is closed). Times are the
company's local wall clock; an interval ending at or before its start runs to midnight.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from secretaria.ptbr import WEEKDAY_NAMES as DAY_NAMES
from secretaria.ptbr import WEEKDAYS

DEFAULT_TZ = "America/Sao_Paulo"
_DAY_END = 24 * 60


def _minutes(value: str) -> int:
    hours, minutes = str(value).strip().split(":")
    total = int(hours) * 60 + int(minutes)
    if not 0 <= total <= _DAY_END:
        raise ValueError(value)
    return total


def intervals(business_hours: dict, weekday: int) -> list[tuple[int, int]]:
    """The day's open intervals in minutes since midnight, sorted; malformed entries are skipped."""
    found = []
    for pair in (business_hours or {}).get(str(weekday)) or []:
        try:
            start, end = _minutes(pair[0]), _minutes(pair[1])
        except (ValueError, IndexError, TypeError, AttributeError):
            continue
        found.append((start, end if end > start else _DAY_END))
    return sorted(found)


def local_time(now: datetime, tz: str = DEFAULT_TZ) -> datetime:
    return now.astimezone(ZoneInfo(tz))


def is_open(business_hours: dict, now: datetime, tz: str = DEFAULT_TZ) -> bool:
    if not business_hours:
        return True
    local = local_time(now, tz)
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in intervals(business_hours, local.weekday()))


def next_opening(business_hours: dict, now: datetime, tz: str = DEFAULT_TZ) -> datetime | None:
    """When the company is next open (now, if open now); None if no day has hours."""
    local = local_time(now, tz)
    if is_open(business_hours, now, tz):
        return local
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        for start, _end in intervals(business_hours, day.weekday()):
            candidate = datetime.combine(day, time(start // 60, start % 60), tzinfo=local.tzinfo)
            if candidate > local:
                return candidate
    return None


def when(moment: datetime, now: datetime, tz: str = DEFAULT_TZ) -> str:
    """'hoje às 13:00', 'amanhã às 08:00', 'na segunda-feira às 08:00', 'no sábado às 09:00'."""
    local, today = local_time(moment, tz), local_time(now, tz).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return f"hoje às {clock}"
    if days == 1:
        return f"amanhã às {clock}"
    weekday = local.weekday()
    article = "no" if weekday >= 5 else "na"
    return f"{article} {WEEKDAYS[weekday]} às {clock}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def spans(day_intervals: list[tuple[int, int]]) -> str:
    """'das 08:00 às 12:00 e das 13:00 às 18:00' ('24 horas' for a whole day)."""
    if day_intervals == [(0, _DAY_END)]:
        return "24 horas"
    return " e ".join(f"das {_clock(start)} às {_clock(end)}" for start, end in day_intervals)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " e " + words[-1]


def days_phrase(days: list[int]) -> str:
    """[0, 1, 2, 3, 4] -> 'segunda a sexta'; [0, 2, 4] -> 'segunda, quarta e sexta'."""
    if len(days) == 7:
        return "todos os dias"
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words: list[str] = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{DAY_NAMES[run[0]]} a {DAY_NAMES[run[-1]]}")
        else:
            words.extend(DAY_NAMES[d] for d in run)
    return _join(words)


def describe(business_hours: dict) -> str:
    """'segunda a sexta, das 08:00 às 18:00; sábado, das 08:00 às 12:00' ('' when no hours are set)."""
    groups: dict[tuple, list[int]] = {}
    for day in range(7):
        day_intervals = tuple(intervals(business_hours, day))
        if day_intervals:
            groups.setdefault(day_intervals, []).append(day)
    return "; ".join(f"{days_phrase(days)}, {spans(list(iv))}" for iv, days in groups.items())


def describe_day(business_hours: dict, weekday: int) -> str:
    """One day's hours: 'sábado, das 08:00 às 12:00' or 'domingo: fechado'."""
    day_intervals = intervals(business_hours, weekday)
    if not day_intervals:
        return f"{DAY_NAMES[weekday]}: fechado"
    return f"{DAY_NAMES[weekday]}, {spans(day_intervals)}"
