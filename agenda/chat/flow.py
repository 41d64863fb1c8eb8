"""The agenda's part of a chat turn: booking, moving and cancelling, and answers to our automations.

`agenda_turn` runs after the conversation engine has read the burst (its intent comes in).
It returns None when the agenda has nothing to do with the turn, and the engine's reply
stands. An open Dialog (models.Dialog; data by step in services/dialogs.py) says how to
read the next message; a message that does not fit the step (a question about prices)
leaves the dialog open for the next turn.

Answers to the automations (reminder, follow-up, rebooking offer, waitlist offer) are in
`agenda.chat.answers`; this module holds the booking conversation itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

import structlog
from django.utils import timezone

from agenda.chat import messages as say
from agenda.chat.parse import parse_when, query_is_empty, slots_matching
from agenda.models import Appointment, CalendarConfig, Dialog, Professional, Service, WorkingHours
from agenda.selectors import appointments_upcoming, service_match, services_active
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_close, dialog_current, dialog_open
from agenda.types import AgendaError, CalendarRejected, Slot, SlotQuery, SlotTaken
from secretaria.settings_cache import cached

log = structlog.get_logger(__name__)
Step = Dialog.Step
OFFER_LIMIT = 5
BOOK, RESCHEDULE, REBOOK, WAITLIST = "book", "reschedule", "rebook", "waitlist"
_AGENDA_INTENTS = ("appointment_request", "appointment_reschedule", "appointment_cancel")


@dataclass
class AgendaReply:
    """What to answer. `options` (id, title, description) become an interactive list where the
    channel has one; `text` always carries them as numbered lines too. `body` is `text` without them."""

    text: str
    options: list[tuple[str, str, str]] = field(default_factory=list)
    intent: str = "appointment_request"
    body: str = ""


@dataclass
class Turn:
    contact: object
    text: str
    intent: str
    now: datetime
    tz: str
    handoff: bool = False

    def when(self) -> SlotQuery | None:
        return parse_when(self.text, now=self.now, tz=self.tz)


def agenda_turn(*, contact, conversation, texts: list[str], intent: str, now: datetime | None = None,
                handoff: bool = False) -> AgendaReply | None:
    """The agenda's reply to this burst, or None to let the engine's reply stand.

    `handoff`: the engine is handing the conversation to a person; the agenda then only
    records what must not be lost (a follow-up answer) and never answers itself.
    """
    text = " ".join(t.strip() for t in texts if t and t.strip())
    if not text or not calendar_ready():
        return None
    turn = Turn(contact=contact, text=text, intent=str(intent or ""), now=now or timezone.now(),
                tz=calendar_config().timezone, handoff=handoff)
    dialog = dialog_current(contact=contact)
    try:
        if dialog is not None:
            from agenda.chat.answers import step_answer

            reply = step_answer(turn, dialog)
            if reply is not None or handoff:
                return None if handoff else reply
        elif handoff:
            return None
        return start(turn)
    except AgendaError as exc:
        # The calendar is down or refused (a bad Cal.com key...): an apology, the dialog kept for a retry.
        log.warning("agenda_calendar_error", contact_id=contact.pk, error=type(exc).__name__)
        return AgendaReply(say.CALENDAR_DOWN)


def calendar_ready() -> bool:
    """A company that never set its calendar up keeps the engine's booking answers.

    Asked on every reply: kept per process until the company's settings change (secretaria/settings_cache.py).
    """
    return cached("agenda_ready", _calendar_ready)


def _calendar_ready() -> bool:
    config = calendar_config()
    if config.provider == CalendarConfig.Provider.CALCOM:
        return Service.objects.filter(is_active=True, calcom_event_type_id__isnull=False).exists()
    return WorkingHours.objects.filter(professional__is_active=True).exists()


# --- starting: a request, a reschedule, a cancellation -----------------------------------------

def start(turn: Turn) -> AgendaReply | None:
    if turn.intent == "appointment_cancel":
        return cancel_start(turn)
    if turn.intent == "appointment_reschedule":
        return reschedule_start(turn)
    service = service_match(text=turn.text)
    when = turn.when()
    if turn.intent == "appointment_request" or (service is not None and when is not None):
        return book_start(turn, service=service, when=when)
    return None


def book_start(turn: Turn, *, service: Service | None, when: SlotQuery | None) -> AgendaReply:
    if service is None:
        services = services_active()
        if len(services) == 1:
            service = services[0]
        elif len(services) > 1:
            return _ask_service(turn, services, when)
    query = replace(when or SlotQuery(), service_id=service.pk if service else None, limit=OFFER_LIMIT)
    return offer(turn, query, purpose=BOOK, confirm_exact=True)


def _ask_service(turn: Turn, services: list[Service], when: SlotQuery | None) -> AgendaReply:
    services = services[:10]
    dialog_open(contact=turn.contact, step=Step.CHOOSING_SLOT, data={
        "slots": [], "services": [s.pk for s in services], "purpose": BOOK, "service_id": None,
        "query": query_dump(when or SlotQuery())})
    options = [(f"service:{s.pk}", s.name[:24], _service_details(s)) for s in services]
    lines = [s.name for s in services]
    return AgendaReply(say.numbered(say.ASK_SERVICE, lines, "Responda com o número ou o nome do serviço."),
                       options, body=say.ASK_SERVICE)


def _service_details(service: Service) -> str:
    parts = [f"{service.duration_minutes} min"]
    if service.price_cents:
        parts.append(f"R$ {service.price_cents / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", "."))
    return " · ".join(parts)


def reschedule_start(turn: Turn) -> AgendaReply:
    upcoming = appointments_upcoming(contact=turn.contact)
    if not upcoming:
        return AgendaReply(say.NO_APPOINTMENTS, intent="appointment_reschedule")
    if len(upcoming) > 1:
        return choose_appointment(turn, upcoming, purpose=RESCHEDULE)
    return reschedule_offer(turn, upcoming[0])


def cancel_start(turn: Turn) -> AgendaReply:
    upcoming = appointments_upcoming(contact=turn.contact)
    if not upcoming:
        return AgendaReply(say.NO_APPOINTMENTS, intent="appointment_cancel")
    if len(upcoming) > 1:
        return choose_appointment(turn, upcoming, purpose="cancel")
    return cancel_ask(turn, upcoming[0])


def choose_appointment(turn: Turn, appointments: list[Appointment], *, purpose: str) -> AgendaReply:
    appointments = appointments[:10]
    dialog_open(contact=turn.contact, step=Step.CHOOSING_APPOINTMENT,
                data={"appointment_ids": [a.pk for a in appointments], "purpose": purpose})
    verb = "cancelar" if purpose == "cancel" else "remarcar"
    intro = say.CHOOSE_APPOINTMENT.format(verb=verb)
    lines = [appointment_line(a, turn.tz) for a in appointments]
    options = [(f"appointment:{a.pk}", say.slot_title(a.start, turn.tz), _names(a)) for a in appointments]
    return AgendaReply(say.numbered(intro, lines, "Responda com o número da opção."), options,
                       intent=f"appointment_{purpose}", body=intro)


def cancel_ask(turn: Turn, appointment: Appointment) -> AgendaReply:
    dialog_open(contact=turn.contact, step=Step.CONFIRMING_CANCEL, data={"appointment_id": appointment.pk})
    return AgendaReply(say.CONFIRM_CANCEL.format(what=_what(appointment), slot=say.slot_label(appointment.start,
                                                                                                turn.tz)),
                       intent="appointment_cancel")


def reschedule_offer(turn: Turn, appointment: Appointment, *, when: SlotQuery | None = None) -> AgendaReply:
    when = when if when is not None else turn.when()
    query = replace(when or SlotQuery(), service_id=appointment.service_id, limit=OFFER_LIMIT)
    intro = say.RESCHEDULE_INTRO.format(what=_what(appointment), slot=say.slot_label(appointment.start, turn.tz),
                                        offer="{offer}")
    return offer(turn, query, purpose=RESCHEDULE, appointment_id=appointment.pk, wrap=intro)


# --- offering slots ------------------------------------------------------------------------------

def offer(turn: Turn, query: SlotQuery, *, purpose: str, appointment_id: int | None = None,
          intro: str | None = None, wrap: str = "{offer}", confirm_exact: bool = False,
          exclude: set[str] | None = None) -> AgendaReply:
    """Find slots for the query (relaxing it when nothing fits) and offer them as a numbered list.

    Nothing at all: offer the waitlist. One slot exactly as asked ("terça às 15h"): ask to confirm it.
    """
    from agenda.services.slots import slots_find

    slots, relaxed = _find(query, slots_find, exclude or set())
    base = {"purpose": purpose, "service_id": query.service_id, "query": query_dump(query)}
    if appointment_id:
        base["appointment_id"] = appointment_id
    service_name = _service_name(query.service_id)
    if not slots:
        dialog_open(contact=turn.contact, step=Step.CONFIRMING, data={**base, "purpose": WAITLIST,
                                                                      "for": purpose})
        text = say.NO_SLOTS.format(what=say.service_part(service_name), when=describe_query(query))
        return AgendaReply(wrap.format(offer=text), intent=_intent(purpose))
    first = slots[0]
    if confirm_exact and not relaxed and query.exact_time and query.day and slots_matching([first], query, tz=turn.tz):
        dialog_open(contact=turn.contact, step=Step.CONFIRMING, data={**base, "slot": first.key()})
        text = say.CONFIRM_SLOT.format(slot=say.slot_label(first.start, turn.tz), who=say.who(_pro(first)),
                                       what=say.service_part(service_name, prefix=" — "))
        return AgendaReply(wrap.format(offer=text), intent=_intent(purpose))
    dialog_open(contact=turn.contact, step=Step.CHOOSING_SLOT, data={**base, "slots": [s.key() for s in slots]})
    if intro is None:
        intro = (say.OFFER_NEAR if relaxed else say.OFFER).format(what=say.service_part(service_name))
    return slots_reply(wrap.format(offer=intro), slots, turn.tz, intent=_intent(purpose))


def slots_reply(intro: str, slots: list[Slot], tz: str, *, intent: str = "appointment_request") -> AgendaReply:
    names = _professional_names(slots)
    lines = [f"{say.slot_label(s.start, tz)}{' — ' + names[s.professional_id] if s.professional_id in names else ''}"
             for s in slots]
    options = [(str(i), say.slot_title(s.start, tz), names.get(s.professional_id, ""))
               for i, s in enumerate(slots, start=1)]
    return AgendaReply(say.numbered(intro, lines), options, intent=intent, body=intro)


def _find(query: SlotQuery, finder, exclude: set[str]) -> tuple[list[Slot], bool]:
    """The query's slots; when none, the same with fewer wishes (the weekday instead of the date,
    then no time window, then anything) — `relaxed` says so, to tell the customer."""
    attempts = [query]
    if query.day is not None:
        attempts.append(replace(query, day=None, weekdays=frozenset({query.day.weekday()}), exact_time=None))
    if query.time_from or query.time_to or query.exact_time:
        attempts.append(replace(query, time_from=None, time_to=None, exact_time=None))
    if not query_is_empty(query):
        attempts.append(SlotQuery(service_id=query.service_id, professional_id=query.professional_id,
                                  limit=query.limit))
    for index, attempt in enumerate(attempts):
        found = [s for s in finder(query=replace(attempt, limit=attempt.limit + len(exclude)))
                 if s.key() not in exclude][:attempt.limit]
        if found:
            return found, index > 0
    return [], False


def choose_slot(turn: Turn, data: dict, slot: Slot) -> AgendaReply:
    """The customer picked a slot: book it (or move the appointment to it)."""
    from agenda.services.booking import appointment_book, appointment_reschedule

    purpose = data.get("purpose", BOOK)
    try:
        if purpose == RESCHEDULE:
            current = Appointment.objects.filter(pk=data.get("appointment_id")).first()
            if current is None or not current.is_active:
                dialog_close(contact=turn.contact)
                return AgendaReply(say.APPOINTMENT_GONE, intent="appointment_reschedule")
            appointment = appointment_reschedule(appointment=current, slot=slot, actor="customer")
        else:
            source = Appointment.Source.WAITLIST if purpose == WAITLIST else Appointment.Source.CHAT
            appointment = appointment_book(contact=turn.contact, slot=slot, source=source, actor="customer")
    except SlotTaken:
        query = query_load(data.get("query"), data.get("service_id"))
        return offer(turn, query, purpose=purpose, appointment_id=data.get("appointment_id"),
                     intro=say.SLOT_TAKEN, exclude={slot.key()})
    except CalendarRejected:
        log.warning("agenda_calendar_rejected", contact_id=turn.contact.pk)
        dialog_close(contact=turn.contact)
        return AgendaReply(say.CALENDAR_REJECTED)
    dialog_close(contact=turn.contact)
    return booked_reply(appointment, turn.tz, rescheduled=purpose == RESCHEDULE)


def booked_reply(appointment: Appointment, tz: str, *, rescheduled: bool = False) -> AgendaReply:
    template = say.RESCHEDULED if rescheduled else say.BOOKED
    lines = [template.format(what=_what(appointment, suffix=" — "), slot=say.slot_label(appointment.start, tz),
                             who=say.who(appointment.professional.name if appointment.professional else ""))]
    if address := _address():
        lines.append(say.ADDRESS.format(address=address))
    lines.append(say.AFTER_BOOKING)
    return AgendaReply("\n".join(lines), intent="appointment_reschedule" if rescheduled else "appointment_request")


# --- small helpers ---------------------------------------------------------------------------------

def _intent(purpose: str) -> str:
    return "appointment_reschedule" if purpose == RESCHEDULE else "appointment_request"


def appointment_line(appointment: Appointment, tz: str) -> str:
    names = _names(appointment)
    return f"{say.slot_label(appointment.start, tz)}{' — ' + names if names else ''}"


def _names(appointment: Appointment) -> str:
    parts = [appointment.service.name if appointment.service else "",
             appointment.professional.name if appointment.professional else ""]
    return " · ".join(p for p in parts if p)


def _what(appointment: Appointment, *, suffix: str = " de ") -> str:
    """"Limpeza de pele de " before a date; "" without a service ("cancelei terça...")."""
    return f"{appointment.service.name}{suffix}" if appointment.service else ""


def _service_name(service_id: int | None) -> str:
    if not service_id:
        return ""
    return Service.objects.filter(pk=service_id).values_list("name", flat=True).first() or ""


def _pro(slot: Slot) -> str:
    if not slot.professional_id:
        return ""
    return Professional.objects.filter(pk=slot.professional_id).values_list("name", flat=True).first() or ""


def _professional_names(slots: list[Slot]) -> dict[int, str]:
    ids = {s.professional_id for s in slots if s.professional_id}
    return dict(Professional.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _address() -> str:
    from conversations.models import KnowledgeItem

    return (KnowledgeItem.objects.filter(kind="address", is_active=True).values_list("answer", flat=True).first()
            or "")


def describe_query(query: SlotQuery) -> str:
    """" na terça, 01/12 à tarde": the wishes in words, for "não encontrei horários ..."."""
    parts = []
    if query.day:
        parts.append(f" em {say.WEEKDAY_NAMES[query.day.weekday()]}, {query.day:%d/%m}")
    elif query.weekdays:
        parts.append(" em " + " ou ".join(say.WEEKDAY_NAMES[d] for d in sorted(query.weekdays)))
    if query.exact_time:
        parts.append(f" às {query.exact_time:%H:%M}")
    elif query.time_from and query.time_to:
        parts.append(f" entre {query.time_from:%H:%M} e {query.time_to:%H:%M}")
    elif query.time_from:
        parts.append(f" depois das {query.time_from:%H:%M}")
    elif query.time_to:
        parts.append(f" antes das {query.time_to:%H:%M}")
    return "".join(parts)


def query_dump(query: SlotQuery) -> dict:
    """A SlotQuery as JSON for a dialog's data."""
    return {
        "day": query.day.isoformat() if query.day else None,
        "weekdays": sorted(query.weekdays),
        "time_from": query.time_from.isoformat() if query.time_from else None,
        "time_to": query.time_to.isoformat() if query.time_to else None,
        "exact_time": query.exact_time.isoformat() if query.exact_time else None,
        "not_before": query.not_before.isoformat() if query.not_before else None,
        "professional_id": query.professional_id,
    }


def query_load(data: dict | None, service_id: int | None = None) -> SlotQuery:
    data = data or {}
    day = data.get("day")
    return SlotQuery(
        service_id=service_id,
        professional_id=data.get("professional_id"),
        day=date.fromisoformat(day) if day else None,
        weekdays=frozenset(data.get("weekdays") or ()),
        time_from=time.fromisoformat(data["time_from"]) if data.get("time_from") else None,
        time_to=time.fromisoformat(data["time_to"]) if data.get("time_to") else None,
        exact_time=time.fromisoformat(data["exact_time"]) if data.get("exact_time") else None,
        not_before=datetime.fromisoformat(data["not_before"]) if data.get("not_before") else None,
        limit=OFFER_LIMIT,
    )


def new_agenda_intent(turn: Turn) -> bool:
    return turn.intent in _AGENDA_INTENTS
