from django.urls import path

from conversations.api.dead_letters import dead_letter_urlpatterns
from conversations.api.inbox import inbox_urlpatterns
from conversations.api.llm import LLMConfigView
from conversations.api.sandbox import SandboxRepliesView
from conversations.api.views import ChannelView
from conversations.api.webhooks import MetaWebhookView, SandboxWebhookView, WhaticketWebhookView

# On each company's host.
tenant_webhook_urlpatterns = [
    path("webhook/whaticket/<str:secret>", WhaticketWebhookView.as_view(), name="webhook-whaticket-token"),
    path("webhook/whaticket", WhaticketWebhookView.as_view(), name="webhook-whaticket"),
    path("webhook/sandbox/<str:secret>", SandboxWebhookView.as_view(), name="webhook-sandbox-token"),
    path("webhook/sandbox/<str:secret>/replies", SandboxRepliesView.as_view(), name="webhook-sandbox-replies"),
    path("webhook/sandbox", SandboxWebhookView.as_view(), name="webhook-sandbox"),
]
tenant_api_urlpatterns = [
    path("channel", ChannelView.as_view(), name="channel"),
    path("llm", LLMConfigView.as_view(), name="llm-config"),
    *inbox_urlpatterns,
    *dead_letter_urlpatterns,
]

# On the public host: Meta sends every company's notifications to one URL.
public_webhook_urlpatterns = [path("webhook/meta", MetaWebhookView.as_view(), name="webhook-meta")]
