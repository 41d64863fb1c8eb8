"""Plain data shared by the calendars, the booking services and the chat: no database here."""

from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True)
class Slot:
    """A bookable interval. `professional_id` is None for calendars that do not expose one (Cal.com)."""

    start: datetime  # aware
    end: datetime  # aware
    service_id: int | None = None
    professional_id: int | None = None

    def key(self) -> str:
        """Stable text form, stored in a dialog's offer and read back when the customer picks it."""
        return f"{self.start.isoformat()}|{self.end.isoformat()}|{self.service_id or ''}|{self.professional_id or ''}"

    @classmethod
    def from_key(cls, key: str) -> "Slot":
        start, end, service, professional = key.split("|")
        return cls(datetime.fromisoformat(start), datetime.fromisoformat(end),
                   int(service) if service else None, int(professional) if professional else None)


@dataclass(frozen=True)
class SlotQuery:
    """What the customer asked for; every field narrows the search. Times are local to the company."""

    service_id: int | None = None
    professional_id: int | None = None
    day: date | None = None  # "amanhã", "terça", "dia 12"
    weekdays: frozenset[int] = field(default_factory=frozenset)  # 0 = Monday; empty = any
    time_from: time | None = None  # "depois das 17h", "de manhã" -> 08:00
    time_to: time | None = None  # "antes das 10h", "de manhã" -> 12:00
    exact_time: time | None = None  # "às 15h": slots at that time first
    not_before: datetime | None = None  # aware; never before now + min notice anyway
    limit: int = 5


class AgendaError(Exception):
    """Base for agenda errors with a message the staff or the customer may read (pt-BR)."""


class SlotTaken(AgendaError):
    """The slot was booked by someone else first (or overlaps another appointment)."""


class CalendarUnavailable(AgendaError):
    """The external calendar could not be reached or failed transiently: try again later."""


class CalendarRejected(AgendaError):
    """The external calendar refused the request for good (bad key, unknown event type, invalid slot)."""
