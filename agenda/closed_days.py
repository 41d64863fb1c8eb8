"""The company's whole-business days off, as a source of closed days for the assistant.

A `TimeOff` without a professional closes the business for everyone (a recess, a local
holiday, a day for a renovation); the assistant then says it is closed and when it opens
again (conversations/assistant/closed_days.py). Registered in AgendaConfig.ready().
"""

from datetime import datetime

from agenda.models import TimeOff
from conversations.assistant.closed_days import ClosedDaySource, ClosedSpan


def company_days_off(start: datetime, end: datetime) -> list[ClosedSpan]:
    """The days off of the whole business that overlap [start, end)."""
    rows = TimeOff.objects.filter(professional__isnull=True, start__lt=end, end__gt=start).order_by("start")
    return [ClosedSpan(start=row.start, end=row.end, reason=row.reason) for row in rows]


AGENDA_CLOSED_DAYS = ClosedDaySource(name="agenda", spans=company_days_off)
