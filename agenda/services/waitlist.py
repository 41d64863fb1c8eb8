"""The waitlist: customers who found no good slot are told when one frees up; the first to accept gets it.

A freed slot (a cancelled or moved appointment, via lifecycle) is offered to every waiting
customer whose wishes fit, each through the outbox with a WAITLIST_OFFER dialog. Accepting
books through `appointment_book`, whose per-professional lock makes the first acceptance
win; the others are told the slot is gone and stay on the list.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agenda.chat.dialog_state import WaitlistOffer
from agenda.models import Appointment, Professional, WaitlistEntry
from agenda.services.booking import appointment_book
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_open
from agenda.services.slots import slot_is_free
from agenda.texts import outreach_message, when_variables
from agenda.types import AgendaError, Slot, SlotQuery, SlotTaken
from conversations.outreach.services import outreach_allowed, outreach_send

log = structlog.get_logger(__name__)
State = WaitlistEntry.State
MAX_OFFERS = 5  # customers told about one freed slot
OFFER_TTL_MINUTES = 12 * 60
ENTRY_MAX_AGE = timedelta(days=30)
EXACT_TIME_SLACK = timedelta(minutes=60)


def waitlist_join(*, contact, query: SlotQuery) -> WaitlistEntry:
    """Put the contact on the waitlist with the wishes of `query` (one waiting entry per contact and service)."""
    tz = ZoneInfo(calendar_config().timezone)
    not_before = query.not_before
    not_after = None
    if query.day is not None:
        not_before = datetime.combine(query.day, time.min, tzinfo=tz)
        not_after = datetime.combine(query.day, time.max, tzinfo=tz)
    preferences = {key: value for key, value in {
        "weekdays": sorted(query.weekdays) or None,
        "time_from": query.time_from.strftime("%H:%M") if query.time_from else None,
        "time_to": query.time_to.strftime("%H:%M") if query.time_to else None,
        "exact_time": query.exact_time.strftime("%H:%M") if query.exact_time else None,
    }.items() if value is not None}
    entry, _ = WaitlistEntry.objects.update_or_create(
        contact=contact, service_id=query.service_id, state=State.WAITING,
        defaults={"professional_id": query.professional_id, "not_before": not_before, "not_after": not_after,
                  "preferences": preferences})
    return entry


def waitlist_slot_freed(*, appointment_id: int) -> int:
    """Offer the slot of a cancelled or moved appointment to waiting customers. Returns offers sent."""
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None or appointment.start <= timezone.now() + timedelta(minutes=10):
        return 0
    waitlist_expire()
    slot = Slot(appointment.start, appointment.end, appointment.service_id, appointment.professional_id)
    try:
        if not slot_is_free(slot=slot):
            return 0  # taken again already (the customer moved into a neighbour's slot, a booking raced)
    except AgendaError:
        return 0  # calendar unreachable: no offer rather than an offer we cannot keep
    sent = 0
    for entry in waitlist_candidates(slot=slot):
        if _offer(entry, slot):
            sent += 1
    return sent


def waitlist_candidates(*, slot: Slot) -> list[WaitlistEntry]:
    """Waiting entries whose service, professional, dates and hours fit the slot, oldest first."""
    rows = (WaitlistEntry.objects.filter(state=State.WAITING)
            .filter(Q(service__isnull=True) | Q(service_id=slot.service_id))
            .filter(Q(professional__isnull=True) | Q(professional_id=slot.professional_id))
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=slot.start))
            .filter(Q(not_after__isnull=True) | Q(not_after__gte=slot.start))
            .exclude(contact__appointments__start=slot.start, contact__appointments__status__in=Appointment.ACTIVE)
            .select_related("contact", "service").order_by("created_at"))
    tz = ZoneInfo(calendar_config().timezone)
    local = slot.start.astimezone(tz)
    return [entry for entry in rows if _fits(entry.preferences or {}, local)][:MAX_OFFERS]


def _fits(preferences: dict, local: datetime) -> bool:
    clock = local.time().replace(tzinfo=None)
    weekdays = preferences.get("weekdays")
    if weekdays and local.weekday() not in weekdays:
        return False
    if (start := preferences.get("time_from")) and clock < time.fromisoformat(start):
        return False
    if (end := preferences.get("time_to")) and clock >= time.fromisoformat(end):
        return False
    if exact := preferences.get("exact_time"):
        wanted = datetime.combine(local.date(), time.fromisoformat(exact), tzinfo=local.tzinfo)
        return abs(local - wanted) <= EXACT_TIME_SLACK
    return True


def _offer(entry: WaitlistEntry, slot: Slot) -> bool:
    if not outreach_allowed(contact=entry.contact, kind="waitlist_offer"):
        return False  # opted out (LGPD): the entry keeps waiting, unoffered; the slot goes to the next
    tz = calendar_config().timezone
    with transaction.atomic():
        # Compare-and-set: a concurrent freed slot must not offer the same entry twice.
        claimed = WaitlistEntry.objects.filter(pk=entry.pk, state=State.WAITING).update(
            state=State.OFFERED, offered_start=slot.start, offered_professional_id=slot.professional_id)
        if not claimed:
            return False
        contact = entry.contact
        professional = (Professional.objects.filter(pk=slot.professional_id).values_list("name", flat=True).first()
                        if slot.professional_id else "")
        ttl = max(5, min(OFFER_TTL_MINUTES, int((slot.start - timezone.now()).total_seconds() // 60)))
        dialog_open(contact=contact, state=WaitlistOffer(entry_id=entry.pk, slot=slot), ttl_minutes=ttl)
        # Sent by a task: a freed slot is often the side effect of a web request (a cancel), which
        # must not wait on the provider.
        outreach_send(outreach_message("waitlist_offer", contact=contact, kind="waitlist_offer",
                                       key=f"waitlist-offer:{entry.pk}:{int(slot.start.timestamp())}",
                                       servico=entry.service.name if entry.service else "", profissional=professional,
                                       **when_variables(slot.start, tz)), inline=False)
    return True


def waitlist_offer_accept(*, entry: WaitlistEntry, slot: Slot) -> Appointment | None:
    """Book the offered slot for this entry; None when it is gone (someone accepted first)."""
    current = WaitlistEntry.objects.filter(pk=entry.pk).first()
    if current is None or current.state != State.OFFERED or current.offered_start != slot.start:
        return None
    try:
        appointment = appointment_book(contact=current.contact, slot=slot, source=Appointment.Source.WAITLIST,
                                       actor="customer")
    except SlotTaken:
        WaitlistEntry.objects.filter(pk=entry.pk, state=State.OFFERED).update(state=State.WAITING)
        return None
    with transaction.atomic():
        WaitlistEntry.objects.filter(pk=entry.pk).update(state=State.BOOKED, appointment=appointment)
        _tell_the_others(entry_id=entry.pk, slot=slot)
    return appointment


def _tell_the_others(*, entry_id: int, slot: Slot) -> None:
    """The other customers offered this slot go back to waiting and hear it is gone."""
    tz = calendar_config().timezone
    others = list(WaitlistEntry.objects.select_for_update().filter(state=State.OFFERED, offered_start=slot.start)
                  .exclude(pk=entry_id).select_related("contact"))
    for other in others:
        WaitlistEntry.objects.filter(pk=other.pk, state=State.OFFERED).update(state=State.WAITING)
        key = f"waitlist-filled:{other.pk}:{int(slot.start.timestamp())}"
        outreach_send(outreach_message("waitlist_filled", contact=other.contact, kind="waitlist_filled", key=key,
                                       **when_variables(slot.start, tz)), inline=False)


def waitlist_offer_decline(*, entry: WaitlistEntry) -> None:
    """Not this one: back to waiting for the next."""
    WaitlistEntry.objects.filter(pk=entry.pk, state=State.OFFERED).update(state=State.WAITING)


def waitlist_expire(*, now: datetime | None = None) -> int:
    """Entries past their last wanted day or older than 30 days expire; stale offers go back to waiting."""
    now = now or timezone.now()
    WaitlistEntry.objects.filter(state=State.OFFERED, offered_start__lt=now).update(state=State.WAITING)
    return WaitlistEntry.objects.filter(state=State.WAITING).filter(
        Q(not_after__lt=now) | Q(created_at__lt=now - ENTRY_MAX_AGE)).update(state=State.EXPIRED)
