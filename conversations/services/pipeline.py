"""The reply pipeline: messages from one contact are claimed, answered together, once.

1. The webhook stores messages and, on commit, schedules `conversation_reply_task`
   for each contact after the debounce window.
2. `conversation_reply` takes a per-contact lock, waits out the debounce if the
   contact is still typing, claims the pending messages (received -> processing),
   composes one answer and, in one transaction, records the reply in the outbox and
   marks the messages answered.
3. A crash anywhere leaves messages in `received` or `processing`; the sweeper puts
   stale ones back and schedules them again. Answered messages are never answered again.
"""

from dataclasses import dataclass
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conversations.engine.local import answer
from conversations.models import Contact, Conversation, Message
from conversations.selectors import messages_pending
from conversations.services.outbox import reply_create
from conversations.services.sessions import conversation_current, conversation_note_intent
from secretaria.redis_client import get_redis, tenant_key
from tenants.selectors import company_current

log = structlog.get_logger(__name__)
LOCK_SECONDS = 120
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class ReplyOutcome:
    status: str  # "answered", "skipped", "nothing", "busy", "wait"
    retry_in: float = 0.0


def pipeline_schedule(*, contact_ids, delay: float | None = None) -> None:
    from conversations.tasks import conversation_reply_task

    countdown = settings.DEBOUNCE_SECONDS if delay is None else delay
    for contact_id in contact_ids:
        conversation_reply_task.apply_async(args=[contact_id], countdown=countdown)


def conversation_reply(*, contact_id: int) -> ReplyOutcome:
    lock = get_redis().lock(tenant_key("reply-lock", str(contact_id)), timeout=LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        return ReplyOutcome("busy", retry_in=settings.DEBOUNCE_SECONDS)
    try:
        return _reply_locked(contact_id)
    finally:
        _release(lock)


def _release(lock) -> None:
    try:
        lock.release()
    except Exception:  # noqa: BLE001 - expired lock: another worker may own it now, nothing to undo
        pass


def _reply_locked(contact_id: int) -> ReplyOutcome:
    pending = messages_pending(contact_id=contact_id)
    if not pending:
        return ReplyOutcome("nothing")
    quiet_for = (timezone.now() - pending[-1].created_at).total_seconds()
    if quiet_for < settings.DEBOUNCE_SECONDS:
        return ReplyOutcome("wait", retry_in=settings.DEBOUNCE_SECONDS - quiet_for)
    ids = [m.pk for m in pending]
    claimed = Message.objects.filter(pk__in=ids, state=Message.State.RECEIVED).update(
        state=Message.State.PROCESSING, processed_at=timezone.now()
    )
    if claimed != len(ids):
        Message.objects.filter(pk__in=ids, state=Message.State.PROCESSING).update(state=Message.State.RECEIVED)
        return ReplyOutcome("busy", retry_in=settings.DEBOUNCE_SECONDS)
    return _answer(Contact.objects.get(pk=contact_id), pending)


def _answer(contact: Contact, messages: list[Message]) -> ReplyOutcome:
    conversation = conversation_current(contact=contact)
    ids = [m.pk for m in messages]
    if conversation.status == Conversation.Status.HANDOFF:
        Message.objects.filter(pk__in=ids).update(state=Message.State.SKIPPED, conversation=conversation)
        return ReplyOutcome("skipped")
    text = "\n".join(m.text for m in messages if m.text)
    reply = answer(text=text, company_name=company_current().name, contact_name=contact.name)
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(state=Message.State.ANSWERED, conversation=conversation)
        reply_create(contact=contact, conversation=conversation, text=reply.text,
                     idempotency_key=f"reply:{ids[0]}:{ids[-1]}")
        conversation_note_intent(conversation=conversation, intent=reply.intent)
        if reply.handoff:
            _handoff(conversation, reason=reply.intent)
    return ReplyOutcome("answered")


def _handoff(conversation: Conversation, *, reason: str) -> None:
    conversation.status = Conversation.Status.HANDOFF
    conversation.handoff_reason = reason
    conversation.handoff_at = timezone.now()
    conversation.save(update_fields=["status", "handoff_reason", "handoff_at"])


def pipeline_sweep() -> int:
    """Put messages stuck in `processing` back, and schedule every contact with unanswered messages.

    Covers a worker killed mid-reply and a broker that lost its queue (Redis restarted empty).
    """
    stale = timezone.now() - STALE_AFTER
    Message.objects.filter(state=Message.State.PROCESSING, processed_at__lt=stale).update(
        state=Message.State.RECEIVED
    )
    waiting = set(
        Message.objects.filter(direction=Message.Direction.IN, state=Message.State.RECEIVED,
                               created_at__lt=timezone.now() - timedelta(seconds=settings.DEBOUNCE_SECONDS * 5))
        .values_list("contact_id", flat=True).distinct()
    )
    pipeline_schedule(contact_ids=waiting, delay=0)
    return len(waiting)
