"""Reads for the LGPD rights: finding a customer, everything stored about them, the DPO's register."""

from django.db.models import Q, QuerySet

from agenda.models import Appointment, AppointmentEvent, Dialog, FollowUp, Reminder, WaitlistEntry
from compliance.lgpd.models import Consent, DataRequest, RetentionPolicy
from compliance.models import AuditEvent
from conversations.core.privacy import phone_hash
from conversations.models import Contact, Conversation, LLMCall, Message


def phone_normalised(phone: str) -> str:
    """Digits only, as contacts are stored ("+55 (11) 98888-7777" -> "5511988887777")."""
    return "".join(ch for ch in phone if ch.isdigit())


def contact_by_phone(*, phone: str) -> Contact | None:
    digits = phone_normalised(phone)
    return Contact.objects.filter(phone=digits, erased_at__isnull=True).first() if digits else None


def subject_target(*, phone_hash_value: str) -> str:
    """How the audit trail names a data subject: a prefix of the phone's keyed hash, never the phone."""
    return f"titular:{phone_hash_value[:16]}"


def _rows(queryset: QuerySet, *fields: str) -> list[dict]:
    return list(queryset.values(*fields))


def customer_data(*, contact: Contact) -> dict[str, list[dict]]:
    """Everything the company stores about one customer, table by table (the access/portability export)."""
    conversations = Conversation.objects.filter(contact=contact).order_by("opened_at", "pk")
    appointments = Appointment.objects.filter(contact=contact).order_by("start", "pk")
    followups = FollowUp.objects.filter(appointment__contact=contact).order_by("due_at", "pk")
    return {
        "contato": _rows(Contact.objects.filter(pk=contact.pk), "id", "phone", "name", "created_at",
                         "last_message_at", "opted_out_at", "reminders_kept"),
        "conversas": _rows(conversations, "id", "status", "opened_at", "last_activity_at", "closed_at",
                           "handoff_at", "handoff_reason", "summary", "intents", "channel__name"),
        "mensagens": _rows(Message.objects.filter(contact=contact).order_by("created_at", "pk"),
                           "id", "conversation_id", "created_at", "direction", "kind", "text", "payload",
                           "delivery_status", "sent_by", "channel__name"),
        "agendamentos": _rows(appointments, "id", "start", "end", "status", "source", "service__name",
                              "professional__name", "notes", "cancel_reason", "risk_score", "confirmed_at",
                              "created_at", "updated_at", "rescheduled_to_id"),
        "eventos_de_agendamento": _rows(AppointmentEvent.objects.filter(appointment__contact=contact)
                                        .order_by("created_at", "pk"),
                                        "id", "appointment_id", "created_at", "kind", "actor", "data"),
        "lembretes": _rows(Reminder.objects.filter(appointment__contact=contact).order_by("due_at", "pk"),
                           "id", "appointment_id", "kind", "due_at", "state", "sent_at"),
        "followups_e_avaliacoes": _rows(followups, "id", "appointment_id", "due_at", "state", "sent_at",
                                        "answered_at", "sentiment", "score", "comment", "flagged"),
        "lista_de_espera": _rows(WaitlistEntry.objects.filter(contact=contact).order_by("created_at", "pk"),
                                 "id", "created_at", "state", "service__name", "not_before", "not_after",
                                 "preferences", "offered_start"),
        "dialogo_em_andamento": _rows(Dialog.objects.filter(contact=contact), "step", "data", "expires_at"),
        "consentimentos": _rows(Consent.objects.filter(contact=contact).order_by("created_at", "pk"),
                                "purpose", "granted", "source", "created_at"),
        "pedidos_lgpd": _rows(data_requests_of(contact=contact).order_by("created_at", "pk"),
                              "id", "kind", "status", "channel", "requested_by", "created_at", "finished_at"),
        "auditoria": _rows(audit_about(contact=contact).order_by("pk"), "created_at", "actor", "action",
                           "target", "data"),
        "chamadas_de_ia": _rows(LLMCall.objects.filter(conversation__contact=contact).order_by("created_at", "pk"),
                                "created_at", "provider", "model", "conversation_id", "input_tokens",
                                "output_tokens", "outcome"),
    }


def data_requests_of(*, contact: Contact) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(Q(contact=contact) | Q(phone_hash=phone_hash(contact.phone)))


def audit_about(*, contact: Contact) -> QuerySet[AuditEvent]:
    """Audit entries naming this customer: their contact, conversations, follow-ups, or their LGPD requests."""
    conversation_ids = [str(pk) for pk in Conversation.objects.filter(contact=contact).values_list("pk", flat=True)]
    followups = [f"followup:{pk}" for pk in FollowUp.objects.filter(appointment__contact=contact)
                 .values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(target=f"contact:{contact.pk}") | Q(target__in=followups)
        | Q(action__startswith="conversation.", target__in=conversation_ids)
        | Q(target=subject_target(phone_hash_value=phone_hash(contact.phone))))


def data_request_get(*, request_id: int) -> DataRequest | None:
    return DataRequest.objects.filter(pk=request_id).first()


def data_request_awaiting(*, contact: Contact, since) -> DataRequest | None:
    """The question the WhatsApp self-service asked this contact and is waiting an answer to, if still fresh."""
    return (DataRequest.objects.filter(contact=contact, channel=DataRequest.Channel.WHATSAPP,
                                       status=DataRequest.Status.AWAITING_CONFIRMATION, created_at__gte=since)
            .order_by("-created_at").first())


def retention_policy() -> RetentionPolicy:
    """The company's policy (its defaults until someone edits it)."""
    return RetentionPolicy.objects.get_or_create(singleton=1)[0]
