"""Routes of outgoing webhooks, under /api/ on the company's host (analytics/urls.py includes them)."""

from django.urls import path

from analytics.webhooks.api.views import (
    WebhookDeliveryListView,
    WebhookDetailView,
    WebhookListView,
    WebhookTestView,
)

urlpatterns = [
    path("webhooks", WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:pk>", WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/test", WebhookTestView.as_view(), name="webhook-test"),
    path("webhooks/<int:pk>/deliveries", WebhookDeliveryListView.as_view(), name="webhook-deliveries"),
]
