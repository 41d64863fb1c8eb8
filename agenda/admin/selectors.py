"""Reads for the calendar's settings pages (hours, days off, services) and their cards on the
"Configurações" screen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q

from agenda.models import CalendarConfig, Professional, Service, TimeOff, WorkingHours
from agenda.services.config import calendar_config
from agenda.services.hours import company_zone
from agenda.services.slots import slots_find
from agenda.types import AgendaError, Slot, SlotQuery
from conversations.assistant.weekly_hours import Span


def professionals_with_week() -> list[tuple[Professional, list[Span]]]:
    """Every professional (active ones first) with their weekly hours."""
    rows = Professional.objects.order_by("-is_active", "name").prefetch_related(
        Prefetch("hours", queryset=WorkingHours.objects.order_by("weekday", "start")))
    return [(row, [Span(h.weekday, h.start, h.end) for h in row.hours.all()]) for row in rows]


def hours_coverage() -> tuple[int, int]:
    """(active professionals, how many of them have no hours at all)."""
    active = Professional.objects.filter(is_active=True).annotate(spans=Count("hours"))
    return len(active), sum(1 for row in active if not row.spans)


def builtin_calendar() -> bool:
    """Whether the company's slots come from these tables (else from Cal.com)."""
    return calendar_config().provider == CalendarConfig.Provider.BUILTIN


def slots_offered(*, professional_id: int, limit: int = 6) -> list[Slot]:
    """The next slots the chat would offer for this professional (one slot step long), [] on trouble."""
    try:
        return slots_find(query=SlotQuery(professional_id=professional_id, limit=limit))
    except AgendaError:
        return []


def time_off_ahead(*, now: datetime) -> list[TimeOff]:
    return list(TimeOff.objects.filter(end__gt=now).select_related("professional").order_by("start", "pk"))


def business_closed_dates(*, first: date, last: date) -> set[date]:
    """The dates in [first, last] a whole-business day off covers from midnight to midnight."""
    zone = company_zone()
    start, end = (datetime.combine(first, time(0), tzinfo=zone),
                  datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))
    rows = TimeOff.objects.filter(professional__isnull=True, start__lt=end, end__gt=start)
    closed = set()
    for row in rows:
        day = max(row.start.astimezone(zone).date(), first)
        while day <= last and datetime.combine(day, time(0), tzinfo=zone) < row.end:
            midnight = datetime.combine(day, time(0), tzinfo=zone)
            if row.start <= midnight and midnight + timedelta(days=1) <= row.end:
                closed.add(day)
            day += timedelta(days=1)
    return closed


def time_off_ahead_count(*, now: datetime) -> int:
    return TimeOff.objects.filter(end__gt=now).count()


def services_summary() -> dict[str, int]:
    """{"active": active services, "unpriced": active ones without a price}."""
    counts = Service.objects.filter(is_active=True).aggregate(
        active=Count("pk"), unpriced=Count("pk", filter=Q(price_cents__isnull=True)))
    return {"active": counts["active"] or 0, "unpriced": counts["unpriced"] or 0}


def professionals_summary() -> dict[str, int]:
    counts = Professional.objects.aggregate(active=Count("pk", filter=Q(is_active=True)), total=Count("pk"))
    return {"active": counts["active"] or 0, "total": counts["total"] or 0}
