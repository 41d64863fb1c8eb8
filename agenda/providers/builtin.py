"""The built-in calendar: free slots computed from our own tables, bookings kept only here.

A professional is free at [start, end) when one of their weekly intervals on that
weekday contains it (two intervals a day leave a break), no time off covers it (a
TimeOff without professional is a holiday for everyone), and no active appointment
overlaps it once each side's buffer is added after its end. Times are wall-clock in
the company's timezone; slots are aware datetimes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Q
from django.utils import timezone

from agenda.models import Appointment, CalendarConfig, Professional, Service, TimeOff, WorkingHours
from agenda.providers.base import BookingResult, slot_wanted, slots_select
from agenda.types import Slot, SlotQuery

MAX_DAYS_SCANNED = 366


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime  # including the buffer after it
    appointment_id: int | None = None


class BuiltinCalendar:
    name = CalendarConfig.Provider.BUILTIN

    def __init__(self, config: CalendarConfig):
        self.config = config
        self.tz = ZoneInfo(config.timezone)

    # --- the CalendarProvider protocol -------------------------------------------------

    def available_slots(self, *, query: SlotQuery, service: Service | None) -> list[Slot]:
        earliest, latest = booking_window(self.config)
        if query.not_before is not None:
            earliest = max(earliest, query.not_before)
        professionals = candidate_professionals(service=service, professional_id=query.professional_id)
        if not professionals or earliest > latest:
            return []
        duration, buffer = service_lengths(service, self.config)
        days = self._days(query, earliest, latest)
        if not days:
            return []
        range_start = datetime.combine(days[0], time.min, tzinfo=self.tz)
        range_end = datetime.combine(days[-1], time.max, tzinfo=self.tz)
        hours = _hours_by_professional(professionals)
        off = _time_off(professionals, range_start, range_end)
        busy = _busy(professionals, range_start, range_end)
        step = timedelta(minutes=max(self.config.slot_step_minutes, 5))
        candidates: list[Slot] = []
        groups: set[tuple] = set()
        for day in days:
            free_by_start: dict[datetime, list[int]] = defaultdict(list)
            for pro_id in professionals:
                for start in _starts(day, hours[pro_id].get(day.weekday(), []), duration, step, self.tz):
                    end = start + duration
                    if start < earliest or start > latest:
                        continue
                    if _overlaps_any(start, end, off[pro_id]):
                        continue
                    if _overlaps_any(start, end + buffer, busy[pro_id]):
                        continue
                    free_by_start[start].append(pro_id)
            for start, free in sorted(free_by_start.items()):
                chosen = query.professional_id or (free[0] if len(free) == 1 else None)
                slot = Slot(start=start, end=start + duration, service_id=service.pk if service else None,
                            professional_id=chosen)
                candidates.append(slot)
                if slot_wanted(slot, query=query, tz=self.tz, earliest=earliest, latest=latest):
                    local = start.astimezone(self.tz)
                    groups.add((local.date(), local.hour))
            # Enough distinct hours to offer: later days cannot improve the answer (unless the
            # customer named a time, which may only exist further ahead).
            if query.exact_time is None and len(groups) >= query.limit:
                break
        return slots_select(candidates, query=query, tz=self.tz, earliest=earliest, latest=latest)

    def book(self, *, slot: Slot, service: Service | None, contact, notes: str = "",
             metadata: dict | None = None) -> BookingResult:
        # The booking itself is the Appointment row, written under lock by the booking service.
        return BookingResult(start=slot.start, end=slot.end, professional_id=slot.professional_id)

    def cancel(self, *, booking_id: str, reason: str = "") -> BookingResult | None:
        return None

    def reschedule(self, *, booking_id: str, slot: Slot, reason: str = "") -> BookingResult:
        return BookingResult(start=slot.start, end=slot.end, professional_id=slot.professional_id)

    def get(self, *, booking_id: str) -> BookingResult | None:
        return None

    # --- helpers -----------------------------------------------------------------------

    def _days(self, query: SlotQuery, earliest: datetime, latest: datetime) -> list[date]:
        first, last = earliest.astimezone(self.tz).date(), latest.astimezone(self.tz).date()
        if query.day is not None:
            return [query.day] if first <= query.day <= last else []
        count = min((last - first).days + 1, MAX_DAYS_SCANNED)
        days = [first + timedelta(days=n) for n in range(count)]
        return [d for d in days if not query.weekdays or d.weekday() in query.weekdays]


def booking_window(config: CalendarConfig, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The earliest and latest bookable start: now + minimum notice, now + horizon."""
    now = now or timezone.now()
    return (now + timedelta(minutes=config.min_notice_minutes),
            now + timedelta(days=config.booking_horizon_days))


def service_lengths(service: Service | None, config: CalendarConfig) -> tuple[timedelta, timedelta]:
    """(duration, buffer after). No service: one slot step, no buffer."""
    if service is None:
        return timedelta(minutes=config.slot_step_minutes), timedelta(0)
    return timedelta(minutes=service.duration_minutes), timedelta(minutes=service.buffer_minutes)


def candidate_professionals(*, service: Service | None, professional_id: int | None = None) -> list[int]:
    """Active professionals who do the service, by id. A service linked to nobody is done by
    everyone: a one-person business should not have to link each service to its only professional."""
    active = Professional.objects.filter(is_active=True)
    if service is not None and service.professionals.exists():
        active = active.filter(services=service)
    if professional_id is not None:
        active = active.filter(pk=professional_id)
    return list(active.order_by("pk").values_list("pk", flat=True))


def professional_free(*, professional_id: int, start: datetime, end: datetime, buffer: timedelta,
                      tz: ZoneInfo, exclude_appointment_id: int | None = None) -> bool:
    """Whether one professional can take [start, end) (+ buffer). Call under the professional's lock."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_start.date() != (local_end - timedelta(microseconds=1)).date():
        return False
    intervals = WorkingHours.objects.filter(professional_id=professional_id, weekday=local_start.weekday())
    if not any(h.start <= local_start.time() and local_end.time() <= h.end for h in intervals):
        return False
    if TimeOff.objects.filter(Q(professional_id=professional_id) | Q(professional__isnull=True),
                              start__lt=end, end__gt=start).exists():
        return False
    busy = _busy([professional_id], start - timedelta(days=1), end + buffer,
                 exclude_appointment_id=exclude_appointment_id)[professional_id]
    return not _overlaps_any(start, end + buffer, busy)


def _starts(day: date, intervals: list[tuple[time, time]], duration: timedelta, step: timedelta,
            tz: ZoneInfo):
    for begin, finish in intervals:
        start = datetime.combine(day, begin, tzinfo=tz)
        close = datetime.combine(day, finish, tzinfo=tz)
        while start + duration <= close:
            yield start
            start += step


def _hours_by_professional(professionals: list[int]) -> dict[int, dict[int, list[tuple[time, time]]]]:
    hours: dict[int, dict[int, list]] = {pk: defaultdict(list) for pk in professionals}
    for row in WorkingHours.objects.filter(professional_id__in=professionals).order_by("start"):
        hours[row.professional_id][row.weekday].append((row.start, row.end))
    return hours


def _time_off(professionals: list[int], start: datetime, end: datetime) -> dict[int, list[Busy]]:
    off: dict[int, list[Busy]] = {pk: [] for pk in professionals}
    rows = TimeOff.objects.filter(Q(professional_id__in=professionals) | Q(professional__isnull=True),
                                  start__lt=end, end__gt=start)
    for row in rows:
        targets = professionals if row.professional_id is None else [row.professional_id]
        for pk in targets:
            off[pk].append(Busy(row.start, row.end))
    return off


def _busy(professionals: list[int], start: datetime, end: datetime,
          exclude_appointment_id: int | None = None) -> dict[int, list[Busy]]:
    """Active appointments touching [start, end), each stretched by its service's buffer."""
    max_buffer = Service.objects.aggregate(m=Max("buffer_minutes"))["m"] or 0
    rows = (Appointment.objects.filter(professional_id__in=professionals, status__in=Appointment.ACTIVE,
                                       start__lt=end, end__gt=start - timedelta(minutes=max_buffer))
            .exclude(pk=exclude_appointment_id)
            .values_list("pk", "professional_id", "start", "end", "service__buffer_minutes"))
    busy: dict[int, list[Busy]] = {pk: [] for pk in professionals}
    for pk, pro_id, begin, finish, buffer in rows:
        busy[pro_id].append(Busy(begin, finish + timedelta(minutes=buffer or 0), pk))
    return busy


def _overlaps_any(start: datetime, end: datetime, intervals: list[Busy]) -> bool:
    return any(start < item.end and end > item.start for item in intervals)
