"""Booking, cancelling and moving appointments: the only writers of Appointment.status.

Each function owns its transaction and calls `lifecycle.appointment_changed` inside it,
so history, metrics, reminders, follow-ups and the waitlist follow every change.

No double booking (built-in calendar): the booking locks the candidate professionals'
rows (SELECT ... FOR UPDATE, always in id order so two bookings can never deadlock),
re-checks the slot against committed appointments (buffers included) and only then
inserts. A second customer racing for the same slot waits on the lock and then sees
the first one's row. The partial unique constraint (professional, start) among active
appointments is the backstop for any other writer: its IntegrityError becomes SlotTaken.

Cal.com: the remote booking is made first (no database lock held during the HTTP
call), then mirrored locally; if the mirror fails the remote booking is cancelled.
"""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import structlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from agenda.models import Appointment, CalendarConfig, Professional, Service
from agenda.providers.base import BookingResult
from agenda.providers.builtin import (
    booking_window,
    candidate_professionals,
    professional_free,
    service_lengths,
)
from agenda.providers.calcom import CalcomCalendar
from agenda.services.config import calendar_config
from agenda.services.followups import followup_cancel
from agenda.services.lifecycle import Event, appointment_changed
from agenda.types import AgendaError, CalendarRejected, Slot, SlotTaken
from conversations.models import Contact
from secretaria.observability.metrics import APPOINTMENTS_LATENCY

log = structlog.get_logger(__name__)
Status = Appointment.Status
TAKEN = "Esse horário não está mais disponível."
# "um agendamento ..." in error messages.
STATUS_PHRASE = {Status.PENDING: "pendente", Status.CONFIRMED: "confirmado", Status.CANCELLED: "cancelado",
                 Status.RESCHEDULED: "remarcado", Status.ATTENDED: "já realizado",
                 Status.NO_SHOW: "em que o cliente faltou"}
OUTCOME_VERB = {Status.ATTENDED: "registrar o comparecimento de", Status.NO_SHOW: "registrar a falta em"}


class InvalidTransition(AgendaError, ValueError):
    """The appointment cannot go where asked from where it is (e.g. cancel an attended one)."""


# --- book ---------------------------------------------------------------------------------

def appointment_book(*, contact: Contact, slot: Slot, source: str, notes: str = "", actor: str = "customer",
                     metadata: dict | None = None) -> Appointment:
    """Book `slot` for `contact`. A slot without professional gets a free one who does the service.

    Customers are held to the company's minimum notice and horizon; staff (any other
    actor) may book any future time. Raises SlotTaken, CalendarUnavailable, CalendarRejected.
    """
    config = calendar_config()
    service = _service_of(slot)
    _check_bookable(slot, config=config, actor=actor)
    started = time.monotonic()
    if config.provider == CalendarConfig.Provider.CALCOM:
        appointment = _book_calcom(config, contact=contact, slot=slot, service=service, source=source, notes=notes,
                                   actor=actor, metadata=metadata)
    else:
        appointment = _book_builtin(config, contact=contact, slot=slot, service=service, source=source, notes=notes,
                                    actor=actor)
    _observe_latency(config.provider, started)
    return appointment


def _book_builtin(config: CalendarConfig, *, contact, slot, service, source, notes, actor) -> Appointment:
    duration, _ = service_lengths(service, config)
    end = slot.start + duration if service else slot.end
    with transaction.atomic():
        professional_id = _lock_free_professional(config, slot=slot, end=end, service=service)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    contact=contact, service=service, professional_id=professional_id, start=slot.start, end=end,
                    source=source, provider=CalendarConfig.Provider.BUILTIN, notes=notes)
        except IntegrityError as exc:
            raise SlotTaken(TAKEN) from exc
        appointment_changed(appointment=appointment, event=Event.CREATED, actor=actor, data={"source": source})
    return appointment


def _lock_free_professional(config: CalendarConfig, *, slot: Slot, end, service: Service | None,
                            exclude_appointment_id: int | None = None) -> int:
    """Lock the candidates (id order: no deadlocks) and return a free one, or raise SlotTaken.

    Among several free professionals, the one with the fewest appointments that day gets it.
    """
    candidates = candidate_professionals(service=service, professional_id=slot.professional_id)
    locked = list(Professional.objects.select_for_update().filter(pk__in=candidates, is_active=True)
                  .order_by("pk").values_list("pk", flat=True))
    _, buffer = service_lengths(service, config)
    provider_tz = _tz(config)
    free = [pk for pk in locked if professional_free(professional_id=pk, start=slot.start, end=end, buffer=buffer,
                                                     tz=provider_tz, exclude_appointment_id=exclude_appointment_id)]
    if not free:
        raise SlotTaken(TAKEN)
    if len(free) == 1:
        return free[0]
    day = slot.start.astimezone(provider_tz).date()
    load = {pk: 0 for pk in free}
    for pk in (Appointment.objects.filter(professional_id__in=free, status__in=Appointment.ACTIVE,
                                          start__date=day).values_list("professional_id", flat=True)):
        load[pk] += 1
    return min(free, key=lambda pk: (load[pk], pk))


def _book_calcom(config: CalendarConfig, *, contact, slot, service, source, notes, actor, metadata) -> Appointment:
    calendar = _calcom(config)
    result = calendar.book(slot=slot, service=service, contact=contact, notes=notes, metadata=metadata)
    try:
        return calcom_booking_mirror(contact=contact, service=service, result=result, source=source, notes=notes,
                                     actor=actor, fallback=slot)
    except Exception:
        # We hold a remote booking nobody knows about: give it back rather than leave a ghost.
        _calcom_cancel_quietly(calendar, result.booking_id, "Falha ao registrar o agendamento.")
        raise


def calcom_booking_mirror(*, contact: Contact, service: Service | None, result: BookingResult, source: str,
                          notes: str = "", actor: str = "calcom", fallback: Slot | None = None,
                          status: str = Status.PENDING) -> Appointment:
    """The local row of a Cal.com booking; idempotent on its uid (our booking and its webhook may race)."""
    start = result.start or (fallback.start if fallback else None)
    end = result.end or (fallback.end if fallback else None)
    with transaction.atomic():
        existing = Appointment.objects.filter(provider_booking_id=result.booking_id).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    contact=contact, service=service, start=start, end=end, source=source, notes=notes,
                    status=status, provider=CalendarConfig.Provider.CALCOM, provider_booking_id=result.booking_id)
        except IntegrityError:
            # The other side committed the same uid between our read and our insert.
            return Appointment.objects.get(provider_booking_id=result.booking_id)
        appointment_changed(appointment=appointment, event=Event.CREATED, actor=actor,
                            data={"source": source, "booking_uid": result.booking_id})
    return appointment


# --- cancel -------------------------------------------------------------------------------

def appointment_cancel(*, appointment: Appointment, reason: str = "", actor: str = "customer",
                       sync_remote: bool = True) -> Appointment:
    """Cancel an active appointment (idempotent: cancelling a cancelled one returns it unchanged).

    Cal.com appointments are cancelled there first (`sync_remote=False` when Cal.com itself
    told us, i.e. from its webhook). Attended, missed or moved appointments cannot be cancelled.
    """
    current = Appointment.objects.get(pk=appointment.pk)
    if current.status == Status.CANCELLED:
        return _refreshed(appointment, current)
    _require_active(current, "cancelar")
    if sync_remote and current.provider == CalendarConfig.Provider.CALCOM and current.provider_booking_id:
        _calcom_cancel(current.provider_booking_id, reason)
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if row.status == Status.CANCELLED:
            return _refreshed(appointment, row)
        _require_active(row, "cancelar")
        row.status, row.cancel_reason = Status.CANCELLED, reason[:200]
        row.save(update_fields=["status", "cancel_reason", "updated_at"])
        appointment_changed(appointment=row, event=Event.CANCELLED, actor=actor,
                            data={"reason": reason[:200]} if reason else {})
    return _refreshed(appointment, row)


def _calcom_cancel(uid: str, reason: str) -> None:
    try:
        _calcom(calendar_config()).cancel(booking_id=uid, reason=reason)
    except CalendarRejected as exc:
        # Already gone or already cancelled at Cal.com: the local cancel is what is left to do.
        detail = f"{getattr(exc, 'detail', '')} {exc}".lower()
        if getattr(exc, "status", None) == 404 or "already" in detail or "cancel" in detail:
            log.info("calcom_cancel_already_done", uid=uid, status=getattr(exc, "status", None))
            return
        raise


def _calcom_cancel_quietly(calendar, uid: str | None, reason: str) -> None:
    if not uid:
        return
    try:
        calendar.cancel(booking_id=uid, reason=reason)
    except Exception:  # noqa: BLE001 - best effort; the original error is what the caller must see
        log.error("calcom_compensation_failed", uid=uid)


# --- reschedule ---------------------------------------------------------------------------

def appointment_reschedule(*, appointment: Appointment, slot: Slot, actor: str = "customer",
                           reason: str = "") -> Appointment:
    """Move an active appointment to `slot`. Returns the NEW appointment; the old row becomes
    `rescheduled` with `rescheduled_to` pointing at it (its reminders cancelled, new ones planned)."""
    config = calendar_config()
    current = Appointment.objects.select_related("service").get(pk=appointment.pk)
    _require_active(current, "remarcar")
    service = _service_of(slot) if slot.service_id else current.service
    _check_bookable(slot, config=config, actor=actor)
    started = time.monotonic()
    if current.provider == CalendarConfig.Provider.CALCOM:
        if not current.provider_booking_id:
            raise CalendarRejected("Este agendamento não tem o identificador do Cal.com.")
        result = _calcom(config).reschedule(booking_id=current.provider_booking_id, slot=slot, reason=reason)
        new = calcom_reschedule_mirror(appointment=current, result=result, actor=actor, service=service, fallback=slot)
    else:
        new = _reschedule_builtin(config, current, slot=slot, service=service, actor=actor)
    _observe_latency(current.provider, started)
    _refreshed(appointment, Appointment.objects.get(pk=appointment.pk))
    return new


def _reschedule_builtin(config: CalendarConfig, current: Appointment, *, slot: Slot, service, actor) -> Appointment:
    duration, _ = service_lengths(service, config)
    end = slot.start + duration if service else slot.end
    with transaction.atomic():
        old = Appointment.objects.select_for_update().get(pk=current.pk)
        _require_active(old, "remarcar")
        professional_id = _lock_free_professional(config, slot=slot, end=end, service=service,
                                                  exclude_appointment_id=old.pk)
        return _move(old, start=slot.start, end=end, service=service, professional_id=professional_id,
                     booking_id=None, actor=actor)


def calcom_reschedule_mirror(*, appointment: Appointment, result: BookingResult, actor: str = "calcom",
                             service: Service | None = None, fallback: Slot | None = None) -> Appointment:
    """Mirror a Cal.com reschedule (from our call or its webhook); idempotent on the new uid."""
    with transaction.atomic():
        already = Appointment.objects.filter(provider_booking_id=result.booking_id).first()
        if already is not None:
            return already
        old = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if old.status == Status.RESCHEDULED and old.rescheduled_to_id:
            return old.rescheduled_to
        _require_active(old, "remarcar")
        start = result.start or fallback.start
        end = result.end or fallback.end
        return _move(old, start=start, end=end, service=service or old.service, professional_id=None,
                     booking_id=result.booking_id, actor=actor)


def _move(old: Appointment, *, start, end, service, professional_id, booking_id, actor) -> Appointment:
    """Old row -> rescheduled, new row pending at the new time (inside the caller's transaction)."""
    old.status = Status.RESCHEDULED
    old.save(update_fields=["status", "updated_at"])  # first: frees the (professional, start) unique key
    try:
        with transaction.atomic():
            new = Appointment.objects.create(
                contact_id=old.contact_id, service=service, professional_id=professional_id, start=start, end=end,
                source=old.source, provider=old.provider, provider_booking_id=booking_id, notes=old.notes)
    except IntegrityError as exc:
        raise SlotTaken(TAKEN) from exc
    old.rescheduled_to = new
    old.save(update_fields=["rescheduled_to", "updated_at"])
    appointment_changed(appointment=old, event=Event.RESCHEDULED, actor=actor,
                        data={"to": new.pk, "start": start.isoformat()})
    appointment_changed(appointment=new, event=Event.CREATED, actor=actor,
                        data={"source": old.source, "rescheduled_from": old.pk})
    return new


# --- confirm, attended, no-show -----------------------------------------------------------

def appointment_confirm(*, appointment: Appointment, actor: str = "customer") -> Appointment:
    """The customer confirmed they will come (idempotent)."""
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if row.status == Status.CONFIRMED:
            return _refreshed(appointment, row)
        if row.status != Status.PENDING:
            raise InvalidTransition(f"Não é possível confirmar um agendamento {STATUS_PHRASE[row.status]}.")
        row.status, row.confirmed_at = Status.CONFIRMED, timezone.now()
        row.save(update_fields=["status", "confirmed_at", "updated_at"])
        appointment_changed(appointment=row, event=Event.CONFIRMED, actor=actor)
    return _refreshed(appointment, row)


def appointment_mark_attended(*, appointment: Appointment, actor: str = "system") -> Appointment:
    """The customer came. Also corrects a no-show marked by mistake."""
    return _outcome(appointment, to=Status.ATTENDED, event=Event.ATTENDED, actor=actor,
                    allowed=(Status.PENDING, Status.CONFIRMED, Status.NO_SHOW))


def appointment_mark_no_show(*, appointment: Appointment, actor: str = "system") -> Appointment:
    """The customer missed it. Also corrects an attendance marked by mistake (its follow-up is dropped)."""
    return _outcome(appointment, to=Status.NO_SHOW, event=Event.NO_SHOW, actor=actor,
                    allowed=(Status.PENDING, Status.CONFIRMED, Status.ATTENDED))


def _outcome(appointment: Appointment, *, to: str, event: str, actor: str, allowed: tuple) -> Appointment:
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if row.status == to:
            return _refreshed(appointment, row)
        if row.status not in allowed:
            raise InvalidTransition(f"Não é possível {OUTCOME_VERB[to]} um agendamento {STATUS_PHRASE[row.status]}.")
        if row.start > timezone.now():
            raise InvalidTransition("Esse agendamento ainda não aconteceu.")
        previous = row.status
        row.status = to
        row.save(update_fields=["status", "updated_at"])
        if to == Status.NO_SHOW:
            followup_cancel(appointment=row)
        appointment_changed(appointment=row, event=event, actor=actor, data={"from": previous})
    return _refreshed(appointment, row)


# --- helpers ------------------------------------------------------------------------------

def _service_of(slot: Slot) -> Service | None:
    if not slot.service_id:
        return None
    service = Service.objects.filter(pk=slot.service_id).first()
    if service is None or not service.is_active:
        raise SlotTaken("Esse serviço não está mais disponível.")
    return service


def _check_bookable(slot: Slot, *, config: CalendarConfig, actor: str) -> None:
    if slot.start.tzinfo is None or slot.end <= slot.start:
        raise ValueError("slot must be aware and end after it starts")
    now = timezone.now()
    if slot.start <= now:
        raise SlotTaken("Esse horário já passou.")
    if actor == "customer":
        earliest, latest = booking_window(config, now)
        # A minute of slack: the slot was offered a moment ago, when it was inside the window.
        if slot.start < earliest - timedelta(minutes=1) or slot.start > latest:
            raise SlotTaken(TAKEN)


def _require_active(appointment: Appointment, verb: str) -> None:
    if appointment.status in Appointment.ACTIVE:
        return
    if appointment.status == Status.RESCHEDULED:
        raise InvalidTransition(f"Não é possível {verb}: esse agendamento já foi remarcado.")
    raise InvalidTransition(f"Não é possível {verb} um agendamento {STATUS_PHRASE[appointment.status]}.")


def _refreshed(original: Appointment, row: Appointment) -> Appointment:
    """Keep the caller's instance in step with the row (callers often reuse it)."""
    if original is not row:
        for name in ("status", "cancel_reason", "confirmed_at", "rescheduled_to_id", "updated_at", "start", "end",
                     "professional_id"):
            setattr(original, name, getattr(row, name))
    return row


def _calcom(config: CalendarConfig):
    return CalcomCalendar(config)


def _tz(config: CalendarConfig) -> ZoneInfo:
    return ZoneInfo(config.timezone)


def _observe_latency(provider: str, started: float) -> None:
    APPOINTMENTS_LATENCY.labels(provider=provider).observe(
        time.monotonic() - started)
