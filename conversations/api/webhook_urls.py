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


class OptionalTokenConverter:
    """"/<secret>" after the kind, or nothing (a provider that signs its calls, or `?token=`)."""

    regex = "(?:/[^/]+)?"

    def to_python(self, value: str) -> str:
        return value[1:]

    def to_url(self, value: str) -> str:
        return f"/{value}" if value else ""


register_converter(ChannelKindConverter, "channel_kind")
register_converter(OptionalTokenConverter, "optional_token")

urlpatterns = [
    path("webhook/sandbox/<str:token>/replies", SandboxRepliesView.as_view(), name="webhook-sandbox-replies"),
    # Every kind, every host: the view asks the registry which host serves the kind.
    path("webhook/<channel_kind:kind><optional_token:token>", ChannelWebhookView.as_view(), name="webhook"),
]
