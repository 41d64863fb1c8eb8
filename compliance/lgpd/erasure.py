"""Erasure / anonymisation of one customer (LGPD art. 18, VI), and of one appointment.

The contact row stays, anonymised (a random pseudonym instead of the phone, no name), and so do its
conversations, messages, appointments, reminders and follow-ups, emptied of every text: the
company's counts and reports do not change, and nothing left leads back to the person. What cannot be
emptied in place is deleted (the agenda's open dialog). Redis (context, rate limits) is cleaned once
the transaction commits. A tombstone (conversations/core/privacy.py) keeps a redelivered old webhook
from bringing the data back.

The audit trail is append-only and never names a customer except by id or the phone's keyed hash,
so it needs no erasing.
"""

import uuid

import structlog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agenda.models import Appointment, AppointmentEvent, Dialog, FollowUp, Reminder, WaitlistEntry
from agenda.services.booking import appointment_cancel
from conversations.core.models import Contact, Conversation, DeadLetter, Message, Outbox
from conversations.core.privacy import tombstone_record
from secretaria.personal_data import personal_data_erase
from secretaria.redis_client import get_redis, tenant_key

log = structlog.get_logger(__name__)
ERASED = "Dados apagados (LGPD)"
PENDING_SENDS = (Reminder.State.PENDING, Reminder.State.SENDING)


def pseudonym() -> str:
    """What replaces an erased phone: random, so nothing can be computed back from it (not a hash)."""
    return f"apagado-{uuid.uuid4().hex[:20]}"


def customer_erase(*, contact: Contact) -> dict[str, int]:
    """Erase everything personal about `contact`; returns how many rows of each kind were anonymised.

    Idempotent: an already erased contact returns {}.
    """
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact.pk, erased_at__isnull=True).first()
        if contact is None:
            return {}
        phone, now = contact.phone, timezone.now()
        conversation_ids = list(Conversation.objects.filter(contact=contact).values_list("pk", flat=True))
        provider_ids = list(Message.objects.filter(contact=contact, direction=Message.Direction.IN)
                            .exclude(provider_message_id="").values_list("provider", "provider_message_id"))
        counts = {**_conversations_erase(contact, phone), **_agenda_erase(Q(contact=contact)),
                  **_contact_agenda_erase(contact)}
        counts["admin_log"] = _admin_log_forget(contact=contact, conversation_ids=conversation_ids)
        counts.update(personal_data_erase(contact_id=contact.pk, phone=phone))  # copies kept by other apps
        tombstone_record(phone=phone, erased_at=now, provider_message_ids=provider_ids)
        Contact.objects.filter(pk=contact.pk).update(phone=pseudonym(), name="", erased_at=now, opted_out_at=now,
                                                     reminders_kept=False)
        counts["contacts"] = 1
        keys = redis_keys(phone=phone, conversation_ids=conversation_ids)
        transaction.on_commit(lambda: redis_forget(keys=keys))
    return counts


def _conversations_erase(contact: Contact, phone: str) -> dict[str, int]:
    messages = Message.objects.filter(contact=contact)
    outbox = Outbox.objects.filter(message__contact=contact)
    # A reply still waiting to leave would go to a number we no longer know.
    outbox.filter(state=Outbox.State.PENDING).update(state=Outbox.State.FAILED)
    dead = DeadLetter.objects.filter(Q(message__contact=contact) | Q(payload__icontains=phone))
    return {
        "messages": messages.update(text="", payload={}, provider_message_id=""),
        "conversations": Conversation.objects.filter(contact=contact).update(summary="", handoff_reason=""),
        "outbox": outbox.update(last_error=""),
        "dead_letters": dead.update(payload={}, reason=ERASED),
    }


def _agenda_erase(whose: Q) -> dict[str, int]:
    """Free text and choices of the appointments (and what hangs from them) that `whose` selects."""
    appointments = Appointment.objects.filter(whose)
    reminders = Reminder.objects.filter(appointment__in=appointments)
    followups = FollowUp.objects.filter(appointment__in=appointments)
    reminders.filter(state__in=PENDING_SENDS).update(state=Reminder.State.CANCELLED)
    followups.filter(state__in=PENDING_SENDS).update(state=FollowUp.State.CANCELLED)
    counts = {
        "appointments": appointments.update(notes="", cancel_reason="", risk_factors={}),
        "appointment_events": AppointmentEvent.objects.filter(appointment__in=appointments).update(data={}),
        "reminders": reminders.count(),
        "followups": followups.update(comment=""),
    }
    return counts


def _contact_agenda_erase(contact: Contact) -> dict[str, int]:
    return {
        "waitlist": WaitlistEntry.objects.filter(contact=contact).update(
            preferences={}, state=WaitlistEntry.State.CANCELLED),
        "dialogs": Dialog.objects.filter(contact=contact).delete()[0],
    }


def _admin_log_forget(*, contact: Contact, conversation_ids: list[int]) -> int:
    """The admin's history names what staff changed by its str() (a name, a phone): forget those labels."""
    rows = {Contact: [contact.pk], Conversation: conversation_ids,
            Appointment: list(Appointment.objects.filter(contact=contact).values_list("pk", flat=True)),
            FollowUp: list(FollowUp.objects.filter(appointment__contact=contact).values_list("pk", flat=True)),
            WaitlistEntry: list(WaitlistEntry.objects.filter(contact=contact).values_list("pk", flat=True))}
    return sum(_admin_log_scrub(model, ids) for model, ids in rows.items())


def _admin_log_scrub(model, ids: list[int]) -> int:
    if not ids:
        return 0
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                   object_id__in=[str(pk) for pk in ids]).update(object_repr=ERASED, change_message="")


def redis_keys(*, phone: str, conversation_ids: list[int]) -> list[str]:
    """The Redis keys holding a contact's data: cached context (conversations/core/context.py) and the
    rate-limit logs named by the phone (conversations/core/limits.py)."""
    return ([tenant_key("ctx", str(pk)) for pk in conversation_ids]
            + [tenant_key("rl", scope, phone) for scope in ("sender", "llm")])


def redis_forget(*, keys: list[str]) -> int:
    try:
        return get_redis().delete(*keys) if keys else 0
    except Exception:  # noqa: BLE001 - Redis away: the context expires by itself (CONTEXT_TTL_SECONDS), limits in an hour
        log.warning("erasure_redis_unavailable", keys=len(keys))
        return 0


def appointment_erase(*, appointment: Appointment, actor: str) -> dict[str, int]:
    """An appointment removed from the customer's record: its texts emptied and the row given to a fresh
    anonymous contact, so it still counts in the reports but no longer belongs to anyone. One still
    ahead is cancelled first (through the booking service: the slot frees, the waitlist hears).

    Raises AgendaError when the calendar refuses the cancellation (Cal.com down).
    """
    if appointment.is_active and appointment.start > timezone.now():
        appointment_cancel(appointment=appointment, reason="Excluído pelo painel", actor=actor)
    with transaction.atomic():
        counts = _agenda_erase(Q(pk=appointment.pk))
        anonymous = Contact.objects.create(phone=pseudonym(), name="", erased_at=timezone.now(),
                                           opted_out_at=timezone.now())
        Appointment.objects.filter(pk=appointment.pk).update(contact=anonymous)
        counts["admin_log"] = _admin_log_scrub(Appointment, [appointment.pk])
        WaitlistEntry.objects.filter(appointment=appointment).update(appointment=None)
    return counts

