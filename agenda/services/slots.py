"""Free slots, from whichever calendar the company uses."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from agenda.models import CalendarConfig, Service
from agenda.providers.base import CalendarProvider
from agenda.providers.builtin import (
    BuiltinCalendar,
    booking_window,
    candidate_professionals,
    professional_free,
    service_lengths,
)
from agenda.providers.calcom import CalcomCalendar
from agenda.services.config import calendar_config
from agenda.types import Slot, SlotQuery


def calendar_provider(*, config: CalendarConfig | None = None) -> CalendarProvider:
    """The company's calendar (built-in unless Cal.com is configured)."""
    config = config or calendar_config()
    if config.provider == CalendarConfig.Provider.CALCOM:
        return CalcomCalendar(config)
    return BuiltinCalendar(config)


def slots_find(*, query: SlotQuery) -> list[Slot]:
    """Up to `query.limit` free slots for the query, in the order to offer them; each carries
    `service_id`. Raises CalendarUnavailable / CalendarRejected for Cal.com trouble."""
    service = Service.objects.filter(pk=query.service_id, is_active=True).first() if query.service_id else None
    if query.service_id and service is None:
        return []
    return calendar_provider().available_slots(query=query, service=service)


def slot_is_free(*, slot: Slot) -> bool:
    """Whether the slot can still be booked (a quick re-check before confirming with the customer).

    Built-in: the exact check the booking makes (without its lock, so only a hint).
    Cal.com: asks for that day's slots and looks for the start.
    """
    config = calendar_config()
    earliest, latest = booking_window(config)
    if not earliest <= slot.start <= latest:
        return False
    service = Service.objects.filter(pk=slot.service_id).first() if slot.service_id else None
    if config.provider == CalendarConfig.Provider.CALCOM:
        day = slot.start.astimezone(ZoneInfo(config.timezone)).date()
        found = calendar_provider(config=config).available_slots(
            query=SlotQuery(service_id=slot.service_id, day=day, limit=1000), service=service)
        return any(s.start == slot.start for s in found)
    _, buffer = service_lengths(service, config)
    tz = ZoneInfo(config.timezone)
    return any(professional_free(professional_id=pk, start=slot.start, end=slot.end, buffer=buffer, tz=tz)
               for pk in candidate_professionals(service=service, professional_id=slot.professional_id))
