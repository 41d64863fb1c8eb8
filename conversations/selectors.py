from conversations.models import Channel, Message


def channel_for_inbound(*, kind: str) -> Channel | None:
    """The company's channel if inbound traffic of `kind` is what it is configured for."""
    return Channel.objects.filter(singleton=1, kind=kind).first()


def messages_pending(*, contact_id: int) -> list[Message]:
    return list(
        Message.objects.filter(contact_id=contact_id, direction=Message.Direction.IN, state=Message.State.RECEIVED)
        .order_by("created_at", "id")
    )


def recent_turns(*, conversation_id: int, limit: int = 12) -> list[Message]:
    """The conversation's last turns, oldest first (long-term history lives in PostgreSQL)."""
    turns = Message.objects.filter(conversation_id=conversation_id).order_by("-created_at", "-id")[:limit]
    return list(reversed(turns))
