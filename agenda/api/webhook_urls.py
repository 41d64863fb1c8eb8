"""A company's host: Cal.com's signed webhooks (/webhook/calcom)."""

from agenda.api.webhooks import webhook_urlpatterns

urlpatterns = webhook_urlpatterns
