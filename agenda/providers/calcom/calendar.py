"""Cal.com as the company's calendar: slots and bookings live there, we mirror them.

Cal.com has no notion of our professionals: its slots carry no professional and the
event type (Service.calcom_event_type_id) decides who attends.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from agenda.models import CalendarConfig, Service
from agenda.providers.base import BookingResult, slots_select
from agenda.providers.builtin import booking_window
from agenda.providers.calcom.client import CalcomClient, parse_time
from agenda.types import CalendarRejected, Slot, SlotQuery

CHUNK_DAYS = 7  # slots are asked a week at a time until enough are found
METADATA_MARK = "secretaria_contact"  # present in the metadata of every booking we create


class CalcomCalendar:
    name = CalendarConfig.Provider.CALCOM

    def __init__(self, config: CalendarConfig, client: CalcomClient | None = None):
        self.config = config
        self.tz = ZoneInfo(config.timezone)
        self.client = client or CalcomClient(base_url=config.calcom_base_url, api_key=config.calcom_api_key)

    def available_slots(self, *, query: SlotQuery, service: Service | None) -> list[Slot]:
        event_type = event_type_of(service)
        earliest, latest = booking_window(self.config)
        if query.not_before is not None:
            earliest = max(earliest, query.not_before)
        if query.day is not None:
            earliest = max(earliest, datetime.combine(query.day, time.min, tzinfo=self.tz))
            latest = min(latest, datetime.combine(query.day, time.max, tzinfo=self.tz))
        duration = timedelta(minutes=service.duration_minutes)
        found: list[Slot] = []
        start = earliest
        while start < latest:
            end = min(start + timedelta(days=CHUNK_DAYS), latest)
            found += self._fetch(event_type, start, end, duration, service.pk)
            picked = slots_select(found, query=query, tz=self.tz, earliest=earliest, latest=latest)
            if len(picked) >= query.limit and (query.exact_time is None or self._all_exact(picked, query)):
                return picked
            start = end
        return slots_select(found, query=query, tz=self.tz, earliest=earliest, latest=latest)

    def book(self, *, slot: Slot, service: Service | None, contact, notes: str = "",
             metadata: dict | None = None) -> BookingResult:
        attendee = {"name": contact.name or "Cliente", "timeZone": self.config.timezone, "language": "pt-BR"}
        if contact.phone:
            attendee["phoneNumber"] = "+" + "".join(ch for ch in contact.phone if ch.isdigit())
        marks = {METADATA_MARK: str(contact.pk), "secretaria_company": connection.schema_name, **(metadata or {})}
        data = self.client.booking_create(event_type_id=event_type_of(service), start=slot.start, attendee=attendee,
                                          metadata=marks, booking_fields={"notes": notes} if notes else None)
        return booking_result(data)

    def cancel(self, *, booking_id: str, reason: str = "") -> BookingResult | None:
        return booking_result(self.client.booking_cancel(uid=booking_id, reason=reason))

    def reschedule(self, *, booking_id: str, slot: Slot, reason: str = "") -> BookingResult:
        return booking_result(self.client.booking_reschedule(uid=booking_id, start=slot.start, reason=reason))

    def get(self, *, booking_id: str) -> BookingResult | None:
        return booking_result(self.client.booking_get(uid=booking_id))

    def _fetch(self, event_type: int, start: datetime, end: datetime, duration: timedelta,
               service_id: int) -> list[Slot]:
        by_day = self.client.slots(event_type_id=event_type, start=start, end=end, time_zone=self.config.timezone)
        slots = []
        for items in by_day.values():
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or not item.get("start"):
                    continue
                try:
                    begin = parse_time(item["start"])
                    finish = parse_time(item["end"]) if item.get("end") else begin + duration
                except (TypeError, ValueError):
                    continue  # one odd entry must not hide the others
                slots.append(Slot(start=begin, end=finish, service_id=service_id))
        return slots

    def _all_exact(self, picked: list[Slot], query: SlotQuery) -> bool:
        return all(s.start.astimezone(self.tz).time() == query.exact_time for s in picked)


def event_type_of(service: Service | None) -> int:
    if service is None or not service.calcom_event_type_id:
        raise CalendarRejected("Este serviço não está ligado a um tipo de evento do Cal.com.")
    return service.calcom_event_type_id


def booking_result(data: dict) -> BookingResult:
    start = parse_time(data["start"]) if data.get("start") else None
    end = parse_time(data["end"]) if data.get("end") else None
    if start is not None and end is None:
        end = start + timedelta(minutes=int(data.get("duration") or 0))
    return BookingResult(start=start, end=end, booking_id=str(data.get("uid") or "") or None,
                         status=str(data.get("status") or "accepted").lower(),
                         rescheduled_from=data.get("rescheduledFromUid"), raw=data)
