"""Cal.com API v2: the HTTP client and the calendar built on it."""

from agenda.providers.calcom.calendar import CalcomCalendar
from agenda.providers.calcom.client import CalcomClient, CalcomRejected, CalcomSlotTaken, CalcomUnavailable

__all__ = ["CalcomCalendar", "CalcomClient", "CalcomRejected", "CalcomSlotTaken", "CalcomUnavailable"]
