from conversations.models import Channel, Message
from secretaria.local_cache import cached


def channel_for_inbound(*, kind: str) -> Channel | None:
    """The company's channel if inbound traffic of `kind` is what it is configured for.

    Read on every webhook: cached for a few seconds per process (a query and a Fernet
    decryption saved per request); the channel services forget it when they change it.
    """
    channel = cached("channel_inbound", lambda: Channel.objects.filter(singleton=1).first())
    return channel if channel is not None and channel.kind == kind else None


def messages_pending(*, contact_id: int) -> list[Message]:
    return list(
        Message.objects.filter(contact_id=contact_id, direction=Message.Direction.IN, state=Message.State.RECEIVED)
        .select_related("contact").order_by("created_at", "id")
    )


def recent_turns(*, conversation_id: int, limit: int = 12) -> list[Message]:
    """The conversation's last turns, oldest first (long-term history lives in PostgreSQL)."""
    turns = Message.objects.filter(conversation_id=conversation_id).order_by("-created_at", "-id")[:limit]
    return list(reversed(turns))


def llm_usage(*, since) -> dict:
    """Token sums and call counts by outcome since `since`, for quotas and the panel.

    {"input_tokens": int, "output_tokens": int, "calls": int, "by_outcome": {"ok": n, ...}}
    """
    from django.db.models import Count, Sum

    from conversations.models import LLMCall

    rows = (LLMCall.objects.filter(created_at__gte=since).values("outcome")
            .annotate(calls=Count("id"), input_tokens=Sum("input_tokens"), output_tokens=Sum("output_tokens")))
    usage = {"input_tokens": 0, "output_tokens": 0, "calls": 0, "by_outcome": {}}
    for row in rows:
        usage["input_tokens"] += row["input_tokens"] or 0
        usage["output_tokens"] += row["output_tokens"] or 0
        usage["calls"] += row["calls"]
        usage["by_outcome"][row["outcome"]] = row["calls"]
    return usage
