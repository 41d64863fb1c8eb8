"""What accepting a recommendation does, per kind. Each action is safe to run again: its messages and
reminders carry keys that make a second run a no-op, so a double click sends nothing twice.

Kinds without an automatic action (late handoffs, a service nobody books) are acknowledged only:
their evidence links to what the staff should look at.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.urls import reverse

from agenda.models import Appointment
from agenda.services.config import calendar_config
from agenda.services.risk import HIGH_RISK_MIN_NOTICE, extra_reminder_plan
from analytics.recommendations.models import Recommendation
from analytics.recommendations.rules import REACTIVATION
from conversations.models import Contact, Outbox
from conversations.outreach.services import Outreach, outreach_send

Kind = Recommendation.Kind
UPCOMING_DAYS = 60  # how far ahead the extra reminders of an accepted no-show slot are planned


# --- Reactivation messages -----------------------------------------------------------------------

def reactivation_key(*, recommendation_id: int, contact_id: int) -> str:
    """The outbox key of one contact's reactivation message: at most one per recommendation and contact."""
    return f"{REACTIVATION}:{recommendation_id}:{contact_id}"


def reactivation_text(contact: Contact) -> str:
    first_name = (contact.name or "").split(" ")[0]
    hello = f"Olá, {first_name}!" if first_name else "Olá!"
    return (f"{hello} Faz um tempo que você não vem nos ver e sentimos sua falta. "
            "Que tal marcar um novo horário? É só responder esta mensagem com o dia que prefere.")


def reactivation_queue(recommendation: Recommendation, now: datetime) -> dict:
    """Queue the reactivation message to each contact of the evidence, once each, through the outreach
    service (which refuses opted-out and erased contacts). Sent by the send task, not this request."""
    ids = recommendation.evidence.get("contact_ids") or []
    queued = already = refused = 0
    for contact in Contact.objects.filter(pk__in=ids).order_by("pk"):
        key = reactivation_key(recommendation_id=recommendation.pk, contact_id=contact.pk)
        if Outbox.objects.filter(idempotency_key=key).exists():
            already += 1
            continue
        outcome = _send_once(Outreach(contact=contact, text=reactivation_text(contact), kind=REACTIVATION, key=key))
        queued += outcome == "queued"
        already += outcome == "already"
        refused += outcome == "refused"
    return {"queued": queued, "already_queued": already, "opted_out": refused}


def _send_once(message: Outreach) -> str:
    try:
        with transaction.atomic():  # a savepoint: a concurrent accept's row wins, ours rolls back alone
            return "queued" if outreach_send(message, inline=False) is not None else "refused"
    except IntegrityError:
        return "already"


# --- Extra confirmation reminders for a slot with many no-shows ---------------------------------

def slot_reminders_plan(recommendation: Recommendation, now: datetime) -> dict:
    """One extra reminder (agenda's "extra" kind, 3 h before) for each upcoming active appointment
    starting in the slot's weekday and hour (company time). Planned rows: agenda's beat sends them
    through the outreach service like any reminder; an appointment that has one already gets no other."""
    weekday, hour = recommendation.evidence["weekday"], recommendation.evidence["hour"]
    tz = ZoneInfo(calendar_config().timezone)
    upcoming = Appointment.objects.filter(status__in=Appointment.ACTIVE, start__gt=now + HIGH_RISK_MIN_NOTICE,
                                          start__lte=now + timedelta(days=UPCOMING_DAYS))
    in_slot = [a for a in upcoming.only("pk", "start") if _in_slot(a.start, tz, weekday, hour)]
    planned = sum(extra_reminder_plan(appointment=appointment, now=now) for appointment in in_slot)
    return {"planned": planned, "appointments": len(in_slot)}


def slot_reminder_for(*, appointment_id: int, slots: list[tuple[int, int]], now: datetime) -> bool:
    """The extra reminder for one appointment if it is upcoming, active and starts in one of `slots`."""
    appointment = Appointment.objects.filter(pk=appointment_id, status__in=Appointment.ACTIVE,
                                             start__gt=now + HIGH_RISK_MIN_NOTICE).first()
    if appointment is None:
        return False
    tz = ZoneInfo(calendar_config().timezone)
    if not any(_in_slot(appointment.start, tz, weekday, hour) for weekday, hour in slots):
        return False
    return extra_reminder_plan(appointment=appointment, now=now)


def _in_slot(start: datetime, tz: ZoneInfo, weekday: int, hour: int) -> bool:
    local = start.astimezone(tz)
    return local.weekday() == weekday and local.hour == hour


ACTIONS = {Kind.INACTIVE_CONTACTS: reactivation_queue, Kind.NOSHOW_SLOT: slot_reminders_plan}

# What the owner is told the action does (the API and the admin show it).
ACTION_LABELS = {
    Kind.INACTIVE_CONTACTS: "Enviar uma mensagem de retorno a cada cliente",
    Kind.NOSHOW_SLOT: "Enviar um lembrete extra de confirmação aos agendamentos deste horário",
    Kind.HANDOFF_SLA: "Abrir as conversas que aguardam a equipe",
    Kind.SERVICE_UNBOOKED: "Rever o serviço (preço, descrição, horários)",
}


def action_link(recommendation: Recommendation) -> str:
    """Where the staff act by hand: the company admin's list or page of what the evidence is about."""
    if recommendation.kind == Kind.HANDOFF_SLA:
        return reverse("tenant_admin:conversations_conversation_changelist") + "?status__exact=handoff"
    if recommendation.kind == Kind.SERVICE_UNBOOKED and recommendation.evidence.get("service_id"):
        return reverse("tenant_admin:agenda_service_change", args=[recommendation.evidence["service_id"]])
    return ""
