"""Retention: what the company keeps about customers only for as long as its policy says (run nightly).

- message texts and media references older than `message_text_days` are emptied (the rows, and so
  the counts, stay), with the summaries of conversations idle since then;
- contacts with no message and no appointment for `inactive_contact_days` are erased like an
  erasure request (compliance/lgpd/erasure.py), each recorded as a request of the "retention" channel;
- LLM call records older than `llm_call_days` lose their link to the conversation (the token
  accounting stays, who it was about does not);
- export files whose 24-hour link expired are deleted.

A dry run counts the same rows without touching them (the admin shows it).
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from agenda.models import Appointment
from compliance.lgpd import exports
from compliance.lgpd.models import DataRequest, RetentionPolicy
from compliance.lgpd.selectors import retention_policy
from compliance.lgpd.services import erasure_of_contact
from compliance.services import audit_event_record
from conversations.models import Contact, Conversation, LLMCall, Message


def _before(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days else None  # 0 keeps forever


def old_message_texts(*, cutoff: datetime | None) -> QuerySet[Message]:
    if cutoff is None:
        return Message.objects.none()
    return Message.objects.filter(created_at__lt=cutoff).exclude(text="", payload={})


def old_summaries(*, cutoff: datetime | None) -> QuerySet[Conversation]:
    if cutoff is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(last_activity_at__lt=cutoff).exclude(summary="", handoff_reason="")


def inactive_contacts(*, cutoff: datetime | None) -> QuerySet[Contact]:
    if cutoff is None:
        return Contact.objects.none()
    recent_appointment = Appointment.objects.filter(contact=OuterRef("pk"), start__gte=cutoff)
    return (Contact.objects.filter(erased_at__isnull=True)
            .filter(Q(last_message_at__lt=cutoff) | Q(last_message_at__isnull=True, created_at__lt=cutoff))
            .exclude(Exists(recent_appointment)))


def old_llm_calls(*, cutoff: datetime | None) -> QuerySet[LLMCall]:
    if cutoff is None:
        return LLMCall.objects.none()
    return LLMCall.objects.filter(created_at__lt=cutoff, conversation__isnull=False)


def expired_exports(*, now: datetime) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(kind=DataRequest.Kind.ACCESS, finished_at__lt=now - exports.LINK_VALID) \
        .exclude(file="")


def retention_due(*, policy: RetentionPolicy, now: datetime) -> dict[str, QuerySet]:
    """What the policy would remove right now, by kind."""
    return {
        "message_texts": old_message_texts(cutoff=_before(now, policy.message_text_days)),
        "conversation_summaries": old_summaries(cutoff=_before(now, policy.message_text_days)),
        "inactive_contacts": inactive_contacts(cutoff=_before(now, policy.inactive_contact_days)),
        "llm_calls": old_llm_calls(cutoff=_before(now, policy.llm_call_days)),
        "expired_exports": expired_exports(now=now),
    }


def retention_dry_run(*, policy: RetentionPolicy | None = None, now: datetime | None = None) -> dict[str, int]:
    """How many rows of each kind the policy would remove now (nothing is changed)."""
    due = retention_due(policy=policy or retention_policy(), now=now or timezone.now())
    return {kind: rows.count() for kind, rows in due.items()}


def retention_run(*, now: datetime | None = None) -> dict[str, int]:
    """Apply the company's policy; audited once per day (a second run the same day adds no entry)."""
    now = now or timezone.now()
    due = retention_due(policy=retention_policy(), now=now)
    counts = {
        "message_texts": due["message_texts"].update(text="", payload={}),
        "conversation_summaries": due["conversation_summaries"].update(summary="", handoff_reason=""),
        "llm_calls": due["llm_calls"].update(conversation=None),
        "inactive_contacts": _erase_each(due["inactive_contacts"]),
        "expired_exports": _exports_drop(due["expired_exports"]),
    }
    audit_event_record(action="lgpd.retention", actor="system", data=counts,
                       key=f"lgpd.retention:{timezone.localdate(now).isoformat()}")
    return counts


def _erase_each(contacts: QuerySet[Contact]) -> int:
    erased = 0
    for contact in contacts.iterator(chunk_size=200):
        erasure_of_contact(contact=contact, requested_by="retenção automática",
                           channel=DataRequest.Channel.RETENTION, reason="Sem atividade no prazo da política")
        erased += 1
    return erased


def _exports_drop(requests: QuerySet[DataRequest]) -> int:
    names = list(requests.values_list("pk", "file"))
    for pk, name in names:
        exports.export_delete(name)
        DataRequest.objects.filter(pk=pk).update(file="")
    return len(names)
