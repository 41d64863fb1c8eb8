"""No-shows: an appointment nobody marked attended, past its end plus a grace period.

When a meeting ends nothing happens by itself: with the built-in calendar nobody reports
attendance automatically, so the staff mark "compareceu" in the admin (or the API, or a
Cal.com MEETING_ENDED / NO_SHOW_UPDATED webhook does it for Cal.com). Whatever is still
pending or confirmed `noshow_grace_minutes` after its end is taken as a no-show, and the
customer gets a rebooking offer with the next free slots (when the company keeps
"oferecer nova data a quem faltou" on). Cancelled, moved and attended appointments are
never touched; a staff member who marks attendance late can still correct a no-show.
"""

from datetime import datetime, timedelta

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agenda.chat.dialog_state import RebookOffer
from agenda.models import Appointment, AppointmentEvent
from agenda.services.booking import appointment_mark_no_show
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_open
from agenda.services.reminders import visit_variables, when_text
from agenda.services.slots import slots_find
from agenda.texts import outreach_message
from agenda.types import AgendaError, Slot, SlotQuery
from conversations.outreach.services import Outreach, outreach_allowed, outreach_send
from secretaria.observability.metrics import AUTO_RESCHEDULED

log = structlog.get_logger(__name__)

Status = Appointment.Status
Event = AppointmentEvent.Kind
DETECT_BATCH = 500  # per company and minute
OFFER_SLOTS = 3
OFFER_TTL_MINUTES = 2 * 24 * 60


def noshows_detect(*, now: datetime | None = None) -> int:
    """Every minute, per company: mark the no-shows and offer them a new date. Returns how many marked."""
    now = now or timezone.now()
    config = calendar_config()
    cutoff = now - timedelta(minutes=config.noshow_grace_minutes)
    ids = list(Appointment.objects.filter(status__in=Appointment.ACTIVE, end__lte=cutoff)
               .order_by("end").values_list("pk", flat=True)[:DETECT_BATCH])
    marked = [pk for pk in ids if _mark(pk)]
    if config.auto_reschedule_no_shows:
        for appointment in Appointment.objects.filter(pk__in=marked).select_related("contact", "service",
                                                                                     "professional"):
            rebook_offer_send(appointment=appointment)
    return len(marked)


def _mark(appointment_id: int) -> bool:
    with transaction.atomic():
        # Locked and re-checked: a staff member marking attendance right now, or a second beat,
        # wins or loses cleanly.
        appointment = Appointment.objects.select_for_update().filter(pk=appointment_id).first()
        if appointment is None or not appointment.is_active:
            return False
        try:
            appointment_mark_no_show(appointment=appointment, actor="system")
        except AgendaError as exc:
            log.warning("noshow_not_marked", appointment_id=appointment_id, error=str(exc))
            return False
    return True


def no_shows_auto_reschedule(*, days: int = 14, now: datetime | None = None) -> int:
    """"Reagendar faltas automaticamente": offer a new date to recent no-shows that got no offer
    yet and have not booked again since. Returns offers sent."""
    now = now or timezone.now()
    offered = AppointmentEvent.objects.filter(appointment=OuterRef("pk"), kind=Event.OFFER_SENT)
    rebooked = Appointment.objects.filter(contact=OuterRef("contact"), status__in=Appointment.ACTIVE,
                                          start__gt=now)
    missed = (Appointment.objects.filter(status=Status.NO_SHOW, end__gte=now - timedelta(days=days), end__lte=now)
              .filter(~Exists(offered), ~Exists(rebooked)).select_related("contact", "service", "professional"))
    return sum(rebook_offer_send(appointment=appointment) for appointment in missed)


def rebook_offer_send(*, appointment: Appointment) -> bool:
    """Send the customer who missed `appointment` the next free slots, once (outbox key
    `rebook:<id>`), and open the `rebook_offer` dialog. False when not sent (already offered,
    the customer booked again, or the calendar could not be read: the daily run retries)."""
    try:
        slots = _next_slots(appointment)
    except AgendaError as exc:  # Cal.com down or refusing: no offer now
        log.warning("rebook_slots_unavailable", appointment_id=appointment.pk, error=str(exc))
        return False
    try:
        with transaction.atomic():
            return _offer(appointment, slots)
    except IntegrityError:  # two runs raced; the other one's offer stands
        return False


def _offer(appointment: Appointment, slots: list[Slot]) -> bool:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != Status.NO_SHOW or locked.events.filter(kind=Event.OFFER_SENT).exists():
        return False
    if Appointment.objects.filter(contact_id=locked.contact_id, status__in=Appointment.ACTIVE,
                                  start__gt=timezone.now()).exists():
        return False  # already booked again: nothing to offer
    contact = appointment.contact
    if not outreach_allowed(contact=contact, kind="rebook_offer"):
        return False  # opted out (LGPD): no offer recorded, no dialog waiting for an answer that cannot come
    outreach_send(rebook_offer_message(appointment=appointment, slots=slots))
    AppointmentEvent.objects.create(appointment=locked, kind=Event.OFFER_SENT, actor="system",
                                    data={"slots": [slot.key() for slot in slots]})
    dialog_open(contact=contact, ttl_minutes=OFFER_TTL_MINUTES, state=RebookOffer(
        appointment_id=appointment.pk, slots=tuple(slots), service_id=appointment.service_id))
    transaction.on_commit(lambda: AUTO_RESCHEDULED.inc())
    return True


def _next_slots(appointment: Appointment) -> list[Slot]:
    """The same professional first; anyone who does the service when they have nothing soon."""
    query = SlotQuery(service_id=appointment.service_id, professional_id=appointment.professional_id,
                      limit=OFFER_SLOTS)
    slots = slots_find(query=query) if appointment.professional_id else []
    if not slots:
        slots = slots_find(query=SlotQuery(service_id=appointment.service_id, limit=OFFER_SLOTS))
    return slots


def rebook_offer_message(*, appointment: Appointment, slots: list[Slot]) -> Outreach:
    """"Sentimos sua falta", with the next free slots numbered in `{horarios}` (or, with none, an invitation)."""
    variables = visit_variables(appointment)
    if slots:
        variables["horarios"] = "\n".join(f"{index} - {when_text(slot.start)}"
                                          for index, slot in enumerate(slots, start=1))
    return outreach_message("noshow_rebook_offer" if slots else "noshow_rebook_no_slots", contact=appointment.contact,
                            kind="rebook_offer", key=f"rebook:{appointment.pk}", **variables)
