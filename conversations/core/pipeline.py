"""The reply pipeline: messages from one contact are claimed, answered together, once.

1. The webhook stores messages and, on commit, schedules each contact for the end of
   the debounce window (a Redis sorted set, see wakeups.py); the worker's dispatcher
   starts `conversation_reply_task` when it is due.
2. `conversation_reply` takes a per-contact lock, waits out the debounce if the
   contact is still typing, claims the pending messages (received -> processing),
   composes one answer and, in one transaction, records the reply in the outbox and
   marks the messages answered.
3. A crash anywhere leaves messages in `received` or `processing`; the sweeper puts
   stale ones back and schedules them again. Answered messages are never answered again.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing.metering.quotas import quota_read, quota_scope, replies_paused
from conversations.core.context import context_append
from conversations.core.handoff import conversation_handoff
from conversations.core.ingest import dead_letter_record
from conversations.core.models import Contact, Conversation, Message, Outbox
from conversations.core.outbox import SEND_RETRY_BACKOFF_MAX, enqueue_send, reply_create
from conversations.core.quota_pause import replies_pause
from conversations.core.replies import reply_draft
from conversations.core.selectors import messages_pending
from conversations.core.sessions import conversation_current, conversation_note_intent
from conversations.core.wakeups import wakeup_schedule
from secretaria.events import ReplySent, publish
from secretaria.observability.metrics import INTENTION_DISTRIBUTION, OUTBOX_RESENT, REPLY_LATENCY
from secretaria.redis_client import get_redis, tenant_key
from secretaria.settings_cache import settings_snapshot, settings_version_key

log = structlog.get_logger(__name__)
LOCK_SECONDS = 120
STALE_AFTER = timedelta(minutes=2)
SENDING_STALE_AFTER = timedelta(minutes=5)
RETRY_LOST_AFTER = timedelta(seconds=SEND_RETRY_BACKOFF_MAX + 60)


@dataclass(frozen=True)
class ReplyOutcome:
    status: str  # "answered", "skipped", "nothing", "busy", "wait", "dead"
    retry_in: float = 0.0


def pipeline_schedule(*, contact_ids, delay: float | None = None) -> None:
    """Answer these contacts once they have been quiet for the debounce window (see wakeups.py)."""
    countdown = settings.DEBOUNCE_SECONDS if delay is None else delay
    try:
        wakeup_schedule(contact_ids=contact_ids, delay=countdown)
    except Exception:  # noqa: BLE001 - Redis down: the messages are committed, the sweeper takes them
        log.warning("schedule_failed", contact_ids=sorted(contact_ids)[:20])


def conversation_reply(*, contact_id: int) -> ReplyOutcome:
    key, token = tenant_key("reply-lock", str(contact_id)), uuid.uuid4().hex
    # The per-contact lock and the company's settings version in one round trip: the whole reply
    # then reads its settings (profile, knowledge, catalogue, model, calendar, channel) at that version.
    pipe = get_redis().pipeline(transaction=False)
    pipe.set(key, token, nx=True, ex=LOCK_SECONDS)
    pipe.get(settings_version_key())
    quota_read(pipe)  # the period's usage rides along: the quota verdicts cost no round trip
    acquired, version, usage = pipe.execute()
    if not acquired:
        return ReplyOutcome("busy", retry_in=settings.DEBOUNCE_SECONDS)
    metering = quota_scope(usage)
    try:
        with settings_snapshot(version=version), metering:
            return _reply_locked(contact_id)
    finally:
        _release(key, token, metering)


def conversation_answer_due(*, contact_id: int) -> ReplyOutcome:
    """Answer a contact whose wake-up came due; one still typing, or busy elsewhere, is woken again later."""
    outcome = conversation_reply(contact_id=contact_id)
    if outcome.retry_in:
        pipeline_schedule(contact_ids=[contact_id], delay=outcome.retry_in)
    return outcome


# Deletes the lock only if it still holds our token: one that expired and was taken by another
# worker stays theirs.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_scripts: dict[int, object] = {}  # per Redis client: EVALSHA, not the script text, on every release


def _release(key: str, token: str, metering=None) -> None:
    try:
        client = get_redis()
        if metering is not None and metering.pending:  # the reply's usage counters go in the same round trip
            pipe = client.pipeline(transaction=False)
            pipe.eval(_RELEASE, 1, key, token)
            counted = metering.queue(pipe)
            counted(pipe.execute()[1:])
            return
        script = _scripts.get(id(client)) or _scripts.setdefault(id(client), client.register_script(_RELEASE))
        script(keys=[key], args=[token])
    except Exception:  # noqa: BLE001 - Redis away: the lock expires by itself (LOCK_SECONDS)
        log.warning("reply_lock_not_released", key=key)


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
    return _answer(pending[0].contact, pending)


def _answer(contact: Contact, messages: list[Message]) -> ReplyOutcome:
    conversation = conversation_current(contact=contact, channel_id=messages[-1].channel_id)
    ids = [m.pk for m in messages]
    if conversation.status == Conversation.Status.HANDOFF:
        Message.objects.filter(pk__in=ids).update(state=Message.State.SKIPPED, conversation=conversation)
        return ReplyOutcome("skipped")
    texts = [m.text for m in messages if m.text]
    if replies_paused():  # the plan's answered messages are used up: staff answer from the inbox
        replies_pause(contact=contact, conversation=conversation, message_ids=ids)
        return ReplyOutcome("skipped")
    try:
        draft = reply_draft(conversation=conversation, contact=contact, texts=texts)
    except Exception as exc:  # noqa: BLE001 - never lose the messages: they go to the dead-letter queue
        return _dead_letter(ids, conversation, exc)
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(state=Message.State.ANSWERED, conversation=conversation)
        outbox = reply_create(contact=contact, conversation=conversation, text=draft.text,
                              idempotency_key=f"reply:{ids[0]}:{ids[-1]}", deliver_inline=True,
                              options=draft.options, options_body=draft.options_body)
        publish(ReplySent(conversation_id=conversation.pk, contact_id=contact.pk, reply_message_id=outbox.message_id,
                          answered_message_ids=tuple(ids), intent=str(draft.intent), turn=draft.turn))
        _conversation_after(conversation, draft)
        transaction.on_commit(lambda: _context_push(conversation.pk, texts, draft.text))
    INTENTION_DISTRIBUTION.labels(intent=str(draft.intent)).inc()
    REPLY_LATENCY.observe((timezone.now() - messages[0].created_at).total_seconds())
    return ReplyOutcome("answered")


def _conversation_after(conversation: Conversation, draft) -> None:
    streak = conversation.low_confidence_streak + 1 if draft.confidence < 0.5 else 0
    conversation_note_intent(conversation=conversation, intent=str(draft.intent), low_confidence_streak=streak)
    if draft.handoff:
        conversation_handoff(conversation=conversation, reason=draft.handoff_reason, summary=draft.summary)


def _context_push(conversation_id: int, texts: list[str], reply: str) -> None:
    for text in texts:
        context_append(conversation_id=conversation_id, role="user", text=text)
    context_append(conversation_id=conversation_id, role="assistant", text=reply)


def _dead_letter(ids: list[int], conversation: Conversation, exc: Exception) -> ReplyOutcome:
    log.exception("reply_failed", message_ids=ids)
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(state=Message.State.DEAD, conversation=conversation)
        dead_letter_record(source="reply", reason=f"{type(exc).__name__}: {exc}"[:500],
                           payload={"message_ids": ids})
    return ReplyOutcome("dead")


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
    return len(waiting) + outbox_sweep()


def outbox_sweep() -> int:
    """Replies whose send task was lost (broker restarted empty) or whose sender died mid-send.

    A row left in `sending` may have reached the provider before the crash: sending it
    again is the one duplicate we tolerate, and it is counted. Time runs from the last
    attempt, not from the row's creation: a reply retried for minutes is not taken from
    under an attempt in flight, and a retry waiting out its backoff is not sent early.
    """
    now = timezone.now()
    crashed = list(Outbox.objects.filter(_last_attempt_before(now - SENDING_STALE_AFTER), state=Outbox.State.SENDING)
                   .values_list("pk", flat=True)[:1000])
    resent = Outbox.objects.filter(pk__in=crashed, state=Outbox.State.SENDING).update(
        state=Outbox.State.PENDING, last_error="worker died while sending")
    if resent:
        OUTBOX_RESENT.inc(resent)
    never_tried = Q(attempts=0, created_at__lt=now - timedelta(minutes=1))
    retry_lost = Q(attempts__gt=0) & _last_attempt_before(now - RETRY_LOST_AFTER)
    pending = set(crashed) | set(Outbox.objects.filter(never_tried | retry_lost, state=Outbox.State.PENDING)
                                 .values_list("pk", flat=True)[:1000])
    for outbox_id in sorted(pending):
        enqueue_send(outbox_id)  # one that finished meanwhile is skipped by the send's compare-and-set
    return len(pending)


def _last_attempt_before(moment) -> Q:
    # Rows from before `attempted_at` existed count from their creation.
    return Q(attempted_at__lt=moment) | Q(attempted_at__isnull=True, created_at__lt=moment)
