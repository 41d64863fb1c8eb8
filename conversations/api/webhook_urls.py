"""Every host: the one inbound webhook pattern of every channel kind, and the sandbox's replies."""

from django.urls import path, re_path

from conversations.api.sandbox import SandboxRepliesView
from conversations.api.webhooks import ChannelWebhookView

urlpatterns = [
    path("webhook/sandbox/<str:token>/replies", SandboxRepliesView.as_view(), name="webhook-sandbox-replies"),
    re_path(r"^webhook/(?P<kind>[a-z][a-z0-9_]{0,31})(?:/(?P<token>[^/]+))?/?$", ChannelWebhookView.as_view(),
            name="webhook"),
]
