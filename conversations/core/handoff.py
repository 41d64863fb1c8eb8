"""Human handoff: staff take a conversation over, answer in it, and hand it back to the bot.

While a conversation is in handoff the pipeline stores the customer's messages without
answering (pipeline._answer), so the staff and the bot never talk over each other. Staff
replies are ordinary outbox rows with `sent_by` set: they are sent exactly once through
the company's channel, like the bot's. When nobody on the staff answers within the
company's timeout, during business hours, the customer is offered a callback once.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from conversations.assistant.closed_days import company_closed_days
from conversations.assistant.engine.hours import is_open
from conversations.assistant.models import CompanyProfile
from conversations.core.models import Conversation, Message, Outbox
from conversations.core.outbox import reply_create
from conversations.core.wording import contact_text
from secretaria.events import HandoffClosed, HandoffOpened, StaffReplied, publish

STAFF_TAKEOVER_REASON = "Assumida pela equipe"
DEFAULT_TIMEOUT_MINUTES = 15


def _refuse_closed(conversation: Conversation) -> None:
    if conversation.status == Conversation.Status.CLOSED:
        raise ValidationError("Esta conversa está encerrada; use a conversa atual do contato.")


@transaction.atomic
def conversation_handoff(
    *, conversation: Conversation, reason: str, summary: str = "", actor=None, now: datetime | None = None
) -> Conversation:
    """Put the conversation with the staff; the bot stops answering it.

    Already in handoff: the original `handoff_at` is kept, since the callback timer
    counts from the moment the customer started waiting for a person.
    """
    _refuse_closed(conversation)
    now = now or timezone.now()
    opened = conversation.status != Conversation.Status.HANDOFF
    if opened:
        conversation.status = Conversation.Status.HANDOFF
        conversation.handoff_at = now
    conversation.handoff_reason = (reason or STAFF_TAKEOVER_REASON)[:200]
    if summary:
        conversation.summary = summary
    conversation.last_activity_at = now
    conversation.save(update_fields=["status", "handoff_at", "handoff_reason", "summary", "last_activity_at"])
    if opened or actor is not None:
        publish(HandoffOpened(conversation_id=conversation.pk, contact_id=conversation.contact_id,
                              reason=conversation.handoff_reason, actor=actor.email if actor is not None else "",
                              opened=opened))
    return conversation


def staff_reply(
    *, conversation: Conversation, author, text: str, idempotency_key: str = "", now: datetime | None = None,
    slot: str = "", variables: Mapping[str, object] | None = None,
) -> Outbox:
    """Send `text` to the customer in the name of `author`.

    A reply from a person takes the conversation over (the bot would otherwise answer
    the customer's next message too). The client's idempotency key makes a retried
    request return the first reply instead of sending a second one. `slot`, `variables`:
    the company's template slot `text` was rendered from, unedited (the inbox's templates),
    so that outside WhatsApp's window the approved template mapped to it goes out, as for outreach.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Escreva a mensagem."]})
    _refuse_closed(conversation)
    key = f"staff:{conversation.pk}:{idempotency_key or uuid.uuid4().hex}"
    if existing := Outbox.objects.filter(idempotency_key=key).select_related("message").first():
        return existing
    try:
        with transaction.atomic():
            if conversation.status != Conversation.Status.HANDOFF:
                conversation_handoff(conversation=conversation, reason=STAFF_TAKEOVER_REASON, now=now)
            outbox = reply_create(contact=conversation.contact, conversation=conversation, text=text,
                                  idempotency_key=key, sent_by=author.email, slot=slot, variables=variables)
            _touch(conversation, now)
            publish(StaffReplied(conversation_id=conversation.pk, contact_id=conversation.contact_id,
                                  message_id=outbox.message_id, actor=author.email))
    except IntegrityError:
        # The same key from a concurrent request won the race: that one is the reply.
        return Outbox.objects.select_related("message").get(idempotency_key=key)
    return outbox


def _touch(conversation: Conversation, now: datetime | None) -> None:
    conversation.last_activity_at = now or timezone.now()
    conversation.save(update_fields=["last_activity_at"])


@transaction.atomic
def conversation_hand_back(*, conversation: Conversation, actor, now: datetime | None = None) -> Conversation:
    """Give the conversation back to the bot, audited (who stopped attending the customer).

    Handing back a conversation the bot already has is a no-op (a double click).
    """
    _refuse_closed(conversation)
    if conversation.status == Conversation.Status.BOT:
        return conversation
    conversation.status = Conversation.Status.BOT
    conversation.handoff_at = None
    conversation.handoff_reason = ""
    # A fresh idle window: the sweeper would otherwise close a long handoff at once.
    conversation.last_activity_at = now or timezone.now()
    conversation.save(update_fields=["status", "handoff_at", "handoff_reason", "last_activity_at"])
    publish(HandoffClosed(conversation_id=conversation.pk, contact_id=conversation.contact_id,
                          actor=getattr(actor, "email", "")))
    return conversation


def _staff_messages_since_handoff():
    return Message.objects.filter(
        conversation=OuterRef("pk"), direction=Message.Direction.OUT,
        created_at__gte=OuterRef("handoff_at"),
    ).exclude(sent_by="")


def handoffs_without_answer(*, minutes: int, now: datetime | None = None) -> QuerySet[Conversation]:
    """Handoff conversations waiting longer than `minutes` with no staff message since the handoff."""
    cutoff = (now or timezone.now()) - timedelta(minutes=minutes)
    return (
        Conversation.objects.filter(status=Conversation.Status.HANDOFF, handoff_at__lte=cutoff)
        .exclude(Exists(_staff_messages_since_handoff()))
        .select_related("contact")
        .order_by("handoff_at")
    )


def callback_key(conversation: Conversation) -> str:
    return f"callback:{conversation.pk}:{int(conversation.handoff_at.timestamp())}"


def callback_offer(*, conversation: Conversation, now: datetime | None = None) -> Outbox | None:
    """Offer the waiting customer a call back, once per handoff and only in business hours.

    Returns the outbox row, or None when there is nothing to do (not in handoff, a
    person answered, out of hours, already offered for this handoff).
    """
    now = now or timezone.now()
    if conversation.status != Conversation.Status.HANDOFF or conversation.handoff_at is None:
        return None
    if not _open(_profile(), now):
        return None
    if not handoffs_without_answer(minutes=0, now=now).filter(pk=conversation.pk).exists():
        return None
    key = callback_key(conversation)
    if Outbox.objects.filter(idempotency_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return reply_create(contact=conversation.contact, conversation=conversation,
                                text=contact_text("callback_offer", contact=conversation.contact),
                                idempotency_key=key)
    except IntegrityError:
        return None  # offered by a concurrent run


def handoff_callbacks_offer(*, now: datetime | None = None) -> int:
    """Offer a callback in every handoff past the company's timeout; the number offered."""
    now = now or timezone.now()
    profile = _profile()
    if not _open(profile, now):
        return 0
    due = handoffs_without_answer(minutes=profile.handoff_timeout_minutes, now=now)
    return sum(1 for conversation in due if callback_offer(conversation=conversation, now=now))


def _open(profile: CompanyProfile, now: datetime) -> bool:
    """Open now, holidays and days off counted: no call back is offered on Christmas."""
    return is_open(profile.business_hours, now, closed_days=company_closed_days(profile=profile, now=now))


def _profile() -> CompanyProfile:
    # Read-only use: a company without a saved profile gets the defaults, nothing is written.
    return CompanyProfile.objects.filter(singleton=1).first() or CompanyProfile()

