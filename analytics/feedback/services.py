"""Writes of feedback: integration keys, ingesting a score, and the detractor's handoff.

- `feedback_key_create/revoke`: what an owner or manager manages (API and admin); the secret exists
  only in the answer to the creation, the row keeps its SHA-256;
- `feedback_key_authenticate`: the key a presented `fbk_` secret belongs to (a constant-time compare);
- `feedback_ingest`: one score from another system, idempotent by its `external_id`;
- `feedback_handoff_open`: a detractor's comment handed to the staff on the contact's conversation,
  once per feedback (compare-and-set on `handoff_at`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from agenda.models import Appointment, Professional, Service
from agenda.reports import company_tz
from analytics.feedback.models import KEY_LOOKUP_LENGTH, KEY_PREFIX, Feedback, FeedbackKey
from analytics.feedback.phones import phone_candidates
from conversations.core.handoff import conversation_handoff
from conversations.core.sessions import conversation_current
from conversations.models import Contact, Conversation
from secretaria.errors import Conflict
from secretaria.events import FeedbackReceived, SettingsChanged, publish

HANDOFF_REASON = "feedback negativo"
FOLLOWUP_SOURCE = "followup"  # the follow-up answers' source in the NPS breakdowns: not for senders
# A sender's clock a little ahead of ours is not "the future".
CLOCK_SKEW = timedelta(minutes=5)
# Refreshing a key's "last used" once a minute is enough, and spares its row an UPDATE per request.
LAST_USED_STEP = timedelta(minutes=1)


# --- integration keys ------------------------------------------------------------------------------

def key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _audit(action: str, key: FeedbackKey, actor: str) -> None:
    publish(SettingsChanged(area="feedback_key", action=action, actor=actor, target=f"feedback_key:{key.pk}",
                            data={"name": key.name, "prefix": key.prefix}))


@transaction.atomic
def feedback_key_create(*, name: str, actor: str = "") -> tuple[FeedbackKey, str]:
    """A new key and its secret (`fbk_` and 43 random characters), which is not kept: shown once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Dê um nome à chave (ex.: CRM, pesquisa de satisfação)."]})
    if FeedbackKey.objects.filter(revoked_at__isnull=True).count() >= settings.FEEDBACK_MAX_KEYS:
        raise ValidationError(f"Limite de {settings.FEEDBACK_MAX_KEYS} chaves ativas por empresa; "
                              "revogue uma que não use mais.")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = FeedbackKey.objects.create(name=name[:80], prefix=secret[:KEY_LOOKUP_LENGTH], digest=key_digest(secret),
                                     created_by=actor)
    _audit("analytics.feedback_key_created", key, actor)
    return key, secret


@transaction.atomic
def feedback_key_revoke(*, key: FeedbackKey, actor: str = "") -> FeedbackKey:
    """Stop accepting the key (at once, in every process: it is read per request). Revoking twice is a no-op."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        _audit("analytics.feedback_key_revoked", key, actor)
    return key


def feedback_key_authenticate(*, secret: str) -> FeedbackKey | None:
    """The active key whose secret this is, or None.

    Found by its non-secret prefix (an index), then the digests compared in constant time, so the time
    an answer takes says nothing about how much of a guess was right."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    digest = key_digest(secret)
    for key in FeedbackKey.objects.filter(prefix=secret[:KEY_LOOKUP_LENGTH], revoked_at__isnull=True):
        if hmac.compare_digest(key.digest, digest):
            _used(key)
            return key
    return None


def _used(key: FeedbackKey) -> None:
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_STEP)
    FeedbackKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)


# --- ingest ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ingested:
    feedback: Feedback
    created: bool  # False: the same external_id and content were already stored (a retry)


def feedback_ingest(*, external_id: str, score: int, source: str, contact_id: int | None = None,
                    contact_phone: str = "", comment: str = "", given_at: datetime | None = None,
                    appointment_id: int | None = None, professional_id: int | None = None,
                    service_id: int | None = None, key: FeedbackKey | None = None, actor: str = "") -> Ingested:
    """Store one score another system recorded, and hand a detractor's comment to the staff.

    Idempotent by `external_id`: the same id with the same content returns the stored row
    (`created=False`); with other content it is a Conflict (409). `given_at` defaults to now (then a retry
    is not compared on it); a naive one must already be in the company's time zone (the API does that).
    """
    now = timezone.now()
    given_at = _checked_moment(given_at, now)
    wanted = {"contact": _contact(contact_id, contact_phone), "score": score, "comment": (comment or "").strip(),
              "source": source, **_subject(appointment_id, professional_id, service_id)}
    wanted["contact"] = _contact_matches(wanted["contact"], wanted.get("appointment"))
    existing = Feedback.objects.filter(external_id=external_id).first()
    if existing is not None:
        return _replayed(existing, wanted, given_at)
    with transaction.atomic():
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(external_id=external_id, given_at=given_at or now, key=key,
                                                   sent_by="" if key else actor, **wanted)
        except IntegrityError:
            # The same id from a concurrent request won the race (its insert committed first).
            return _replayed(Feedback.objects.get(external_id=external_id), wanted, given_at)
        conversation = feedback_handoff_open(feedback=feedback)
        publish(FeedbackReceived(feedback_id=feedback.pk, contact_id=feedback.contact_id, score=feedback.score,
                                 source=feedback.source, appointment_id=feedback.appointment_id,
                                 professional_id=feedback.professional_id, service_id=feedback.service_id,
                                 handoff_conversation_id=conversation.pk if conversation else None))
    return Ingested(feedback, True)


def _checked_moment(given_at: datetime | None, now: datetime) -> datetime | None:
    if given_at is None:
        return None
    if given_at > now + CLOCK_SKEW:
        raise ValidationError({"timestamp": ["A data da avaliação está no futuro."]})
    if given_at.year < 2000:
        raise ValidationError({"timestamp": ["Data da avaliação antiga demais (antes de 2000)."]})
    return given_at


def _contact(contact_id: int | None, phone: str) -> Contact | None:
    """The contact named by id or by phone (both: they must agree); an erased contact (LGPD) is no one."""
    alive = Contact.objects.filter(erased_at__isnull=True)
    by_id = by_phone = None
    if contact_id is not None:
        by_id = alive.filter(pk=contact_id).first()
        if by_id is None:
            raise ValidationError({"contact_id": ["Contato não encontrado."]})
    if phone:
        by_phone = _contact_by_phone(alive, phone)
        if by_phone is None:
            raise ValidationError({"contact_phone": ["Nenhum contato com este telefone."]})
    if by_id is not None and by_phone is not None and by_id.pk != by_phone.pk:
        raise ValidationError({"contact_phone": ["O telefone é de outro contato que não o contact_id informado."]})
    return by_id or by_phone


def _contact_by_phone(contacts, phone: str) -> Contact | None:
    candidates = phone_candidates(phone)
    found = {c.phone: c for c in contacts.filter(phone__in=candidates)} if candidates else {}
    return next((found[form] for form in candidates if form in found), None)


def _contact_matches(contact: Contact | None, appointment: Appointment | None) -> Contact:
    if contact is None and appointment is None:
        raise ValidationError({"contact_phone": ["Informe contact_phone ou contact_id."]})
    if appointment is None:
        return contact
    if contact is not None and appointment.contact_id != contact.pk:
        raise ValidationError({"appointment_id": ["O agendamento é de outro contato."]})
    return contact or appointment.contact


def _subject(appointment_id: int | None, professional_id: int | None, service_id: int | None) -> dict:
    """What the score is about: the appointment's professional and service unless named (they must agree)."""
    appointment = professional = service = None
    if appointment_id is not None:
        appointment = Appointment.objects.select_related("contact").filter(pk=appointment_id).first()
        if appointment is None:
            raise ValidationError({"appointment_id": ["Agendamento não encontrado."]})
    if professional_id is not None:
        professional = Professional.objects.filter(pk=professional_id).first()
        if professional is None:
            raise ValidationError({"professional_id": ["Profissional não encontrado."]})
    if service_id is not None:
        service = Service.objects.filter(pk=service_id).first()
        if service is None:
            raise ValidationError({"service_id": ["Serviço não encontrado."]})
    if appointment is not None:
        if professional is not None and appointment.professional_id not in (None, professional.pk):
            raise ValidationError({"professional_id": ["Não é o profissional do agendamento."]})
        if service is not None and appointment.service_id not in (None, service.pk):
            raise ValidationError({"service_id": ["Não é o serviço do agendamento."]})
        professional = professional or appointment.professional
        service = service or appointment.service
    return {"appointment": appointment, "professional": professional, "service": service}


# Compared on a replay, with the names the sender used for them.
_COMPARED = {"contact": "contact", "score": "score", "comment": "comment", "source": "source",
             "appointment": "appointment_id", "professional": "professional_id", "service": "service_id"}


def _replayed(existing: Feedback, wanted: dict, given_at: datetime | None) -> Ingested:
    differ = [name for field, name in _COMPARED.items()
              if getattr(existing, f"{field}_id" if field in ("contact", "appointment", "professional", "service")
                         else field) != _value(wanted[field])]
    if given_at is not None and given_at != existing.given_at:
        differ.append("timestamp")
    if differ:
        raise Conflict(f"Uma avaliação com este external_id já foi recebida com outro conteúdo "
                       f"({', '.join(differ)}). Use um external_id novo para uma nova avaliação.",
                       field="external_id")
    return Ingested(existing, False)


def _value(value):
    return getattr(value, "pk", value)


# --- the detractor's handoff -----------------------------------------------------------------------

def feedback_handoff_open(*, feedback: Feedback) -> Conversation | None:
    """Hand a detractor's comment (0–6 with words) to the staff on the contact's current conversation
    (opened if there is none), once per feedback; None when there is nothing to do or it was done.

    The conversation then waits for a person, as any handoff: the assistant stops answering that
    customer until the staff hand it back, and the callback offer applies after the company's timeout."""
    if not feedback.detractor_comment:
        return None
    now = timezone.now()
    with transaction.atomic():
        # Compare-and-set: of two calls for one feedback (a retry, the admin), only one opens it.
        if not Feedback.objects.filter(pk=feedback.pk, handoff_at__isnull=True).update(handoff_at=now):
            return None
        conversation = _conversation_of(feedback.contact)
        conversation_handoff(conversation=conversation, reason=HANDOFF_REASON,
                             summary=_summary(feedback, conversation.summary), now=now)
        Feedback.objects.filter(pk=feedback.pk).update(handoff_conversation=conversation)
    feedback.handoff_at, feedback.handoff_conversation = now, conversation
    return conversation


def _conversation_of(contact: Contact) -> Conversation:
    """The contact's open conversation, or a new one. The reply pipeline may be opening one for the same
    customer at this instant: the loser of the one-open-conversation constraint reads the winner's."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                return conversation_current(contact=contact)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _summary(feedback: Feedback, previous: str) -> str:
    when = timezone.localtime(feedback.given_at, company_tz()).strftime("%d/%m/%Y %H:%M")
    ours = f"Avaliação negativa: nota {feedback.score} em {feedback.source} ({when}). Comentário: {feedback.comment}"
    return f"{ours}\n\n{previous}" if previous else ours


# --- LGPD ------------------------------------------------------------------------------------------

def feedback_comments_erase(contact_id: int, phone: str) -> int:
    """The LGPD erasure (secretaria/personal_data.py): the customer's words go; the scores stay, counted."""
    return Feedback.objects.filter(contact_id=contact_id).exclude(comment="").update(comment="")
