"""A company's host, under /api/: its channels, its language model, the inbox and the dead letters."""

from django.urls import path

from conversations.api.channels import ChannelDetailView, ChannelListView, ChannelRotateSecretView, ChannelView
from conversations.api.dead_letters import dead_letter_urlpatterns
from conversations.api.inbox import inbox_urlpatterns
from conversations.api.llm import LLMConfigView

urlpatterns = [
    path("channel", ChannelView.as_view(), name="channel"),
    path("channels", ChannelListView.as_view(), name="channels"),
    path("channels/<int:pk>", ChannelDetailView.as_view(), name="channel-detail"),
    path("channel/rotate-secret", ChannelRotateSecretView.as_view(), name="channel-rotate-secret"),
    path("channels/<int:pk>/rotate-secret", ChannelRotateSecretView.as_view(), name="channel-detail-rotate-secret"),
    path("llm", LLMConfigView.as_view(), name="llm-config"),
    *inbox_urlpatterns,
    *dead_letter_urlpatterns,
]
