"""The agenda's REST API, mounted under /api/ on each company's host (paths start with "agenda/").

The trailing slash is optional, like every API path.
"""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from agenda.api.views import AppointmentViewSet, AvailabilityView
from agenda.api.views_reports import (
    AttendanceView,
    FollowUpListView,
    InsightListView,
    InsightRunView,
    NoShowRescheduleView,
    TodayView,
)
from agenda.api.views_settings import CalendarConfigView, ProfessionalListView, ServiceListView

_router = SimpleRouter()
_router.trailing_slash = "/?"
_router.register("agenda/appointments", AppointmentViewSet, basename="agenda-appointment")


def _path(route: str, view, name: str):
    return re_path(rf"^agenda/{route}/?$", view.as_view(), name=name)


api_urlpatterns = [
    _path("availability", AvailabilityView, "agenda-availability"),
    *_router.urls,
    _path("today", TodayView, "agenda-today"),
    _path("attendance", AttendanceView, "agenda-attendance"),
    _path("followups", FollowUpListView, "agenda-followups"),
    _path("insights", InsightListView, "agenda-insights"),
    _path("insights/run", InsightRunView, "agenda-insights-run"),
    _path("no-shows/reschedule", NoShowRescheduleView, "agenda-noshows-reschedule"),
    _path("calendar", CalendarConfigView, "agenda-calendar"),
    _path("services", ServiceListView, "agenda-services"),
    _path("professionals", ProfessionalListView, "agenda-professionals"),
]
