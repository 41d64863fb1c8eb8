"""Replies paused by the plan's quota (billing/metering/quotas.py): nothing lost, one notice a day.

The messages stay stored and are marked `skipped`, so they wait in the inbox for the staff (a
staff reply is never blocked); the contact is told once a day (the company's `quota_notice`
template), the outbox key refusing a second notice the same day even with two workers answering at once.
"""

from django.db import IntegrityError, transaction

from billing.metering.quotas import QUOTA_NOTICE_SLOT, quota_notice_key
from conversations.core.models import Contact, Conversation, Message, Outbox
from conversations.core.outbox import reply_create
from conversations.core.wording import contact_text


def replies_pause(*, contact: Contact, conversation: Conversation, message_ids: list[int]) -> bool:
    """Leave the messages for the staff; True when today's notice was recorded now."""
    key = quota_notice_key(contact_id=contact.pk)
    with transaction.atomic():
        Message.objects.filter(pk__in=message_ids).update(state=Message.State.SKIPPED, conversation=conversation)
        if Outbox.objects.filter(idempotency_key=key).exists():
            return False
        try:
            with transaction.atomic():
                reply_create(contact=contact, conversation=conversation, idempotency_key=key, deliver_inline=True,
                             text=contact_text(QUOTA_NOTICE_SLOT, contact=contact))
        except IntegrityError:  # another worker recorded today's notice a moment ago
            return False
    return True
