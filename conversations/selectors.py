import functools

from django.db import connection

from conversations.models import Channel, Contact, Message
from secretaria.local_cache import cached


def channel_for_inbound(*, kind: str) -> Channel | None:
    """The company's channel if inbound traffic of `kind` is what it is configured for.

    Read on every webhook: cached for a few seconds per process (a query and a Fernet
    decryption saved per request); the channel services forget it when they change it.
    """
    channel = cached("channel_inbound", lambda: Channel.objects.filter(singleton=1).first())
    return channel if channel is not None and channel.kind == kind else None


def messages_pending(*, contact_id: int) -> list[Message]:
    """The contact's inbound messages not yet answered, oldest first, each with its contact.

    What `Message.objects.filter(contact_id=..., direction="in", state="received")
    .select_related("contact").order_by("created_at", "id")` returns, in hand-written SQL:
    every wake-up of the reply pipeline starts here, and Django compiling that same query
    again each time was a fifth of the worker's CPU.
    """
    sql, contact_columns = _pending_sql()
    messages = list(Message.objects.raw(sql, [contact_id, Message.Direction.IN, Message.State.RECEIVED]))
    if messages:
        first = messages[0]
        contact = Contact.from_db(connection.alias, [name for name, _ in contact_columns],
                                  [getattr(first, alias) for _, alias in contact_columns])
        for message in messages:
            message.contact = contact
    return messages


@functools.cache
def _pending_sql() -> tuple[str, list[tuple[str, str]]]:
    """(SQL, [(Contact field attname, column alias)]), built once from the models' metadata."""
    message_columns = [f'm."{field.column}"' for field in Message._meta.concrete_fields]
    contact_columns = [(field.attname, f"contact__{field.attname}") for field in Contact._meta.concrete_fields]
    select = ", ".join(message_columns + [f'c."{Contact._meta.get_field(name).column}" AS "{alias}"'
                                          for name, alias in contact_columns])
    sql = (f'SELECT {select} FROM "{Message._meta.db_table}" m '
           f'JOIN "{Contact._meta.db_table}" c ON c."id" = m."contact_id" '
           'WHERE m."contact_id" = %s AND m."direction" = %s AND m."state" = %s ORDER BY m."created_at", m."id"')
    return sql, contact_columns


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
