"""Routes of the A/B tests, under /api/ on the company's host (templates/urls.py includes them)."""

from django.urls import path

from templates.experiments.api.views import (
    AbTestDetailView,
    AbTestListView,
    AbTestPauseView,
    AbTestResultsView,
    AbTestStartView,
    AbTestStopView,
)

urlpatterns = [
    path("abtests", AbTestListView.as_view(), name="abtests"),
    path("abtests/<int:pk>", AbTestDetailView.as_view(), name="abtest-detail"),
    path("abtests/<int:pk>/start", AbTestStartView.as_view(), name="abtest-start"),
    path("abtests/<int:pk>/pause", AbTestPauseView.as_view(), name="abtest-pause"),
    path("abtests/<int:pk>/stop", AbTestStopView.as_view(), name="abtest-stop"),
    path("abtests/<int:pk>/results", AbTestResultsView.as_view(), name="abtest-results"),
]
