"""Routes of feedback and NPS, under /api/ on the company's host (analytics/urls.py includes them)."""

from django.urls import path

from analytics.feedback.api.views import FeedbackIngestView, FeedbackKeyDetailView, FeedbackKeyListView, NpsView

urlpatterns = [
    path("feedback/ingest", FeedbackIngestView.as_view(), name="feedback-ingest"),
    path("feedback/nps", NpsView.as_view(), name="feedback-nps"),
    path("feedback/keys", FeedbackKeyListView.as_view(), name="feedback-keys"),
    path("feedback/keys/<int:pk>", FeedbackKeyDetailView.as_view(), name="feedback-key-detail"),
]
