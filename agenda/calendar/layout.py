"""Where each block of the calendar goes on screen: plain arithmetic, no database.

A column is a strip of the day, `PX_PER_MINUTE` pixels per minute, from the earliest hour
anything happens on the board to the latest. Blocks that overlap in time (a cancelled
appointment and the free slot where it was, a booking squeezed in) share the width
side by side, each group of overlapping blocks on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from agenda.calendar.selectors import Board, Column
from agenda.models import Appointment
from agenda.types import Slot

PX_PER_MINUTE = 1.4  # half an hour is 42 px: two lines of text
DEFAULT_SPAN = (8 * 60, 18 * 60)  # an empty day still shows a working day
Status = Appointment.Status
# The legend, in the order a day goes; the keys are the blocks' CSS modifiers.
LEGEND = (("free", "Livre"), (Status.PENDING, "Agendado (a confirmar)"), (Status.CONFIRMED, "Confirmado"),
          (Status.ATTENDED, "Compareceu"), (Status.NO_SHOW, "Faltou"), (Status.CANCELLED, "Cancelado"))
STATE_WORD = {Status.PENDING: "a confirmar", Status.CONFIRMED: "confirmado", Status.ATTENDED: "compareceu",
              Status.NO_SHOW: "faltou", Status.CANCELLED: "cancelado"}


@dataclass(frozen=True)
class Block:
    kind: str  # "free", an appointment status, "hours" (working time) or "off" (time off)
    top: float  # px from the column's top
    height: float  # px
    left: float = 0.0  # % of the column's width
    width: float = 100.0
    time: str = ""  # "10:00"
    title: str = ""
    detail: str = ""
    state: str = ""
    url: str = ""
    pk: int | None = None
    highlight: bool = False

    @property
    def style(self) -> str:
        """Inline position (CSS numbers, never localised: "12.5", not "12,5")."""
        return f"top:{self.top:.1f}px;height:{max(self.height, 8):.1f}px;left:{self.left:.3f}%;width:{self.width:.3f}%"


@dataclass(frozen=True)
class GridColumn:
    title: str
    day: date
    professional_id: int | None
    blocks: list[Block]
    background: list[Block]
    note: str = ""
    is_today: bool = False
    now_top: float | None = None

    @property
    def now_style(self) -> str:
        return f"top:{self.now_top:.1f}px" if self.now_top is not None else ""


@dataclass(frozen=True)
class Grid:
    columns: list[GridColumn]
    hours: list[tuple[str, float]]  # ("08:00", top px)
    height: float
    problem: str = ""
    legend: tuple = LEGEND
    free_count: int = 0
    booked_count: int = 0

    @property
    def height_style(self) -> str:
        return f"height:{self.height:.1f}px"

    @property
    def labels(self) -> list[tuple[str, str]]:
        return [(label, f"top:{top:.1f}px") for label, top in self.hours]


@dataclass
class Links:
    """How the screen's blocks link: to book (or move to) a free slot, and to open an appointment."""

    slot: Callable[[Column, Slot], str]
    appointment: Callable[[Appointment], str]
    title: Callable[[Column], str]
    highlight: set[int] = field(default_factory=set)


def grid(board: Board, *, links: Links, step_minutes: int, today: date, tz: tzinfo) -> Grid:
    """The board laid out; times are read in `tz`, the company's zone."""
    first, last = _span(board, tz)
    columns = [_column(c, span=(first, last), links=links, step=step_minutes, today=today, tz=tz)
               for c in board.columns]
    hours = [(f"{m // 60:02d}:00", (m - first) * PX_PER_MINUTE) for m in range(first, last, 60)]
    return Grid(columns=columns, hours=hours, height=(last - first) * PX_PER_MINUTE, problem=board.problem,
                free_count=sum(len(c.free) for c in board.columns),
                booked_count=sum(1 for c in board.columns for a in c.appointments if a.is_active))


def _column(column: Column, *, span: tuple[int, int], links: Links, step: int, today: date,
            tz: tzinfo) -> GridColumn:
    first = span[0]
    items: list[tuple[int, int, dict]] = []
    for slot in column.free:
        start = _minute(slot.start, column.day, tz)
        length = min(step, _minutes(slot.end - slot.start))
        items.append((start, start + length, {
            "kind": "free", "time": _hhmm(slot.start, tz), "title": "Livre", "url": links.slot(column, slot)}))
    for appointment in column.appointments:
        start = _minute(appointment.start, column.day, tz)
        end = max(start + 10, min(_minute(appointment.end, column.day, tz), 24 * 60))
        items.append((start, end, {
            "kind": appointment.status, "time": f"{_hhmm(appointment.start, tz)}–{_hhmm(appointment.end, tz)}",
            "title": str(appointment.contact), "detail": appointment.service.name if appointment.service else "",
            "state": STATE_WORD.get(appointment.status, ""), "url": links.appointment(appointment),
            "pk": appointment.pk, "highlight": appointment.pk in links.highlight}))
    blocks = [Block(top=(start - first) * PX_PER_MINUTE, height=(end - start) * PX_PER_MINUTE - 2, left=left,
                    width=width, **data)
              for (start, end, data), (left, width) in zip(items, _lanes(items), strict=True)]
    return GridColumn(title=links.title(column), day=column.day,
                      professional_id=column.professional.pk if column.professional else None,
                      blocks=blocks, background=_background(column, first, tz), note=_note(column, tz),
                      is_today=column.day == today, now_top=_now_top(column, span, today, tz))


def _background(column: Column, first: int, tz: tzinfo) -> list[Block]:
    shapes = [Block(kind="hours", top=(_minute(a, column.day, tz) - first) * PX_PER_MINUTE,
                    height=_minutes(b - a) * PX_PER_MINUTE) for a, b in column.hours]
    for off in column.time_off:
        start = max(_minute(off.start, column.day, tz), first)
        end = min(_minute(off.end, column.day, tz), 24 * 60)
        if end > start:
            shapes.append(Block(kind="off", top=(start - first) * PX_PER_MINUTE, height=(end - start) * PX_PER_MINUTE,
                                title=off.reason or ("Feriado" if off.professional_id is None else "Folga")))
    return shapes


def _note(column: Column, tz: tzinfo) -> str:
    if column.professional is None:
        return ""
    whole_day = [off for off in column.time_off
                 if off.start <= _at(column.day, 0, tz) and off.end >= _at(column.day, 24 * 60, tz)]
    if whole_day:
        return whole_day[0].reason or ("Feriado" if whole_day[0].professional_id is None else "Folga")
    if not column.hours:
        return "Não atende neste dia"
    return ""


def _lanes(items: list[tuple[int, int, dict]]) -> list[tuple[float, float]]:
    """(left %, width %) per item: overlapping items side by side, each overlap group on its own."""
    order = sorted(range(len(items)), key=lambda i: (items[i][0], items[i][1]))
    placed: dict[int, tuple[int, int]] = {}  # item -> (lane, group)
    lane_ends: list[int] = []
    groups: list[int] = []  # lanes used by each group
    group_end = -1
    for i in order:
        start, end, _ = items[i]
        if start >= group_end:  # nothing open overlaps: a new group starts with free lanes
            lane_ends, group_end = [], start
            groups.append(0)
        lane = next((n for n, lane_end in enumerate(lane_ends) if lane_end <= start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        group_end = max(group_end, end)
        groups[-1] = max(groups[-1], lane + 1)
        placed[i] = (lane, len(groups) - 1)
    result = []
    for i in range(len(items)):
        lane, group = placed[i]
        width = 100 / groups[group]
        result.append((lane * width, width))
    return result


def _span(board: Board, tz: tzinfo) -> tuple[int, int]:
    """First and last minute of the day shown (whole hours), the same for every column."""
    minutes = []
    for column in board.columns:
        for a, b in column.hours:
            minutes += [_minute(a, column.day, tz), _minute(b, column.day, tz)]
        for appointment in column.appointments:
            minutes += [_minute(appointment.start, column.day, tz),
                        min(_minute(appointment.end, column.day, tz), 24 * 60)]
        for slot in column.free:
            minutes += [_minute(slot.start, column.day, tz), _minute(slot.end, column.day, tz)]
    if not minutes:
        return DEFAULT_SPAN
    first, last = max(min(minutes), 0), min(max(minutes), 24 * 60)
    return first // 60 * 60, min(-(-last // 60) * 60, 24 * 60)


def _now_top(column: Column, span: tuple[int, int], today: date, tz: tzinfo) -> float | None:
    """The "now" line on today's columns, when now is within the hours shown."""
    now = _minute(timezone.now(), column.day, tz)
    if column.day != today or not span[0] <= now <= span[1]:
        return None
    return (now - span[0]) * PX_PER_MINUTE


def _minute(moment: datetime, day: date, tz: tzinfo) -> int:
    """Minutes from the column day's midnight, in the company's time zone."""
    local = moment.astimezone(tz)
    return (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _at(day: date, minute: int, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz) + timedelta(minutes=minute)


def _hhmm(moment: datetime, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%H:%M}"
