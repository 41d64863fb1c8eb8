"""Storing what providers hand us: inbound messages, delivery statuses, dead letters.

The webhook calls these inside its request; it answers 2xx only after they commit.
"""

from dataclasses import dataclass, field

import structlog
from django.db import IntegrityError, transaction

from conversations.models import Contact, DeadLetter, Message
from conversations.providers.channels.base import DeliveryStatus, InboundMessage, StatusUpdate

log = structlog.get_logger(__name__)

# Kinds that never get an answer of their own (the customer expects none).
SILENT_KINDS = {"reaction", "system"}


@dataclass
class IngestResult:
    stored: list[int] = field(default_factory=list)  # new Message ids
    duplicates: int = 0
    contacts_to_answer: set[int] = field(default_factory=set)


def contact_touch(*, phone: str, name: str, at) -> Contact:
    contact, created = Contact.objects.get_or_create(phone=phone, defaults={"name": name[:120], "last_message_at": at})
    if not created:
        updates = {"last_message_at": at}
        if name and not contact.name:
            updates["name"] = name[:120]
        Contact.objects.filter(pk=contact.pk).update(**updates)
    return contact


def inbound_store(*, message: InboundMessage) -> Message | None:
    """Store one inbound message; None when (provider, id) was already stored (a redelivery)."""
    if Message.objects.filter(provider=message.provider, provider_message_id=message.provider_message_id).exists():
        return None
    try:
        with transaction.atomic():
            contact = contact_touch(phone=message.sender, name=message.sender_name, at=message.timestamp)
            return Message.objects.create(
                contact=contact, direction=Message.Direction.IN, provider=message.provider,
                provider_message_id=message.provider_message_id, kind=str(message.kind), text=message.text,
                payload=_payload_of(message),
                state=Message.State.SKIPPED if message.kind in SILENT_KINDS else Message.State.RECEIVED,
            )
    except IntegrityError:
        return None  # a concurrent delivery of the same message won the insert


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


def inbound_store_many(*, messages: list[InboundMessage]) -> IngestResult:
    result = IngestResult()
    for message in messages:
        stored = inbound_store(message=message)
        if stored is None:
            result.duplicates += 1
            continue
        result.stored.append(stored.pk)
        if stored.state == Message.State.RECEIVED:
            result.contacts_to_answer.add(stored.contact_id)
    return result


def dead_letter_record(*, source: str, reason: str, payload: dict, message: Message | None = None) -> DeadLetter:
    log.warning("dead_letter", source=source, reason=reason[:200])
    return DeadLetter.objects.create(source=source, reason=reason, payload=payload, message=message)


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
