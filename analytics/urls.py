"""analytics under /api/ on a company's host: each part's routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("analytics.reports.urls")),
    path("", include("analytics.exports.urls")),
    path("", include("analytics.recommendations.urls")),
    path("", include("analytics.webhooks.urls")),
    path("", include("analytics.feedback.urls")),
]
