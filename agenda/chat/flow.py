"""The agenda's part of a chat turn: booking, moving and cancelling, and answers to our automations.

`agenda_turn` is the agenda's turn handler (conversations/turns.py, registered in
AgendaConfig.ready()): it runs after the conversation engine has read the burst (its intent
comes in). It returns None when the agenda has nothing to do with the turn, and the engine's
reply stands. An open dialog (one dataclass per step in agenda/chat/dialog_state.py) says
how to read the next message; a message that does not fit the step (a question about
prices) leaves the dialog open for the next turn.

Answers to the automations (reminder, follow-up, rebooking offer, waitlist offer) are in
`agenda.chat.answers`; this module holds the booking conversation itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import structlog

from agenda.chat import messages as say
from agenda.chat.dialog_state import (
    ChoosingAppointment,
    ChoosingSlot,
    Confirming,
    ConfirmingCancel,
    Purpose,
    SlotQueryData,
)
from agenda.chat.parse import parse_move_request, parse_other_day, parse_when, query_is_empty, slots_matching
from agenda.models import Appointment, CalendarConfig, Professional, Service, WorkingHours
from agenda.selectors import appointments_upcoming, service_match, services_active
from agenda.services.booking import InvalidTransition, appointment_book, appointment_confirm, appointment_reschedule
from agenda.services.config import calendar_config
from agenda.services.dialogs import dialog_close, dialog_open
from agenda.services.slots import slots_find
from agenda.texts import appointment_variables, said, when_variables
from agenda.types import CalendarRejected, Slot, SlotQuery, SlotTaken
from conversations.turns import Intent, TurnReply
from secretaria.events import SlotsOffered, publish
from secretaria.ptbr import brl
from secretaria.settings_cache import cached

log = structlog.get_logger(__name__)
OFFER_LIMIT = 5
_AGENDA_INTENTS = (Intent.APPOINTMENT_REQUEST, Intent.APPOINTMENT_RESCHEDULE, Intent.APPOINTMENT_CANCEL)


@dataclass(frozen=True)
class Turn:
    """The engine's turn as the agenda reads it: the burst as one text, in the company's timezone."""

    contact: object
    text: str
    intent: Intent
    now: datetime
    tz: str
    handoff: bool = False
    service_id: int | None = None  # the service the conversation is about, as the engine read it

    def when(self) -> SlotQuery | None:
        return parse_when(self.text, now=self.now, tz=self.tz)

    def said(self, slot: str, **variables: object) -> str:
        """The company's text for the template `slot` (agenda/texts.py), to this turn's contact."""
        return said(slot, contact=self.contact, seed=f"{self.contact.pk}:{self.now.timestamp():.0f}", **variables)


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

def start(turn: Turn) -> TurnReply | None:
    if wants_move(turn):
        return reschedule_start(turn)
    if turn.intent == Intent.APPOINTMENT_CANCEL:
        return cancel_start(turn)
    if turn.intent == Intent.APPOINTMENT_RESCHEDULE:
        return reschedule_start(turn)
    if turn.intent == Intent.APPOINTMENT_CONFIRM:
        return confirm_start(turn)
    service = service_match(text=turn.text) or _service_hinted(turn.service_id)
    when = turn.when()
    # "se vagar um horário me avisa": the free slots first; with none, the waitlist is offered.
    if turn.intent in (Intent.APPOINTMENT_REQUEST, Intent.WAITLIST) or (service is not None and when is not None):
        return book_start(turn, service=service, when=when)
    return None


def _service_hinted(service_id: int | None) -> Service | None:
    return Service.objects.filter(pk=service_id, is_active=True).first() if service_id else None


def confirm_start(turn: Turn) -> TurnReply | None:
    """"confirmo minha consulta de amanhã" with no reminder waiting: the next appointment is confirmed."""
    upcoming = appointments_upcoming(contact=turn.contact)
    if not upcoming:
        return TurnReply(turn.said("no_appointments"), Intent.APPOINTMENT_CONFIRM)
    appointment = upcoming[0]
    try:
        appointment_confirm(appointment=appointment, actor="customer")  # idempotent when already confirmed
    except InvalidTransition:
        return TurnReply(turn.said("appointment_gone"), Intent.APPOINTMENT_CONFIRM)  # cancelled meanwhile
    return TurnReply(turn.said("reminder_confirmed", **appointment_variables(appointment, turn.tz)),
                     Intent.APPOINTMENT_CONFIRM)


def wants_move(turn: Turn) -> bool:
    """"Surgiu um imprevisto, dá pra passar pra semana que vem?" moves the appointment, whatever the engine
    read (a cancellation, a question). Outside the agenda's intents only a customer with something to move."""
    if turn.intent == Intent.APPOINTMENT_RESCHEDULE or not parse_move_request(turn.text):
        return turn.intent == Intent.APPOINTMENT_RESCHEDULE
    return turn.intent in _AGENDA_INTENTS or bool(appointments_upcoming(contact=turn.contact))


def book_start(turn: Turn, *, service: Service | None, when: SlotQuery | None) -> TurnReply:
    if service is None:
        services = services_active()
        if len(services) == 1:
            service = services[0]
        elif len(services) > 1:
            return _ask_service(turn, services, when)
    query = replace(when or SlotQuery(), service_id=service.pk if service else None, limit=OFFER_LIMIT)
    return offer(turn, query, purpose=Purpose.BOOK, confirm_exact=True)


def _ask_service(turn: Turn, services: list[Service], when: SlotQuery | None) -> TurnReply:
    services = services[:10]
    dialog_open(contact=turn.contact, state=ChoosingSlot(services=tuple(s.pk for s in services),
                                                         query=SlotQueryData.of(when or SlotQuery())))
    options = tuple((f"service:{s.pk}", s.name[:24], _service_details(s)) for s in services)
    lines = [s.name for s in services]
    ask = turn.said("service_ask_waitlist" if turn.intent == Intent.WAITLIST else "service_ask")
    return TurnReply(say.numbered(ask, lines, turn.said("service_list_hint")), Intent.APPOINTMENT_REQUEST, options,
                     body=ask)


def _service_details(service: Service) -> str:
    parts = [f"{service.duration_minutes} min"]
    if service.price_cents:
        parts.append(brl(service.price_cents))
    return " · ".join(parts)


def reschedule_start(turn: Turn) -> TurnReply:
    upcoming = appointments_upcoming(contact=turn.contact)
    if not upcoming:
        return TurnReply(turn.said("no_appointments"), Intent.APPOINTMENT_RESCHEDULE)
    if len(upcoming) > 1:
        return choose_appointment(turn, upcoming, purpose=Purpose.RESCHEDULE)
    return reschedule_offer(turn, upcoming[0])


def cancel_start(turn: Turn) -> TurnReply:
    upcoming = appointments_upcoming(contact=turn.contact)
    if not upcoming:
        return TurnReply(turn.said("no_appointments"), Intent.APPOINTMENT_CANCEL)
    if len(upcoming) > 1:
        return choose_appointment(turn, upcoming, purpose=Purpose.CANCEL)
    return cancel_ask(turn, upcoming[0])


def choose_appointment(turn: Turn, appointments: list[Appointment], *, purpose: Purpose) -> TurnReply:
    """Which one to move or cancel (purpose RESCHEDULE or CANCEL)."""
    appointments = appointments[:10]
    dialog_open(contact=turn.contact, state=ChoosingAppointment(tuple(a.pk for a in appointments), purpose))
    cancelling = purpose == Purpose.CANCEL
    intro = turn.said("cancel_choose" if cancelling else "reschedule_choose")
    lines = [appointment_line(a, turn.tz) for a in appointments]
    options = tuple((f"appointment:{a.pk}", say.slot_title(a.start, turn.tz), _names(a)) for a in appointments)
    return TurnReply(say.numbered(intro, lines, turn.said("appointment_list_hint")),
                     Intent.APPOINTMENT_CANCEL if cancelling else Intent.APPOINTMENT_RESCHEDULE, options, body=intro)


def cancel_ask(turn: Turn, appointment: Appointment) -> TurnReply:
    dialog_open(contact=turn.contact, state=ConfirmingCancel(appointment.pk))
    return TurnReply(turn.said("cancel_ask", **appointment_variables(appointment, turn.tz)), Intent.APPOINTMENT_CANCEL)


def reschedule_offer(turn: Turn, appointment: Appointment, *, when: SlotQuery | None = None) -> TurnReply:
    when = when if when is not None else turn.when()
    query = replace(when or SlotQuery(), service_id=appointment.service_id, limit=OFFER_LIMIT)
    if query_is_empty(query) and parse_other_day(turn.text):
        # "Consigo trocar pra outro dia?": not the appointment's own day first.
        query = after_days(query, {say.local(appointment.start, turn.tz).date()}, turn.tz)
    intro = turn.said("reschedule_intro", **appointment_variables(appointment, turn.tz, no_service="o seu horário"))
    return offer(turn, query, purpose=Purpose.RESCHEDULE, appointment_id=appointment.pk, lead=intro)


# --- offering slots ------------------------------------------------------------------------------

def offer(turn: Turn, query: SlotQuery, *, purpose: Purpose, appointment_id: int | None = None,
          intro: str | None = None, lead: str = "", confirm_exact: bool = False,
          exclude: set[str] | None = None) -> TurnReply:
    """Find slots for the query (relaxing it when nothing fits) and offer them as a numbered list, after
    `lead` ("Vamos remarcar...") and `intro` (default: the slot list's intro).

    Nothing at all: offer the waitlist. One slot exactly as asked ("terça às 15h"): ask to confirm it.
    """
    open_day = next_open_day(query, turn)
    if open_day is not None:
        # "Tem no domingo?" on a closed day: say so and when it opens, then that day's slots.
        lead = joined(lead, _closed_note(turn, query))
        query = replace(query, day=open_day, weekdays=frozenset())
    slots, relaxed = _find(query, slots_find, exclude or set())
    if open_day is not None and intro is None and not relaxed:
        intro = turn.said("slot_list_open_day", data=f"{say.WEEKDAY_NAMES[open_day.weekday()]}, {open_day:%d/%m}")
    offered = ChoosingSlot(slots=tuple(slots), purpose=purpose, service_id=query.service_id,
                           query=SlotQueryData.of(query), appointment_id=appointment_id or None)
    service_name = _service_name(query.service_id)
    if not slots:
        dialog_open(contact=turn.contact, state=offered.asking_waitlist())
        text = turn.said("no_slots", servico=service_name, quando=describe_query(query))
        return TurnReply(joined(lead, text), _intent(purpose))
    _published(turn, offered, slots)
    first = slots[0]
    if confirm_exact and not relaxed and query.exact_time and query.day and slots_matching([first], query, tz=turn.tz):
        dialog_open(contact=turn.contact, state=offered.confirming(first))
        text = turn.said("slot_confirm_ask", **when_variables(first.start, turn.tz), profissional=_pro(first),
                         servico=service_name)
        return TurnReply(joined(lead, text), _intent(purpose))
    dialog_open(contact=turn.contact, state=offered)
    if intro is None:
        intro = turn.said("slot_list_near" if relaxed else "slot_list_intro", servico=service_name)
    return slots_reply(turn, joined(lead, intro), slots, intent=_intent(purpose))


def joined(*parts: str) -> str:
    """Sentences said in one message ("Tudo bem, não marquei aquele horário." + the next question)."""
    return " ".join(part for part in parts if part)


def _published(turn: Turn, offered: ChoosingSlot, slots: list[Slot]) -> None:
    """The funnel's "slots offered" step (analytics hears it): nothing else records an offer for good."""
    professionals = tuple(sorted({s.professional_id for s in slots if s.professional_id}))
    publish(SlotsOffered(contact_id=turn.contact.pk, purpose=str(offered.purpose), service_id=offered.service_id,
                         professional_ids=professionals, count=len(slots)))


def next_open_day(query: SlotQuery, turn: Turn) -> date | None:
    """The first day the business opens, when the customer asked only for days it is closed ("domingo")."""
    asked = {query.day.weekday()} if query.day else set(query.weekdays)
    open_days = open_weekdays(query.service_id)
    if not asked or not open_days or asked & open_days:
        return None
    day = query.day or say.local(turn.now, turn.tz).date()
    while day.weekday() not in open_days or (query.day is not None and day == query.day):
        day += timedelta(days=1)
    return day


def open_weekdays(service_id: int | None) -> set[int]:
    """The weekdays someone works (who does the service, when it is known); empty when the hours are not
    ours to know (a Cal.com calendar without working hours here)."""
    hours = WorkingHours.objects.filter(professional__is_active=True)
    if service_id and Service.objects.filter(pk=service_id, professionals__isnull=False).exists():
        hours = hours.filter(professional__services=service_id)
    return set(hours.values_list("weekday", flat=True))


def _closed_note(turn: Turn, query: SlotQuery) -> str:
    if query.day is not None:
        day = f"{say.on_weekday(query.day.weekday())} ({query.day:%d/%m})"
    else:
        day = " e ".join(say.on_weekday(d, plural=True) for d in sorted(query.weekdays))
    note = turn.said("closed_day", dia=day, dias_abertos=say.open_days_text(open_weekdays(query.service_id)))
    return note[:1].upper() + note[1:]


def after_days(query: SlotQuery, days: set[date], tz: str) -> SlotQuery:
    """The query from the day after `days` on ("só outro dia"): no date or exact time of those days."""
    first = datetime.combine(max(days) + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
    not_before = max(first, query.not_before) if query.not_before else first
    return replace(query, day=None, exact_time=None, not_before=not_before)


def slots_reply(turn: Turn, intro: str, slots: list[Slot], *, intent: Intent) -> TurnReply:
    tz, names = turn.tz, _professional_names(slots)
    lines = [f"{say.slot_label(s.start, tz)}{' — ' + names[s.professional_id] if s.professional_id in names else ''}"
             for s in slots]
    options = tuple((str(i), say.slot_title(s.start, tz), names.get(s.professional_id, ""))
                    for i, s in enumerate(slots, start=1))
    return TurnReply(say.numbered(intro, lines, turn.said("slot_list_hint")), intent, options, body=intro)


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


def choose_slot(turn: Turn, state: ChoosingSlot | Confirming, slot: Slot) -> TurnReply:
    """The customer picked a slot: book it (or move the appointment to it)."""
    purpose = state.purpose
    try:
        if purpose == Purpose.RESCHEDULE:
            current = Appointment.objects.filter(pk=state.appointment_id).first()
            if current is None or not current.is_active:
                dialog_close(contact=turn.contact)
                return TurnReply(turn.said("appointment_gone"), Intent.APPOINTMENT_RESCHEDULE)
            appointment = appointment_reschedule(appointment=current, slot=slot, actor="customer")
        else:
            source = Appointment.Source.WAITLIST if purpose == Purpose.WAITLIST else Appointment.Source.CHAT
            appointment = appointment_book(contact=turn.contact, slot=slot, source=source, actor="customer")
    except SlotTaken:
        return offer(turn, stored_query(state.query, state.service_id), purpose=purpose,
                     appointment_id=state.appointment_id, intro=turn.said("slot_taken"), exclude={slot.key()})
    except CalendarRejected:
        log.warning("agenda_calendar_rejected", contact_id=turn.contact.pk)
        dialog_close(contact=turn.contact)
        return TurnReply(turn.said("calendar_rejected"), Intent.APPOINTMENT_REQUEST)
    dialog_close(contact=turn.contact)
    return booked_reply(turn, appointment, rescheduled=purpose == Purpose.RESCHEDULE)


def booked_reply(turn: Turn, appointment: Appointment, *, rescheduled: bool = False) -> TurnReply:
    # "{servico} — {data}..." opens a line: a booking without a service still names one there.
    text = turn.said("reschedule_confirmation" if rescheduled else "booking_confirmation",
                     **appointment_variables(appointment, turn.tz, no_service="Atendimento"))
    return TurnReply(text, Intent.APPOINTMENT_RESCHEDULE if rescheduled else Intent.APPOINTMENT_REQUEST)


# --- small helpers ---------------------------------------------------------------------------------

def _intent(purpose: Purpose) -> Intent:
    return Intent.APPOINTMENT_RESCHEDULE if purpose == Purpose.RESCHEDULE else Intent.APPOINTMENT_REQUEST


def appointment_line(appointment: Appointment, tz: str) -> str:
    names = _names(appointment)
    return f"{say.slot_label(appointment.start, tz)}{' — ' + names if names else ''}"


def _names(appointment: Appointment) -> str:
    parts = [appointment.service.name if appointment.service else "",
             appointment.professional.name if appointment.professional else ""]
    return " · ".join(p for p in parts if p)


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


def describe_query(query: SlotQuery) -> str:
    """"em terça, 01/12 entre 13:00 e 18:00": the wishes in words, for "não encontrei horários ..."."""
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
    return "".join(parts).strip()


def stored_query(query: SlotQueryData | None, service_id: int | None) -> SlotQuery:
    """What the customer had asked for, to search again (another service, without a taken slot)."""
    return (query or SlotQueryData()).to_query(service_id=service_id, limit=OFFER_LIMIT)


def new_agenda_intent(turn: Turn) -> bool:
    return turn.intent in _AGENDA_INTENTS
