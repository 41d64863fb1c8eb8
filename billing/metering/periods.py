"""Billing periods are calendar months in the platform's time zone (settings.TIME_ZONE, São Paulo).

Every company bills in the same zone today; a month is what `GET /api/billing/usage?period=YYYY-MM`
names, so the counters, the daily roll-up and the API all cut time at the same instants.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def period_of(moment: datetime | date | None = None) -> date:
    """The first day of the month containing `moment` (default: now), in the local zone."""
    if moment is None:
        moment = timezone.now()
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)


def period_next(period: date) -> date:
    return (period.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_bounds(period: date) -> tuple[datetime, datetime]:
    """[start, end) of the month as aware datetimes."""
    return day_start(period), day_start(period_next(period))


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_label(period: date) -> str:
    return period.strftime("%Y-%m")


def period_parse(text: str) -> date | None:
    """`YYYY-MM` as the month's first day; None when it is not a month."""
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except (ValueError, AttributeError):
        return None
    return parsed.date().replace(day=1)
