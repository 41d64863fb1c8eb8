"""Reads of the conversation core: pending messages and recent turns."""

import functools

from django.db import connection

from conversations.channels.selectors import channel_by_id, channel_default
from conversations.core.models import Contact, Conversation, Message


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


def channel_for_contact(*, contact_id: int) -> int | None:
    """The id of the channel to reach a contact through: the one of their latest conversation while it
    is enabled, else the company's default channel (a contact who never wrote in, a removed number)."""
    latest = (Conversation.objects.filter(contact_id=contact_id, channel__isnull=False)
              .order_by("-last_activity_at", "-id").values_list("channel_id", flat=True).first())
    channel = channel_by_id(latest)
    if channel is not None and channel.enabled:
        return channel.pk
    default = channel_default()
    return default.pk if default is not None else None
