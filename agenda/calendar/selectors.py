"""Reads for the calendar screen: who works when, what is booked, what is still free.

Free slots come from the company's calendar exactly as the chat finds them (built-in:
working hours, breaks, time off and holidays, the service's duration and buffer, existing
bookings; Cal.com: its own availability), through `agenda.services.slots.calendar_provider`.
Only the booking window differs: customers book at least the minimum notice ahead and
within the horizon, staff may book any future time (`booking._check_bookable`), so the
panel asks the calendar with the staff's window.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from agenda.models import Appointment, CalendarConfig, Professional, Service, TimeOff, WorkingHours
from agenda.reports import company_today, company_tz, day_bounds
from agenda.services.config import calendar_config
from agenda.services.slots import calendar_provider
from agenda.types import AgendaError, Slot, SlotQuery

Status = Appointment.Status
# The old half of a move is not on anyone's agenda (agenda.reports.OFF_AGENDA): the new row is.
# Cancelled appointments stay visible here, in their own colour, unlike in the reports.
HIDDEN = (Status.RESCHEDULED,)
MAX_SLOTS = 5000  # "all of them": a week of 5-minute steps for one professional is ~2,000


@dataclass(frozen=True)
class Column:
    """One professional on one day (the day view: professionals side by side; the week: days side by side)."""

    day: date
    professional: Professional | None
    hours: list[tuple[datetime, datetime]] = field(default_factory=list)
    time_off: list[TimeOff] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    free: list[Slot] = field(default_factory=list)


@dataclass(frozen=True)
class Board:
    days: list[date]
    columns: list[Column]
    service: Service | None
    provider: str
    problem: str = ""  # why free slots are missing, in pt-BR (Cal.com down, no service chosen)


# --- the two views -------------------------------------------------------------------------


def calendar_day(*, day: date, service: Service | None = None) -> Board:
    """Every professional's day, side by side (plus a column for appointments without one)."""
    start, end = day_bounds(day=day)
    appointments = _appointments(start, end)
    professionals = _professionals_shown(appointments)
    columns = _columns([day], professionals, appointments)
    return _with_free(columns, start=start, end=end, service=service)


def calendar_week(*, day: date, professional: Professional | None, service: Service | None = None) -> Board:
    """One professional's week, Monday to Sunday (None: the appointments without a professional)."""
    days = week_of(day)
    start, end = day_bounds(day=days[0], days=7)
    pk = professional.pk if professional else None
    appointments = [a for a in _appointments(start, end) if a.professional_id == pk]
    columns = _columns(days, [professional], appointments)
    return _with_free(columns, start=start, end=end, service=service)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


# --- what the screen offers to choose --------------------------------------------------------


def calendar_professionals() -> list[Professional]:
    return list(Professional.objects.filter(is_active=True).order_by("name"))


def calendar_services() -> list[Service]:
    return list(Service.objects.filter(is_active=True).prefetch_related("professionals").order_by("name"))


def services_of(professional: Professional | None) -> list[Service]:
    """The active services a professional does (a service linked to nobody is done by everyone)."""
    services = calendar_services()
    if professional is None:
        return services
    return [s for s in services if not s.professionals.all() or professional in s.professionals.all()]


def calendar_appointment(*, pk: int) -> Appointment | None:
    return (Appointment.objects.select_related("contact", "service", "professional", "rescheduled_to")
            .prefetch_related("events").filter(pk=pk).first())


def moved_from(appointment: Appointment) -> Appointment | None:
    """The row this appointment was moved from, if it was."""
    return Appointment.objects.filter(rescheduled_to=appointment).first()


def uses_calcom() -> bool:
    return calendar_config().provider == CalendarConfig.Provider.CALCOM


# --- pieces ----------------------------------------------------------------------------------


def _appointments(start: datetime, end: datetime) -> list[Appointment]:
    return list(Appointment.objects.filter(start__gte=start, start__lt=end).exclude(status__in=HIDDEN)
                .select_related("contact", "service", "professional").order_by("start", "pk"))


def _professionals_shown(appointments: list[Appointment]) -> list[Professional | None]:
    """The active professionals, those with an appointment that day even if now inactive, and None
    for appointments without one (a professional deleted since). Cal.com knows no professionals:
    its bookings and free slots are all in the None column."""
    booked = {a.professional_id for a in appointments}
    calcom = uses_calcom()
    wanted = Q(pk__in=booked - {None}) if calcom else Q(is_active=True) | Q(pk__in=booked - {None})
    shown: list[Professional | None] = list(Professional.objects.filter(wanted).order_by("name"))
    if calcom or None in booked:
        shown.append(None)
    return shown


def _columns(days: list[date], professionals: list[Professional | None],
             appointments: list[Appointment]) -> list[Column]:
    ids = [p.pk for p in professionals if p is not None]
    hours = _weekly_hours(ids)
    start, end = day_bounds(day=days[0], days=len(days))
    off = list(TimeOff.objects.filter(Q(professional_id__in=ids) | Q(professional__isnull=True),
                                      start__lt=end, end__gt=start).order_by("start"))
    tz = company_tz()
    columns = []
    for day in days:
        day_start, day_end = day_bounds(day=day)
        for professional in professionals:
            pk = professional.pk if professional else None
            columns.append(Column(
                day=day, professional=professional,
                hours=[(datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz))
                       for a, b in hours.get((pk, day.weekday()), [])],
                time_off=[t for t in off if t.start < day_end and t.end > day_start
                          and t.professional_id in (None, pk) and pk is not None],
                appointments=[a for a in appointments
                              if a.professional_id == pk and day_start <= a.start < day_end]))
    return columns


def _weekly_hours(ids: list[int]) -> dict[tuple[int, int], list[tuple[time, time]]]:
    hours: dict[tuple[int, int], list] = {}
    for row in WorkingHours.objects.filter(professional_id__in=ids).order_by("start"):
        hours.setdefault((row.professional_id, row.weekday), []).append((row.start, row.end))
    return hours


def _with_free(columns: list[Column], *, start: datetime, end: datetime, service: Service | None) -> Board:
    """The columns with their free slots, asked of the calendar once per professional."""
    config = calendar_config()
    days = sorted({c.day for c in columns})
    problem = ""
    free: dict[int | None, list[Slot]] = {}
    for pk in dict.fromkeys(c.professional.pk if c.professional else None for c in columns):
        try:
            free[pk] = free_slots(config=config, start=start, end=end, professional_id=pk, service=service)
        except AgendaError as exc:  # Cal.com down or refusing: the appointments are still worth showing
            problem = f"Não foi possível buscar os horários livres. {exc}"
    if config.provider == CalendarConfig.Provider.CALCOM and service is None:
        problem = "Escolha um serviço para ver os horários livres do Cal.com."
    tz = company_tz()
    filled = [Column(day=c.day, professional=c.professional, hours=c.hours, time_off=c.time_off,
                     appointments=c.appointments,
                     free=[s for s in free.get(c.professional.pk if c.professional else None, [])
                           if s.start.astimezone(tz).date() == c.day])
              for c in columns]
    return Board(days=days, columns=filled, service=service, provider=config.provider, problem=problem)


def free_slots(*, config: CalendarConfig, start: datetime, end: datetime, professional_id: int | None,
               service: Service | None) -> list[Slot]:
    """Every free start in [start, end) for one professional (None: any, as Cal.com has no professionals).

    Built-in: a professional with no service chosen is offered in steps of the slot interval.
    Cal.com: needs a service (its event type); without one there is nothing to ask.
    """
    calcom = config.provider == CalendarConfig.Provider.CALCOM
    if calcom and (service is None or professional_id is not None):
        return []
    if not calcom and professional_id is None:
        return []  # the column of appointments without a professional: nobody to book there
    now = timezone.now()
    if end <= now:
        return []
    # A slot starting this very minute is already past for the booking service (`start <= now`).
    earliest = max(start, now + timedelta(minutes=1))
    query = SlotQuery(service_id=service.pk if service else None, professional_id=professional_id,
                      not_before=earliest, limit=MAX_SLOTS)
    provider = calendar_provider(config=_staff_window(config, until=end, now=now))
    return [slot for slot in provider.available_slots(query=query, service=service) if slot.start < end]


def _staff_window(config: CalendarConfig, *, until: datetime, now: datetime) -> CalendarConfig:
    """The calendar settings with the staff's booking window: from now, as far as the screen shows.

    An unsaved copy: the calendars read the window from the config (`booking_window`), and the
    customer's minimum notice and horizon are not the staff's rules.
    """
    staff = copy.copy(config)
    staff.min_notice_minutes = 0
    staff.booking_horizon_days = max(math.ceil((until - now) / timedelta(days=1)), 1)
    return staff


def company_day_of(moment: datetime) -> date:
    return moment.astimezone(company_tz()).date()


def default_day() -> date:
    return company_today()
