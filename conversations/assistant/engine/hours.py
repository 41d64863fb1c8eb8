"""Business hours: open now?, when does it open next?, and how to say the hours in Portuguese.

`answer` turns a customer's question about the hours ("fecham pro almoço?", "tão abertos
agora?", "abre sábado?", "abrem feriado?") into a direct answer computed from the hours,
instead of pasting the whole week.

The shape is CompanyProfile.business_hours: {"0": [["08:00", "12:00"], ["13:00", "18:00"]], ...},
Monday is "0", a missing day is closed, and an empty dict means "no hours set": always open
(a company that never configured hours must not be told it is closed). Times are the
company's local wall clock; an interval ending at or before its start runs to midnight.

Closed days (holidays, the company's days off) come as plain data, {date: reason} in the
company's dates (conversations/assistant/closed_days.py builds them): a closed day is closed
whatever its weekday's hours say. Every function takes them as an optional keyword, so a
caller without a calendar gets the weekly hours alone.
"""

import re
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from secretaria.ptbr import WEEKDAY_NAMES as DAY_NAMES
from secretaria.ptbr import WEEKDAY_NUMBERS, WEEKDAYS, fold

DEFAULT_TZ = "America/Sao_Paulo"
_DAY_END = 24 * 60
# The next closed days "abrem feriado?" lists.
_HOLIDAYS_LISTED = 3


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


def is_open(business_hours: dict, now: datetime, tz: str = DEFAULT_TZ, *, closed_days: dict | None = None) -> bool:
    local = local_time(now, tz)
    if closed_days and local.date() in closed_days:
        return False
    if not business_hours:
        return True
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in intervals(business_hours, local.weekday()))


def next_opening(business_hours: dict, now: datetime, tz: str = DEFAULT_TZ, *,
                 closed_days: dict | None = None) -> datetime | None:
    """When the company is next open (now, if open now), skipping closed days; None if no day has hours."""
    local = local_time(now, tz)
    if is_open(business_hours, now, tz, closed_days=closed_days):
        return local
    closed_days = closed_days or {}
    # A week past the last closed day that could be in the way (a run of holidays, a recess).
    for offset in range(8 + len(closed_days)):
        day = (local + timedelta(days=offset)).date()
        if day in closed_days:
            continue
        for start, _end in intervals(business_hours, day.weekday()):
            candidate = datetime.combine(day, time(start // 60, start % 60), tzinfo=local.tzinfo)
            if candidate > local:
                return candidate
    return None


def closes_at(business_hours: dict, now: datetime, tz: str = DEFAULT_TZ, *,
              closed_days: dict | None = None) -> datetime | None:
    """When the interval open now ends (None when closed now or no hours are set)."""
    if not business_hours:
        return None
    local = local_time(now, tz)
    if closed_days and local.date() in closed_days:
        return None
    minute = local.hour * 60 + local.minute
    for start, end in intervals(business_hours, local.weekday()):
        if start <= minute < end:
            midnight = datetime.combine(local.date(), time(0), tzinfo=local.tzinfo)
            return midnight + timedelta(minutes=end)
    return None


def breaks(business_hours: dict, weekday: int) -> list[tuple[int, int]]:
    """The gaps between a day's intervals (a lunch break): [(720, 780)] for 08-12 and 13-18."""
    day = intervals(business_hours, weekday)
    return [(day[i][1], day[i + 1][0]) for i in range(len(day) - 1) if day[i + 1][0] > day[i][1]]


def when(moment: datetime, now: datetime, tz: str = DEFAULT_TZ) -> str:
    """'hoje às 13h', 'amanhã às 8h', 'na segunda-feira às 8h', 'no sábado às 9h30';
    a week or more ahead (after a recess) with the date: 'na segunda-feira, 04/01, às 8h'."""
    local, today = local_time(moment, tz), local_time(now, tz).date()
    clock = _clock(local.hour * 60 + local.minute)
    days = (local.date() - today).days
    if days == 0:
        return f"hoje às {clock}"
    if days == 1:
        return f"amanhã às {clock}"
    weekday = local.weekday()
    article = "no" if weekday >= 5 else "na"
    if days >= 7:
        return f"{article} {WEEKDAYS[weekday]}, {local:%d/%m}, às {clock}"
    return f"{article} {WEEKDAYS[weekday]} às {clock}"


def day_words(day: date) -> str:
    """'sexta-feira, 25/12'."""
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m}"


def _clock(minutes: int) -> str:
    """As Brazilians say it: 480 -> '8h', 750 -> '12h30'."""
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes % 60 else f"{minutes // 60}h"


def spans(day_intervals: list[tuple[int, int]]) -> str:
    """'das 8h às 12h e das 13h às 18h' ('24 horas' for a whole day)."""
    if day_intervals == [(0, _DAY_END)]:
        return "24 horas"
    return " e ".join(f"das {_clock(start)} às {_clock(end)}" for start, end in day_intervals)


def join_words(words: list[str]) -> str:
    """['a'] -> 'a'; ['a', 'b', 'c'] -> 'a, b e c'."""
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
    return join_words(words)


def describe(business_hours: dict) -> str:
    """'segunda a sexta, das 8h às 18h; sábado, das 8h às 12h' ('' when no hours are set)."""
    groups: dict[tuple, list[int]] = {}
    for day in range(7):
        day_intervals = tuple(intervals(business_hours, day))
        if day_intervals:
            groups.setdefault(day_intervals, []).append(day)
    return "; ".join(f"{days_phrase(days)}, {spans(list(iv))}" for iv, days in groups.items())


def describe_day(business_hours: dict, weekday: int) -> str:
    """One day's hours: 'sábado, das 8h às 12h' or 'domingo: fechado'."""
    day_intervals = intervals(business_hours, weekday)
    if not day_intervals:
        return f"{DAY_NAMES[weekday]}: fechado"
    return f"{DAY_NAMES[weekday]}, {spans(day_intervals)}"


# What a customer asks about the hours, in accent-folded words.
_LUNCH = re.compile(r"\b(almoc\w*|meio[ -]dia|intervalo|pausa)\b")
_HOLIDAY = re.compile(r"\bferiados?\b")
_NOW = re.compile(r"\b(agora|neste momento|nesse momento|ainda (esta|estao|ta|tao|tem gente)|ja (abriu|abriram))\b")
_OPEN_QUESTION = re.compile(r"\b(que horas|qual|quais|quando|ate que|a partir de que)\b")
_WEEKEND = re.compile(r"\b(fim de semana|final de semana|fds)\b")


class _Day(NamedTuple):
    """The day a customer asks about: its weekday, how to say it and its date."""

    weekday: int
    label: str  # "hoje", "amanhã", "na segunda", "no sábado"
    date: date


def _asked_day(norm: str, today: date) -> _Day | None:
    """The day named: 'hoje', 'amanhã', 'sábado', 'sabado', 'sab'... (a weekday is the next one, today included)."""
    if re.search(r"\b(hoje|hj)\b", norm):
        return _Day(today.weekday(), "hoje", today)
    if re.search(r"\b(amanha|amnh)\b", norm):
        tomorrow = today + timedelta(days=1)
        return _Day(tomorrow.weekday(), "amanhã", tomorrow)
    if dated := _dated(norm, today):
        return _Day(dated.weekday(), f"no dia {dated:%d/%m}", dated)
    for name, day in WEEKDAY_NUMBERS.items():
        if re.search(rf"\b{name}|\b{name[:3]}\b", norm):
            return _Day(day, f"{'no' if day >= 5 else 'na'} {DAY_NAMES[day]}",
                        today + timedelta(days=(day - today.weekday()) % 7))
    return None


# "dia 25", "dia 1º" (folded to "1o"), "25/12": a day of the month; "dia 10h" is a time, not a day.
_DATE = re.compile(r"\bdia (\d{1,2})o?\b|\b(\d{1,2})/(\d{1,2})\b")


def _dated(norm: str, today: date) -> date | None:
    """The next date (today included) with the day (and month) named; None when none is named or it is no date."""
    found = _DATE.search(norm)
    if not found:
        return None
    day, month = int(found[1] or found[2]), int(found[3]) if found[3] else None
    if month is None:
        options = [(today.year + (today.month + k - 1) // 12, (today.month + k - 1) % 12 + 1) for k in (0, 1, 2)]
    else:
        options = [(today.year + k, month) for k in (0, 1)]
    for year, month_ in options:
        try:
            candidate = date(year, month_, day)
        except ValueError:
            continue  # 31 in a month of 30 days, 13/13
        if candidate >= today:
            return candidate
    return None


def answer(business_hours: dict, text: str, now: datetime, tz: str = DEFAULT_TZ, *, holidays=None,
           closed_days: dict | None = None, opens_on_holidays: bool = False) -> str:
    """A direct answer to a question about the hours (business_hours must be set).

    `closed_days` ({date: reason}, None when the caller has no calendar) and `opens_on_holidays`
    (the company's setting) let it answer "abrem feriado?" and skip holidays and days off.
    """
    norm = fold(text)
    local = local_time(now, tz)
    day = _asked_day(norm, local.date())
    yes_no = not _OPEN_QUESTION.search(norm)
    closed = closed_days or {}
    if named := _named_closed_days(norm, closed, local.date()):
        return _named_closed_answer(business_hours, named, closed, now, tz)
    if _HOLIDAY.search(norm):
        if closed_days is None:
            return _holiday_answer(business_hours, holidays)
        return _calendar_answer(business_hours, closed, local.date(), opens_on_holidays=opens_on_holidays)
    if day is not None and day.date in closed and intervals(business_hours, day.weekday):
        return _closed_day_answer(business_hours, day, closed, now, tz)
    if _LUNCH.search(norm):
        return _lunch_answer(business_hours, day)
    if _WEEKEND.search(norm) and day is None:
        return _weekend_answer(business_hours) + _weekend_closed(business_hours, closed, local.date())
    if _NOW.search(norm):
        return _now_answer(business_hours, now, tz, closed)
    if day is not None:
        return _day_answer(business_hours, day.weekday, day.label, yes_no=yes_no)
    reply = f"Nosso horário de atendimento: {describe(business_hours)}."
    if not is_open(business_hours, now, tz, closed_days=closed) and (
            opening := next_opening(business_hours, now, tz, closed_days=closed)):
        status = f"Hoje não abrimos ({closed[local.date()]})" if local.date() in closed \
            else "No momento estamos fechados"
        reply += f" {status}; voltamos {when(opening, now, tz)}."
    return reply


def _day_answer(business_hours: dict, weekday: int, label: str, *, yes_no: bool) -> str:
    day_intervals = intervals(business_hours, weekday)
    if not day_intervals:
        open_days = [d for d in range(7) if intervals(business_hours, d)]
        return f"Não, {label} não abrimos. Atendemos {days_phrase(open_days)}." if open_days \
            else f"Não, {label} não abrimos."
    hours_ = spans(day_intervals)
    return f"Sim, {label} atendemos {hours_}." if yes_no else f"{label.capitalize()} atendemos {hours_}."


def _closed_day_answer(business_hours: dict, day: _Day, closed: dict, now: datetime, tz: str) -> str:
    """'Não, na segunda (16/02, Carnaval) não abrimos. Abrimos de novo na quarta-feira às 8h.'"""
    said = f"{day.date:%d/%m}, " if not day.label.endswith(f"{day.date:%d/%m}") else ""
    reply = f"Não, {day.label} ({said}{closed[day.date]}) não abrimos."
    after = datetime.combine(day.date + timedelta(days=1), time(0), tzinfo=local_time(now, tz).tzinfo)
    if (opening := next_opening(business_hours, after, tz, closed_days=closed)) is not None:
        reply += f" Abrimos de novo {when(opening, now, tz)}."
    return reply


def _named_closed_days(norm: str, closed: dict, today: date) -> list[tuple[date, str]]:
    """The next run of closed days the customer names ("abrem no carnaval?", "e no natal?"): same reason, in a row."""
    run: list[tuple[date, str]] = []
    for day, reason in sorted(closed.items()):
        if day < today or len(fold(reason)) < 4 or not re.search(rf"\b{re.escape(fold(reason))}\b", norm):
            continue
        if run and (reason != run[-1][1] or (day - run[-1][0]).days > 1):
            break
        run.append((day, reason))
    return run


def _named_closed_answer(business_hours: dict, run: list[tuple[date, str]], closed: dict, now: datetime,
                         tz: str) -> str:
    """'Não, não abrimos em 08/02 e 09/02 (Carnaval). Abrimos de novo na quarta-feira às 8h.'"""
    first, reason = run[0]
    when_ = f"{'no' if first.weekday() >= 5 else 'na'} {day_words(first)}" if len(run) == 1 \
        else "em " + join_words([f"{day:%d/%m}" for day, _reason in run])
    reply = f"Não, não abrimos {when_} ({reason})."
    after = datetime.combine(run[-1][0] + timedelta(days=1), time(0), tzinfo=local_time(now, tz).tzinfo)
    if (opening := next_opening(business_hours, after, tz, closed_days=closed)) is not None:
        reply += f" Abrimos de novo {when(opening, now, tz)}."
    return reply


def _calendar_answer(business_hours: dict, closed: dict, today: date, *, opens_on_holidays: bool) -> str:
    """'abrem feriado?' with the calendar: yes or no, and the next days we do not open."""
    upcoming = [(day, reason) for day, reason in sorted(closed.items())
                if day >= today and intervals(business_hours, day.weekday())][:_HOLIDAYS_LISTED]
    listed = join_words([f"{day_words(day)} ({reason})" for day, reason in upcoming]) if upcoming else ""
    if opens_on_holidays:
        reply = f"Sim, nos feriados atendemos no horário normal: {describe(business_hours)}."
        return f"{reply} Só não abrimos: {listed}." if listed else reply
    if not listed:
        return ("Não, nos feriados não abrimos, mas não há nenhum feriado nos próximos dias: atendemos "
                f"{describe(business_hours)}.")
    return f"Não, nos feriados não abrimos. Próximos dias fechados: {listed}."


def _weekend_answer(business_hours: dict) -> str:
    saturday, sunday = intervals(business_hours, 5), intervals(business_hours, 6)
    if not saturday and not sunday:
        return "Não, no fim de semana não abrimos. Atendemos " + days_phrase(
            [d for d in range(7) if intervals(business_hours, d)]) + "."
    said = [f"no sábado {spans(saturday)}" if saturday else "no sábado não abrimos",
            f"no domingo {spans(sunday)}" if sunday else "no domingo não abrimos"]
    return f"No fim de semana: {'; '.join(said)}."


def _weekend_closed(business_hours: dict, closed: dict, today: date) -> str:
    """' Neste fim de semana, no sábado (02/01, Recesso), não abrimos.' when a day of the coming one is closed."""
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    days = [d for d in (saturday, saturday + timedelta(days=1)) if d >= today and d in closed
            and intervals(business_hours, d.weekday())]
    said = [f"{'no sábado' if d.weekday() == 5 else 'no domingo'} ({d:%d/%m}, {closed[d]})" for d in days]
    return f" Neste fim de semana, {join_words(said)}, não abrimos." if said else ""


def _now_answer(business_hours: dict, now: datetime, tz: str, closed: dict) -> str:
    closing = closes_at(business_hours, now, tz, closed_days=closed)
    if closing is not None:
        return f"Sim, estamos abertos agora, até as {_clock(closing.hour * 60 + closing.minute)}."
    opening = next_opening(business_hours, now, tz, closed_days=closed)
    today = local_time(now, tz).date()
    status = f"Hoje não abrimos ({closed[today]})" if today in closed else "Agora estamos fechados"
    if opening is None:
        return f"{status}." if today in closed else "No momento estamos fechados."
    return f"{status}; abrimos {when(opening, now, tz)}."


def _lunch_answer(business_hours: dict, day: _Day | None) -> str:
    days = [day.weekday] if day is not None else [d for d in range(7) if intervals(business_hours, d)]
    gaps: dict[tuple, list[int]] = {}
    for weekday in days:
        gaps.setdefault(tuple(breaks(business_hours, weekday)), []).append(weekday)
    with_gap = {gap: ds for gap, ds in gaps.items() if gap}
    if not with_gap:
        if day is not None and not intervals(business_hours, day.weekday):
            return _day_answer(business_hours, day.weekday, day.label, yes_no=True)
        whole = {spans(intervals(business_hours, d)) for d in days}
        straight = f" {whole.pop()}" if len(whole) == 1 else f": {describe(business_hours)}"
        return f"Não, não fechamos para o almoço: atendemos direto{straight}."
    parts = []
    for gap, ds in with_gap.items():
        span = " e ".join(f"das {_clock(start)} às {_clock(end)}" for start, end in gap)
        who = "" if day is not None or len(with_gap) == 1 and len(ds) == len(days) else f" ({days_phrase(ds)})"
        parts.append(f"{span}{who}")
    return f"Sim, fechamos para o almoço {'; '.join(parts)}."


def _holiday_answer(business_hours: dict, holidays) -> str:
    """Holidays come from the profile when it has them; otherwise we say we do not know."""
    if holidays:
        return f"Nos feriados: {holidays}" if isinstance(holidays, str) else \
            f"Nos feriados não abrimos ({', '.join(str(h) for h in holidays)})."
    return ("Não tenho aqui o calendário de feriados, então não consigo confirmar. Nosso horário normal é "
            f"{describe(business_hours)}; se quiser, chamo alguém da equipe para confirmar.")
