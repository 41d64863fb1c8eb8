"""Reads for staff reports: the day's agenda, attendance and follow-up answers.

Days are the company's days (its calendar time zone), not UTC ones: an appointment at
22h in São Paulo belongs to that day's agenda even though it is the next day in UTC.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from agenda.models import Appointment, FollowUp, SchedulingInsight
from agenda.services.config import calendar_config
from secretaria.ptbr import WEEKDAY_SHORT

Status = Appointment.Status
# Rows that are not on anyone's agenda: the old half of a move, and cancellations.
OFF_AGENDA = (Status.RESCHEDULED, Status.CANCELLED)


def company_tz() -> ZoneInfo:
    return ZoneInfo(calendar_config().timezone)


def company_today() -> date:
    return timezone.localdate(timezone=company_tz())


def day_bounds(*, day: date, days: int = 1) -> tuple[datetime, datetime]:
    """[start, end) of `days` company days starting at `day`, as aware datetimes."""
    tz = company_tz()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=days), time.min, tzinfo=tz)
    return start, end


def agenda_of_day(*, day: date | None = None, professional_id: int | None = None) -> QuerySet[Appointment]:
    """The appointments of one company day (today by default), in time order."""
    start, end = day_bounds(day=day or company_today())
    rows = (Appointment.objects.filter(start__gte=start, start__lt=end).exclude(status__in=OFF_AGENDA)
            .select_related("contact", "service", "professional").order_by("start", "pk"))
    if professional_id:
        rows = rows.filter(professional_id=professional_id)
    return rows


def attendance_rate(*, date_from: date, date_to: date, professional_id: int | None = None,
                    service_id: int | None = None) -> dict:
    """Attended / (attended + no-shows) for appointments that started in [date_from, date_to].

    Appointments still ahead, cancelled or moved are not part of the rate: only the ones
    whose outcome is known. `rate` is None when there is none yet.
    """
    start, _ = day_bounds(day=date_from)
    _, end = day_bounds(day=date_to)
    rows = Appointment.objects.filter(start__gte=start, start__lt=end)
    if professional_id:
        rows = rows.filter(professional_id=professional_id)
    if service_id:
        rows = rows.filter(service_id=service_id)
    counts = rows.aggregate(attended=Count("pk", filter=Q(status=Status.ATTENDED)),
                            no_show=Count("pk", filter=Q(status=Status.NO_SHOW)))
    known = counts["attended"] + counts["no_show"]
    return {"date_from": date_from, "date_to": date_to, **counts,
            "rate": round(counts["attended"] / known, 4) if known else None}


def followup_list(*, flagged: bool | None = None, state: str = "", sentiment: str = "") -> QuerySet[FollowUp]:
    """Newest first, with the appointment and contact they are about."""
    rows = (FollowUp.objects.select_related("appointment__contact", "appointment__service",
                                            "appointment__professional").order_by("-due_at", "-pk"))
    if flagged is not None:
        rows = rows.filter(flagged=flagged)
    if state:
        rows = rows.filter(state=state)
    if sentiment:
        rows = rows.filter(sentiment=sentiment)
    return rows


def followup_stats(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """How customers answer follow-ups sent in the period (all time when no dates are given).

    `response_rate` is answered / delivered (sent or answered); None before the first send.
    """
    rows = FollowUp.objects.filter(state__in=[FollowUp.State.SENT, FollowUp.State.ANSWERED])
    if date_from:
        rows = rows.filter(sent_at__gte=day_bounds(day=date_from)[0])
    if date_to:
        rows = rows.filter(sent_at__lt=day_bounds(day=date_to)[1])
    Sentiment = FollowUp.Sentiment
    stats = rows.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(state=FollowUp.State.ANSWERED)),
        positive=Count("pk", filter=Q(sentiment=Sentiment.POSITIVE)),
        neutral=Count("pk", filter=Q(sentiment=Sentiment.NEUTRAL)),
        negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)),
        flagged=Count("pk", filter=Q(flagged=True)),
        average_score=Avg("score"),
    )
    stats["response_rate"] = round(stats["answered"] / stats["sent"], 4) if stats["sent"] else None
    if stats["average_score"] is not None:
        stats["average_score"] = round(stats["average_score"], 2)
    return stats


def insight_list() -> QuerySet[SchedulingInsight]:
    return SchedulingInsight.objects.order_by("-created_at", "-pk")


def insight_latest() -> SchedulingInsight | None:
    return insight_list().first()


WEEKDAYS = tuple(day.lower() for day in WEEKDAY_SHORT)  # the heatmap's column heads: seg, ter...


def heatmap_table(heatmap: dict) -> dict:
    """The insight's {"weekday": {"hour": {"n", "rate"}}} as rows for a table: hours down, weekdays across."""
    hours = sorted({int(hour) for by_hour in heatmap.values() if isinstance(by_hour, dict) for hour in by_hour})
    rows = []
    for hour in hours:
        cells = []
        for weekday in range(7):
            cell = (heatmap.get(str(weekday)) or {}).get(str(hour)) or {}
            cells.append({"n": cell.get("n", 0), "rate": cell.get("rate")})
        rows.append({"hour": hour, "cells": cells})
    return {"weekdays": WEEKDAYS, "rows": rows}
