"""Cal.com's webhooks applied to our appointments (docs/contracts/calcom.md §3.7).

Every handler is idempotent: Cal.com may deliver an event more than once, and
our own API calls come back as webhooks too (we cancel through the API, Cal.com then
sends BOOKING_CANCELLED for a row already cancelled: a no-op). Changes go through the
booking service, so reminders and follow-ups follow exactly as for any other change.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import structlog
from django.db import transaction

from agenda.models import Appointment, Service
from agenda.providers.calcom.calendar import METADATA_MARK, booking_result
from agenda.services import booking
from agenda.types import AgendaError
from conversations.models import Contact

log = structlog.get_logger(__name__)
ACTOR = "calcom"


def signature_valid(*, secret: str, raw_body: bytes, header: str | None) -> bool:
    """`X-Cal-Signature-256` is the lowercase hex HMAC-SHA256 of the raw body (no `sha256=` prefix)."""
    if not secret or not header:
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    given = header.strip().lower().removeprefix("sha256=")
    return hmac.compare_digest(expected, given)


def calcom_event_apply(*, payload: dict) -> str:
    """Apply one webhook body; returns what happened (for logs and metrics).

    Outcomes: created, cancelled, rescheduled, no_show, attended, duplicate, ignored.
    Raises ValueError for a body that is not a Cal.com event.
    """
    trigger = payload.get("triggerEvent")
    if not isinstance(trigger, str):
        raise ValueError("sem triggerEvent")
    # MEETING_STARTED/ENDED come flat; every other event wraps the booking in `payload`.
    body = payload.get("payload") if isinstance(payload.get("payload"), dict) else payload
    handler = HANDLERS.get(trigger)
    if handler is None:
        return "ignored"
    try:
        return handler(body)
    except AgendaError as exc:
        # A move Cal.com already made that our rules refuse (e.g. cancel an attended row): keep ours.
        log.warning("calcom_event_refused", trigger=trigger, reason=str(exc))
        return "ignored"


def _created(body: dict) -> str:
    uid = _uid(body)
    if Appointment.objects.filter(provider_booking_id=uid).exists():
        return "duplicate"
    contact = _contact_of(body)
    if contact is None:
        return "ignored"  # no phone: nobody we could talk to on WhatsApp
    # Pending like any new booking: "accepted" at Cal.com is the host's side, not the customer's confirmation.
    booking.calcom_booking_mirror(
        contact=contact, service=_service_of(body), result=_result(body), notes=str(body.get("additionalNotes") or ""),
        source=Appointment.Source.CHAT if _ours(body) else Appointment.Source.CALCOM, actor=ACTOR)
    return "created"


def _cancelled(body: dict) -> str:
    appointment = Appointment.objects.filter(provider_booking_id=_uid(body)).first()
    if appointment is None:
        return "ignored"
    if appointment.status in (Appointment.Status.CANCELLED, Appointment.Status.RESCHEDULED):
        return "duplicate"
    booking.appointment_cancel(appointment=appointment, reason=str(body.get("cancellationReason") or "")[:200],
                               actor=ACTOR, sync_remote=False)
    return "cancelled"


def _rescheduled(body: dict) -> str:
    new_uid = _uid(body)
    if Appointment.objects.filter(provider_booking_id=new_uid).exists():
        return "duplicate"
    old_uid = body.get("rescheduleUid")
    old = Appointment.objects.filter(provider_booking_id=old_uid).first() if old_uid else None
    if old is None:
        return _created(body)  # we never knew the original: treat it as a new booking
    if not old.is_active:
        return "duplicate"
    booking.calcom_reschedule_mirror(appointment=old, result=_result(body), actor=ACTOR)
    return "rescheduled"


def _no_show(body: dict) -> str:
    uid = body.get("bookingUid") or body.get("uid")
    appointment = Appointment.objects.filter(provider_booking_id=str(uid)).first() if uid else None
    attendees = body.get("attendees") if isinstance(body.get("attendees"), list) else []
    if appointment is None or not any(isinstance(a, dict) and a.get("noShow") is True for a in attendees):
        return "ignored"  # unknown booking, or an un-marking (which we do not guess back into "attended")
    if appointment.status == Appointment.Status.NO_SHOW:
        return "duplicate"
    booking.appointment_mark_no_show(appointment=appointment, actor=ACTOR)
    return "no_show"


def _meeting_ended(body: dict) -> str:
    appointment = Appointment.objects.filter(provider_booking_id=_uid(body)).first()
    if appointment is None or not appointment.is_active:
        return "duplicate" if appointment is not None else "ignored"
    booking.appointment_mark_attended(appointment=appointment, actor=ACTOR)
    return "attended"


HANDLERS = {
    "BOOKING_CREATED": _created,
    "BOOKING_CANCELLED": _cancelled,
    "BOOKING_REJECTED": _cancelled,
    "BOOKING_RESCHEDULED": _rescheduled,
    "BOOKING_NO_SHOW_UPDATED": _no_show,
    "MEETING_ENDED": _meeting_ended,
}


# --- reading the payload -----------------------------------------------------------------

def _uid(body: dict) -> str:
    uid = body.get("uid")
    if not isinstance(uid, str) or not uid:
        raise ValueError("sem uid da reserva")
    return uid


def _result(body: dict):
    if not body.get("startTime") or not body.get("endTime"):
        raise ValueError("reserva sem startTime/endTime")
    return booking_result({"uid": _uid(body), "start": body["startTime"], "end": body["endTime"],
                           "status": body.get("status") or "accepted"})


def _ours(body: dict) -> bool:
    metadata = body.get("metadata")
    return isinstance(metadata, dict) and METADATA_MARK in metadata


def _service_of(body: dict) -> Service | None:
    event_type = body.get("eventTypeId")
    if not isinstance(event_type, int):
        return None
    return Service.objects.filter(calcom_event_type_id=event_type).first()


def _contact_of(body: dict) -> Contact | None:
    """Our contact for the booking: the one we booked for, else the attendee's phone digits."""
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    marked = str(metadata.get(METADATA_MARK, ""))
    if marked.isdigit():
        contact = Contact.objects.filter(pk=int(marked)).first()
        if contact is not None:
            return contact
    phone, name = _phone_and_name(body)
    if not phone:
        return None
    with transaction.atomic():
        contact, created = Contact.objects.get_or_create(phone=phone, defaults={"name": name[:120]})
    if not created and name and not contact.name:
        contact.name = name[:120]
        contact.save(update_fields=["name"])
    return contact


def _phone_and_name(body: dict) -> tuple[str, str]:
    responses = body.get("responses") if isinstance(body.get("responses"), dict) else {}
    candidates: list[tuple[object, object]] = []
    for attendee in body.get("attendees") if isinstance(body.get("attendees"), list) else []:
        if isinstance(attendee, dict):
            candidates.append((attendee.get("phoneNumber"), attendee.get("name")))
    name_field = responses.get("name") if isinstance(responses.get("name"), dict) else {}
    for key in ("attendeePhoneNumber", "phone", "phoneNumber"):
        field = responses.get(key)
        if isinstance(field, dict):
            candidates.append((field.get("value"), name_field.get("value")))
    for phone, name in candidates:
        digits = re.sub(r"\D", "", phone) if isinstance(phone, str) else ""
        if 8 <= len(digits) <= 15:
            return digits, name if isinstance(name, str) else ""
    return "", ""
