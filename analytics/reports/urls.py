"""Routes of this part, under /api/ on the company's host (analytics/urls.py includes them).

The trailing slash is optional, like every API path.
"""

from django.urls import re_path

from analytics.reports.api import FunnelView, HistoryView, SummaryView

urlpatterns = [
    re_path(r"^analytics/summary/?$", SummaryView.as_view(), name="analytics-summary"),
    re_path(r"^analytics/history/?$", HistoryView.as_view(), name="analytics-history"),
    re_path(r"^analytics/funnel/?$", FunnelView.as_view(), name="analytics-funnel"),
]
