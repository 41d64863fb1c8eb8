from django.urls import path

from conversations.api.views import ChannelView
from conversations.api.webhooks import MetaWebhookView, SandboxWebhookView, WhaticketWebhookView

# On each company's host.
tenant_webhook_urlpatterns = [
    path("webhook/whaticket/<str:secret>", WhaticketWebhookView.as_view(), name="webhook-whaticket-token"),
    path("webhook/whaticket", WhaticketWebhookView.as_view(), name="webhook-whaticket"),
    path("webhook/sandbox/<str:secret>", SandboxWebhookView.as_view(), name="webhook-sandbox-token"),
    path("webhook/sandbox", SandboxWebhookView.as_view(), name="webhook-sandbox"),
]
tenant_api_urlpatterns = [path("channel", ChannelView.as_view(), name="channel")]

# On the public host: Meta sends every company's notifications to one URL.
public_webhook_urlpatterns = [path("webhook/meta", MetaWebhookView.as_view(), name="webhook-meta")]
