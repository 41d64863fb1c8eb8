"""Conversation sessions: closed after 30 min idle or 2 h in total; at most 3 open intents."""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from conversations.models import Contact, Conversation

IDLE_LIMIT = timedelta(minutes=30)
AGE_LIMIT = timedelta(hours=2)
MAX_INTENTS = 3


def conversation_current(*, contact: Contact) -> Conversation:
    """The contact's open conversation, closing a stale one and opening a new one as needed."""
    now = timezone.now()
    conversation = Conversation.objects.filter(contact=contact).exclude(status=Conversation.Status.CLOSED).first()
    if conversation and conversation.status == Conversation.Status.BOT and _expired(conversation, now):
        conversation_close(conversation=conversation)
        conversation = None
    if conversation is None:
        conversation = Conversation.objects.create(contact=contact)
        conversation.just_opened = True  # no turns yet: the reply need not look for any
    return conversation


def _expired(conversation: Conversation, now) -> bool:
    return now - conversation.last_activity_at > IDLE_LIMIT or now - conversation.opened_at > AGE_LIMIT


def conversation_close(*, conversation: Conversation) -> None:
    conversation.status = Conversation.Status.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at"])


def conversation_note_intent(
    *, conversation: Conversation, intent: str, low_confidence_streak: int | None = None
) -> None:
    """Remember an intent; the oldest is dropped past three (the session's focus moves on).

    The reply pipeline also passes the low-confidence streak: one UPDATE per reply.
    """
    intents = [i for i in conversation.intents if i != intent] + [intent]
    conversation.intents = intents[-MAX_INTENTS:]
    conversation.last_activity_at = timezone.now()
    fields = ["intents", "last_activity_at"]
    if low_confidence_streak is not None:
        conversation.low_confidence_streak = low_confidence_streak
        fields.append("low_confidence_streak")
    conversation.save(update_fields=fields)


def conversations_close_stale() -> int:
    """Close bot conversations idle for 30 min or open for 2 h (handoffs stay with the staff)."""
    now = timezone.now()
    stale = Conversation.objects.filter(status=Conversation.Status.BOT).filter(
        models.Q(last_activity_at__lt=now - IDLE_LIMIT) | models.Q(opened_at__lt=now - AGE_LIMIT)
    )
    return stale.update(status=Conversation.Status.CLOSED, closed_at=now)
