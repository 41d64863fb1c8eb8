"""A professional's weekly hours and the company's days off, as staff change them in the panel.

The calendar offers slots from these rows (agenda/providers/builtin.py), so every write here is
validated first (pt-BR messages), replaces what it changes whole, and tells every process at once
(calendar_config_forget bumps the settings version): the next slot the chat or the calendar offers
already follows the new hours, and the assistant's closed days the new days off.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from agenda.models import Professional, TimeOff, WorkingHours
from agenda.services.config import calendar_config, calendar_config_forget
from conversations.assistant.weekly_hours import Span, week_problems, week_summary
from secretaria.events import SettingsChanged, publish


def professional_week(*, professional: Professional) -> list[Span]:
    """The professional's weekly hours as spans, Monday first."""
    return sorted(Span(row.weekday, row.start, row.end) for row in professional.hours.all())


@transaction.atomic
def professional_hours_set(*, professional: Professional, spans: Iterable[Span], actor: str = "") -> list[WorkingHours]:
    """Replace the professional's week with `spans` (an empty week: no slots offered at all).

    Raises ValidationError (pt-BR, one message per problem) for an interval that ends before it
    starts or intervals that overlap on a day. Two staff saving at once: the professional's row
    lock makes the second wait, and its week replaces the first whole (never a mix of both).
    """
    spans = sorted(set(spans))
    problems = week_problems(spans)
    if problems:
        raise ValidationError(problems)
    Professional.objects.select_for_update().get(pk=professional.pk)
    WorkingHours.objects.filter(professional=professional).delete()
    rows = WorkingHours.objects.bulk_create(
        WorkingHours(professional=professional, weekday=s.weekday, start=s.start, end=s.end) for s in spans)
    calendar_config_forget()
    publish(SettingsChanged(area="professional", action="agenda.professional_hours_set", actor=actor,
                            target=f"professional:{professional.pk}",
                            data={"name": professional.name, "hours": week_summary(spans) or "sem horário"}))
    return rows


def company_zone() -> ZoneInfo:
    return ZoneInfo(calendar_config().timezone)


def days_off_bounds(*, first: date, last: date, start: time | None = None,
                    end: time | None = None) -> tuple[datetime, datetime]:
    """The instants a day off from `first` to `last` covers, in the company's zone: whole days from
    midnight to the next midnight, or from `start` on the first day to `end` on the last."""
    zone = company_zone()
    begin = datetime.combine(first, start or time(0), tzinfo=zone)
    finish = (datetime.combine(last, end, tzinfo=zone) if end is not None
              else datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone))
    return begin, finish


@transaction.atomic
def time_off_create(*, start: datetime, end: datetime, professional: Professional | None = None,
                    reason: str = "", actor: str = "") -> TimeOff:
    """A day off: for one professional, or (no professional) the whole business, which the assistant
    also tells customers about (agenda/closed_days.py). No slot inside it is offered from now on."""
    if end <= start:
        raise ValidationError("O fim da folga deve ser depois do início.")
    row = TimeOff.objects.create(professional=professional, start=start, end=end, reason=reason.strip()[:120])
    calendar_config_forget()
    publish(SettingsChanged(area="time_off", action="agenda.time_off_created", actor=actor,
                            target=f"time_off:{row.pk}", data=_described(row)))
    return row


@transaction.atomic
def time_off_delete(*, time_off: TimeOff, actor: str = "") -> None:
    """Remove a day off: its slots are offered again."""
    data = _described(time_off)
    pk = time_off.pk
    time_off.delete()
    calendar_config_forget()
    publish(SettingsChanged(area="time_off", action="agenda.time_off_deleted", actor=actor,
                            target=f"time_off:{pk}", data=data))


def _described(row: TimeOff) -> dict:
    zone = company_zone()
    return {"professional": row.professional.name if row.professional else "todos",
            "start": row.start.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            "end": row.end.astimezone(zone).strftime("%d/%m/%Y %H:%M"), "reason": row.reason}
