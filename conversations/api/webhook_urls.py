"""Every host: the one inbound webhook pattern of every channel kind, and the sandbox's replies."""

from django.urls import path, register_converter

from conversations.api.sandbox import SandboxRepliesView
from conversations.api.webhooks import ChannelWebhookView
from conversations.channels.registry import channel_spec


class ChannelKindConverter:
    """A registered channel kind, or no match: `/webhook/calcom` then falls through to the agenda's
    own pattern, whichever comes first in the URL root."""

    regex = "[a-z][a-z0-9_]{0,31}"

    def to_python(self, value: str) -> str:
        if channel_spec(value) is None:
            raise ValueError(value)  # Django tries the next pattern
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ChannelKindConverter, "channel_kind")

urlpatterns = [
    path("webhook/sandbox/<str:token>/replies", SandboxRepliesView.as_view(), name="webhook-sandbox-replies"),
    path("webhook/<channel_kind:kind>/<str:token>", ChannelWebhookView.as_view(), name="webhook-token"),
    path("webhook/<channel_kind:kind>", ChannelWebhookView.as_view(), name="webhook"),
]
