"""Storing what providers hand us: inbound messages, delivery statuses, dead letters.

The webhook calls these inside its request; it answers 2xx only after they commit.
"""

import json
from dataclasses import dataclass, field

import structlog
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from conversations.channels.base import DeliveryStatus, InboundMessage, StatusUpdate
from conversations.core.limits import sender_allow
from conversations.core.models import Contact, DeadLetter, ErasureTombstone, Message
from conversations.core.privacy import message_hash, phone_hash
from secretaria.events import DeadLetterRecorded, MessageReceived, publish
from secretaria.observability.metrics import DEAD_LETTERS

log = structlog.get_logger(__name__)

# Kinds that never get an answer of their own (the customer expects none).
SILENT_KINDS = {"reaction", "system"}


@dataclass
class IngestResult:
    stored: list[int] = field(default_factory=list)  # new Message ids
    duplicates: int = 0
    contacts_to_answer: set[int] = field(default_factory=set)


# One statement per inbound message: the contact is created or its last-message time moved
# forward, and the message inserted; the insert is a no-op on a redelivery, because the
# (provider, provider_message_id) unique index decides, so two concurrent deliveries of one
# message cannot both get through. (One round trip instead of three; this runs for every webhook.)
#
# A message from a phone whose data was erased (compliance/lgpd) is refused in the same statement when
# it is older than the erasure or one of the erased provider ids (an old webhook redelivered): the
# erased contact must not come back. A newer message from that phone starts a fresh contact.
_UPSERT_CONTACT_INSERT_INBOUND = f"""
    WITH contact AS (
        INSERT INTO {Contact._meta.db_table}
            (phone, name, created_at, last_message_at, opted_out_at, reminders_kept, erased_at)
        SELECT %s, %s, %s, %s, NULL, false, NULL
        WHERE NOT EXISTS (
            SELECT 1 FROM {ErasureTombstone._meta.db_table} t
            WHERE t.phone_hash = %s AND (t.erased_at >= %s OR %s = ANY(t.message_hashes)))
        ON CONFLICT (phone) DO UPDATE SET last_message_at = EXCLUDED.last_message_at
        RETURNING id, name
    )
    INSERT INTO {Message._meta.db_table}
        (contact_id, channel_id, direction, provider, provider_message_id, kind, text, payload, state,
         delivery_status, sent_by, created_at)
    SELECT contact.id, %s, 'in', %s, %s, %s, %s, %s, %s, '', '', %s FROM contact
    ON CONFLICT DO NOTHING
    RETURNING id, contact_id
"""


def answers_expected(message: InboundMessage) -> bool:
    """Does this message get an answer of its own (and so count against its sender's limit)?"""
    return message.kind not in SILENT_KINDS


def _initial_state(message: InboundMessage, sender_allowed: bool | None) -> str:
    if not answers_expected(message):
        return Message.State.SKIPPED
    if sender_allowed is None:
        sender_allowed = sender_allow(phone=message.sender)
    # A flooding contact's excess is kept (nothing is dropped) but never answered.
    return Message.State.RECEIVED if sender_allowed else Message.State.LIMITED


@dataclass(frozen=True, slots=True)
class Stored:
    """What a stored inbound message's caller needs: its id, its contact's, the state it starts in."""

    message_id: int
    contact_id: int
    state: str


def inbound_record(*, message: InboundMessage, channel_id: int | None = None,
                   sender_allowed: bool | None = None) -> Stored | None:
    """Store one inbound message that came in on `channel_id`; None when (provider, id) was already
    stored (a redelivery) or refused by an erasure tombstone. Builds no model instances: this runs
    for every webhook.

    `sender_allowed`: the sender limit's answer when the caller already asked for it
    (limits.webhook_allow); None to ask here.
    """
    state = _initial_state(message, sender_allowed)
    # The arrival time is the app's clock, not the database's now(): the reply pipeline measures the
    # debounce against the app's clock, and two clocks apart by a second would answer a contact who is
    # still typing (or wait a window too long).
    arrived = timezone.now()
    row = _execute_reconnecting(_UPSERT_CONTACT_INSERT_INBOUND, [
        message.sender, message.sender_name[:120], arrived, message.timestamp,
        phone_hash(message.sender), message.timestamp, message_hash(message.provider, message.provider_message_id),
        channel_id,
        message.provider, message.provider_message_id, str(message.kind), message.text,
        json.dumps(_payload_of(message)), state, arrived,
    ])
    if row is None:
        return None
    message_id, contact_id = row
    publish(MessageReceived(message_id=message_id, contact_id=contact_id, channel_id=channel_id,
                            kind=str(message.kind), answered=state == Message.State.RECEIVED))
    return Stored(message_id, contact_id, state)


def inbound_store(*, message: InboundMessage, channel_id: int | None = None,
                  sender_allowed: bool | None = None) -> Message | None:
    """`inbound_record`, answered as the Message row (with its contact) for callers that want one."""
    stored = inbound_record(message=message, channel_id=channel_id, sender_allowed=sender_allowed)
    if stored is None:
        return None
    contact = Contact(pk=stored.contact_id, phone=message.sender, name=message.sender_name[:120])
    return Message(pk=stored.message_id, contact=contact, channel_id=channel_id, direction=Message.Direction.IN,
                   provider=message.provider, provider_message_id=message.provider_message_id,
                   kind=str(message.kind), text=message.text, state=stored.state)


def _execute_reconnecting(sql: str, params: list):
    """Run one statement and fetch its row; on a connection found dead, reconnect and run it again.

    The webhook handler skips Django's per-request `SELECT 1` health check (secretaria/wsgi.py),
    so a connection that died since the last request (PostgreSQL restarted) is found here.
    Running the statement again is safe: outside a transaction it either committed (and the
    unique message id turns the retry into a redelivery) or did nothing. Inside one (the Meta
    webhook's batch) the error goes up and the provider retries the whole delivery.
    """
    for retry in (False, True):
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone()
        except (InterfaceError, OperationalError):
            if retry or connection.in_atomic_block or connection.is_usable():
                raise
            connection.close()


def _payload_of(message: InboundMessage) -> dict:
    payload: dict = {"timestamp": message.timestamp.isoformat()}
    for name in ("choice_id", "reply_to", "reaction_to", "channel_account"):
        if value := getattr(message, name):
            payload[name] = value
    if message.media:
        payload["media"] = {k: v for k, v in vars(message.media).items() if v}
    if message.location:
        payload["location"] = vars(message.location)
    if message.contacts:
        payload["contacts"] = message.contacts
    return payload


def inbound_store_many(*, messages: list[InboundMessage], channel_id: int | None = None,
                       sender_allowed: bool | None = None) -> IngestResult:
    result = IngestResult()
    for message in messages:
        stored = inbound_record(message=message, channel_id=channel_id, sender_allowed=sender_allowed)
        if stored is None:
            result.duplicates += 1
            continue
        result.stored.append(stored.message_id)
        if stored.state == Message.State.RECEIVED:
            result.contacts_to_answer.add(stored.contact_id)
    return result


def dead_letter_record(*, source: str, reason: str, payload: dict, message: Message | None = None,
                       channel_id: int | None = None) -> DeadLetter:
    log.warning("dead_letter", source=source, reason=reason[:200])
    dead_letter = DeadLetter.objects.create(source=source, reason=reason, payload=payload, message=message,
                                            channel_id=channel_id or (message.channel_id if message else None))
    publish(DeadLetterRecorded(dead_letter_id=dead_letter.pk, source=source, reason=reason[:500]))
    transaction.on_commit(lambda company=connection.schema_name: DEAD_LETTERS.labels(company).inc())
    return dead_letter


def delivery_status_apply(*, update: StatusUpdate, rank) -> bool:
    """Record an outbound message's delivery status if it advances it (R7: any arrival order).

    `rank(status) -> int` orders statuses; an update that ranks lower is ignored.
    The compare-and-set loop keeps two concurrent updates from undoing each other.
    """
    for _ in range(3):
        current = (Message.objects.filter(provider=update.provider, provider_message_id=update.provider_message_id)
                   .values_list("pk", "delivery_status").first())
        if current is None:
            return False
        pk, status = current
        if status and rank(DeliveryStatus(status)) >= rank(update.status):
            return False
        if Message.objects.filter(pk=pk, delivery_status=status).update(delivery_status=update.status.value):
            return True
    return False
