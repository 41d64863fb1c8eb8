"""Routes of this part, under /api/ on the company's host (analytics/urls.py includes them)."""

from django.urls import path

from analytics.exports.api import ExportView

urlpatterns = [
    path("analytics/export", ExportView.as_view(), name="analytics-export"),
]
