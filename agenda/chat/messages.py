"""How a slot, a day or an appointment is written (pt-BR). What the agenda says around them is a template
slot (agenda/texts.py, templates/replies/slots/agenda.toml)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from secretaria.ptbr import WEEKDAY_NAMES, WEEKDAY_SHORT


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def slot_label(start: datetime, tz: str) -> str:
    """"terça, 02/12 às 15:00"."""
    at = local(start, tz)
    return f"{WEEKDAY_NAMES[at.weekday()]}, {at:%d/%m} às {at:%H:%M}"


def slot_title(start: datetime, tz: str) -> str:
    """A list row title (Meta allows 24 characters): "Ter, 02/12 às 15:00". Read back by parse_when."""
    at = local(start, tz)
    return f"{WEEKDAY_SHORT[at.weekday()]}, {at:%d/%m} às {at:%H:%M}"


def on_weekday(weekday: int, *, plural: bool = False) -> str:
    """"No domingo", "Aos sábados"."""
    name = WEEKDAY_NAMES[weekday]
    if plural:
        return f"{'aos' if weekday >= 5 else 'às'} {name}{'s' if not name.endswith('s') else ''}"
    return f"{'no' if weekday >= 5 else 'na'} {name}"


def open_days_text(weekdays: set[int]) -> str:
    """"de segunda a sábado", or "segunda, quarta e sexta"."""
    days = sorted(weekdays)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"de {WEEKDAY_NAMES[days[0]]} a {WEEKDAY_NAMES[days[-1]]}"
    names = [WEEKDAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " e " + names[-1]


def numbered(intro: str, lines: list[str], outro: str) -> str:
    body = "\n".join(f"{index}) {line}" for index, line in enumerate(lines, start=1))
    return "\n\n".join(part for part in (intro, body, outro) if part)
