"""Conversation sessions: closed after 30 min idle or 2 h in total; at most 3 open intents.

A conversation belongs to the channel its first message came in on, and every reply leaves
through it. A customer who writes to another of the company's numbers starts a new
conversation there, so the answer comes from the number they wrote to.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from conversations.core.models import Contact, Conversation
from conversations.core.selectors import channel_for_contact

IDLE_LIMIT = timedelta(minutes=30)
AGE_LIMIT = timedelta(hours=2)
MAX_INTENTS = 3


def conversation_current(*, contact: Contact, channel_id: int | None = None) -> Conversation:
    """The contact's open conversation, closing a stale one and opening a new one as needed.

    `channel_id`: the channel the contact just wrote on; an open conversation on another
    channel is closed (handoffs included: the staff see it in the history) and a new one opens
    here. None (automations): the open conversation wherever it is, or a new one on the
    channel the contact last used (the company's default channel for a contact who never wrote).
    """
    now = timezone.now()
    conversation = Conversation.objects.filter(contact=contact).exclude(status=Conversation.Status.CLOSED).first()
    if conversation is not None and _moved_or_expired(conversation, channel_id, now):
        conversation_close(conversation=conversation)
        conversation = None
    if conversation is None:
        channel_id = channel_id or channel_for_contact(contact_id=contact.pk)
        conversation = Conversation.objects.create(contact=contact, channel_id=channel_id)
        conversation.just_opened = True  # no turns yet: the reply need not look for any
    return conversation


def _moved_or_expired(conversation: Conversation, channel_id: int | None, now) -> bool:
    if channel_id is not None and conversation.channel_id not in (None, channel_id):
        return True
    return conversation.status == Conversation.Status.BOT and _expired(conversation, now)


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
