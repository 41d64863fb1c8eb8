"""What every calendar offers the booking services, and the slot ordering they share.

A calendar answers "which slots are free" and, for external ones, owns the booking
itself (Cal.com): the local Appointment row then mirrors it. The built-in calendar
keeps its bookings only in our database, so its book/cancel/reschedule are local
acknowledgements; the no-double-booking guarantee lives in the booking service,
which holds the row locks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Protocol

from agenda.types import Slot, SlotQuery

if TYPE_CHECKING:
    from agenda.models import Service
    from conversations.models import Contact


@dataclass(frozen=True)
class BookingResult:
    """A booking as the calendar sees it. `booking_id` is None for the built-in calendar."""

    start: datetime
    end: datetime
    booking_id: str | None = None
    status: str = "accepted"  # lowercase, as Cal.com's API: accepted | pending | cancelled | rejected
    professional_id: int | None = None
    rescheduled_from: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)


class CalendarProvider(Protocol):
    name: str  # "builtin" | "calcom" (CalendarConfig.Provider)

    def available_slots(self, *, query: SlotQuery, service: Service | None) -> list[Slot]:
        """Free slots matching `query`, at most `query.limit`, in the order to offer them."""

    def book(self, *, slot: Slot, service: Service | None, contact: Contact, notes: str = "",
             metadata: dict | None = None) -> BookingResult: ...

    def cancel(self, *, booking_id: str, reason: str = "") -> BookingResult | None: ...

    def reschedule(self, *, booking_id: str, slot: Slot, reason: str = "") -> BookingResult: ...

    def get(self, *, booking_id: str) -> BookingResult | None: ...


def slots_select(candidates: Iterable[Slot], *, query: SlotQuery, tz: tzinfo,
                 earliest: datetime | None = None, latest: datetime | None = None) -> list[Slot]:
    """Filter free slots by the customer's wishes and pick the ones to offer.

    Shared by every calendar so "amanhã de manhã" means the same with Cal.com as built-in.
    Order: slots at `exact_time` first, then chronological. Spread: the first pick takes one
    slot per (day, hour), so five offers are 8h, 9h, 10h... rather than 8:00, 8:30, 9:00 or
    the same hour with five professionals; leftovers fill up to `limit` afterwards.
    """
    seen: set[datetime] = set()
    kept: list[Slot] = []
    for slot in sorted(candidates, key=lambda s: (s.start, s.professional_id or 0)):
        if slot.start in seen or not slot_wanted(slot, query=query, tz=tz, earliest=earliest, latest=latest):
            continue
        seen.add(slot.start)
        kept.append(slot)
    exact = [s for s in kept if query.exact_time and _local_time(s, tz) == query.exact_time]
    rest = [s for s in kept if s not in exact]
    picked = exact[:query.limit]
    hours: set[tuple] = set()
    for slot in picked:
        hours.add(_hour_key(slot, tz))
    spare = []
    for slot in rest:
        if len(picked) >= query.limit:
            break
        key = _hour_key(slot, tz)
        if key in hours:
            spare.append(slot)
            continue
        hours.add(key)
        picked.append(slot)
    # Too few distinct hours (a narrow window, a busy day): fill up with the skipped half-hours.
    for slot in spare:
        if len(picked) >= query.limit:
            break
        picked.append(slot)
    exact_part = picked[:len(exact[:query.limit])]
    return exact_part + sorted(picked[len(exact_part):], key=lambda s: s.start)


def slot_wanted(slot: Slot, *, query: SlotQuery, tz: tzinfo, earliest: datetime | None,
            latest: datetime | None) -> bool:
    if earliest is not None and slot.start < earliest:
        return False
    if latest is not None and slot.start > latest:
        return False
    if query.not_before is not None and slot.start < query.not_before:
        return False
    local = slot.start.astimezone(tz)
    if query.day is not None and local.date() != query.day:
        return False
    if query.weekdays and local.weekday() not in query.weekdays:
        return False
    if query.time_from is not None and local.time() < query.time_from:
        return False
    if query.time_to is not None and local.time() >= query.time_to:
        return False
    if query.professional_id is not None and slot.professional_id not in (None, query.professional_id):
        return False
    return True


def _local_time(slot: Slot, tz: tzinfo):
    return slot.start.astimezone(tz).time().replace(second=0, microsecond=0)


def _hour_key(slot: Slot, tz: tzinfo) -> tuple:
    local = slot.start.astimezone(tz)
    return local.date(), local.hour
