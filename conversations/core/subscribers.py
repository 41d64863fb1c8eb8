"""What the conversation core does when it hears a domain event (registered in ConversationsConfig.ready())."""

from conversations.core.outbox import outbox_fail_for_channel
from secretaria import events


def _channel_disabled(event: events.ChannelDisabled) -> None:
    outbox_fail_for_channel(channel_id=event.channel_id, reason=event.reason)


def subscribe_all() -> None:
    events.subscribe(events.ChannelDisabled, _channel_disabled)
