"""Reading the customer's answer to an open agenda dialog, step by step.

Each handler returns None when the message is not an answer to its step (a question
about prices while choosing a slot): the dialog stays open and the engine answers.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agenda.chat import messages as say
from agenda.chat.dialog_state import (
    ChoosingAppointment,
    ChoosingSlot,
    Confirming,
    ConfirmingCancel,
    DialogState,
    FollowUpAnswer,
    Purpose,
    RebookOffer,
    ReminderAnswer,
    WaitlistOffer,
)
from agenda.chat.flow import (
    OFFER_LIMIT,
    Turn,
    after_days,
    book_start,
    booked_reply,
    cancel_ask,
    cancel_start,
    choose_slot,
    describe_query,
    joined,
    new_agenda_intent,
    offer,
    reschedule_offer,
    reschedule_start,
    slots_reply,
    stored_query,
)
from agenda.chat.parse import (
    CANCEL,
    CONFIRM,
    RESCHEDULE,
    clean,
    parse_cancel_request,
    parse_choice,
    parse_move_request,
    parse_none_fits,
    parse_other_day,
    parse_reminder_answer,
    parse_stop,
    parse_waitlist_request,
    parse_yes_no,
    slots_matching,
)
from agenda.models import Appointment, FollowUp, Service, WaitlistEntry
from agenda.selectors import appointments_upcoming, service_match
from agenda.services.booking import InvalidTransition, appointment_cancel, appointment_confirm
from agenda.services.dialogs import dialog_close, dialog_open
from agenda.services.followups import followup_answer_record
from agenda.services.reminders import reminder_answered
from agenda.services.waitlist import waitlist_join, waitlist_offer_accept, waitlist_offer_decline
from agenda.texts import appointment_variables
from agenda.types import Slot, SlotQuery
from conversations.turns import Intent, TurnReply


def step_answer(turn: Turn, state: DialogState) -> TurnReply | None:
    if turn.handoff:
        # A person takes over; only an answer that must not be lost is recorded.
        if isinstance(state, FollowUpAnswer):
            followup_answer(turn, state)
        return None
    if (switched := _switch(turn, state)) is not None:
        return switched
    match state:
        case ChoosingSlot():
            return choosing_slot(turn, state)
        case RebookOffer():
            return choosing_slot(turn, state.choosing())
        case Confirming():
            return confirming(turn, state)
        case ChoosingAppointment():
            return choosing_appointment(turn, state)
        case ConfirmingCancel():
            return confirming_cancel(turn, state)
        case ReminderAnswer():
            return reminder(turn, state)
        case FollowUpAnswer():
            return followup_answer(turn, state)
        case WaitlistOffer():
            return waitlist_offer(turn, state)
    return None


def _switch(turn: Turn, state: DialogState) -> TurnReply | None:
    """A pending new booking (a slot to confirm, a list) is dropped, and said so, before another flow starts:
    "quero remarcar" while "posso confirmar?" waits never books the slot."""
    if isinstance(state, RebookOffer):
        state = state.choosing()
    if not isinstance(state, ChoosingSlot | Confirming):
        return None
    if state.purpose == Purpose.RESCHEDULE and parse_cancel_request(turn.text) and state.appointment_id:
        # "Quero cancelar" while a new time is offered: cancel that appointment instead (asked first).
        dialog_close(contact=turn.contact)
        if (appointment := _appointment(state.appointment_id)) is None:
            return _close(turn, turn.said("appointment_gone"))
        asked = cancel_ask(turn, appointment)
        return replace(asked, text=joined(turn.said("reschedule_not_moved"), asked.text))
    if state.purpose not in (Purpose.BOOK, Purpose.REBOOK, Purpose.WAITLIST):
        return None
    if not _strong_move(turn.text) and not parse_cancel_request(turn.text):
        return None
    pending = state.slot if isinstance(state, Confirming) else None
    dropped = turn.said("booking_dropped_waitlist" if state.purpose == Purpose.WAITLIST
                        else "booking_dropped_slot" if pending else "booking_dropped_list")
    dialog_close(contact=turn.contact)
    if not appointments_upcoming(contact=turn.contact):
        if parse_cancel_request(turn.text):
            return TurnReply(joined(dropped, turn.said("booking_when_you_want")), Intent.APPOINTMENT_REQUEST)
        # Nothing booked to move: "remarcar" is another time for this booking.
        query = replace(stored_query(state.query, state.service_id), exact_time=None)
        purpose = (state.wanted_for or Purpose.BOOK) if state.purpose == Purpose.WAITLIST else state.purpose
        return offer(turn, query, purpose=purpose, appointment_id=state.appointment_id,
                     lead=dropped, exclude={pending.key()} if pending else set())
    started = reschedule_start(turn) if _strong_move(turn.text) else cancel_start(turn)
    return replace(started, text=joined(dropped, started.text))


_POSSESSIVE = re.compile(r"\b(meu|minha|o agendamento|a consulta|o horario marcado|a marcacao)\b")


def _strong_move(text: str) -> bool:
    """Moving an appointment already booked ("quero remarcar", "preciso passar minha consulta pra sexta");
    "passa pra semana que vem" alone, in a new booking, is another time for that booking."""
    norm = clean(text)
    return bool(re.search(r"\b(remarc\w*|reagend\w*|adiar)\b", norm)
                or (parse_move_request(text) and _POSSESSIVE.search(norm)))


def _close(turn: Turn, text: str, intent: Intent = Intent.APPOINTMENT_REQUEST) -> TurnReply:
    """Close the dialog with a last word ("tudo bem!", "esse agendamento não está mais ativo").

    Counted as a booking turn (APPOINTMENT_REQUEST) unless said otherwise: the conversation it ends was one.
    """
    dialog_close(contact=turn.contact)
    return TurnReply(text, intent)


# --- choosing a slot (also the no-show's rebooking offer) -------------------------------------------

def choosing_slot(turn: Turn, state: ChoosingSlot) -> TurnReply | None:
    if state.services:
        return _choosing_service(turn, state)
    if state.slots and (number := parse_choice(turn.text, len(state.slots))):
        return choose_slot(turn, state, state.slots[number - 1])
    if parse_stop(turn.text):
        return _declined(turn, state.purpose)
    service = service_match(text=turn.text)
    service_id = service.pk if service else state.service_id
    when = turn.when()
    offered_days = {say.local(s.start, turn.tz).date() for s in state.slots}
    if parse_other_day(turn.text) and (when is None or when.day is None or when.day in offered_days):
        return _other_day(turn, state, when, offered_days, service_id)
    if when is not None:
        return _choosing_when(turn, state, when, service_id)
    if service is not None and service.pk != state.service_id:
        return offer(turn, stored_query(state.query, service.pk), purpose=state.purpose,
                     appointment_id=state.appointment_id)
    if parse_waitlist_request(turn.text) and state.purpose != Purpose.RESCHEDULE:
        return _waitlist_join(turn, state)
    if parse_none_fits(turn.text):
        dialog_open(contact=turn.contact, state=state.asking_waitlist())
        return TurnReply(turn.said("none_fits"), Intent.APPOINTMENT_REQUEST)
    answer = parse_yes_no(turn.text)
    if answer is False:
        return _declined(turn, state.purpose)
    if answer is True and len(state.slots) == 1:
        return choose_slot(turn, state, state.slots[0])
    if answer is True and state.slots:
        # "Sim" to a list chooses nothing: ask which, never "combinado!" with nothing booked.
        return slots_reply(turn, turn.said("slot_list_which"), list(state.slots), intent=_intent_of(state.purpose))
    return None


def _intent_of(purpose: Purpose) -> Intent:
    return Intent.APPOINTMENT_RESCHEDULE if purpose == Purpose.RESCHEDULE else Intent.APPOINTMENT_REQUEST


def _other_day(turn: Turn, state: ChoosingSlot | Confirming, when: SlotQuery | None, days: set,
               service_id: int | None) -> TurnReply:
    """"Só outro dia" / "hoje não": from the day after the days offered (and the appointment's own day)."""
    if state.purpose == Purpose.RESCHEDULE and (current := _appointment(state.appointment_id or 0)):
        days = days | {say.local(current.start, turn.tz).date()}
    base = stored_query(state.query, service_id)
    if when is not None:
        base = replace(base, time_from=when.time_from, time_to=when.time_to, exact_time=when.exact_time,
                       weekdays=when.weekdays or base.weekdays)
    query = after_days(base, days or {say.local(turn.now, turn.tz).date()}, turn.tz)
    return offer(turn, query, purpose=state.purpose, appointment_id=state.appointment_id,
                 intro=turn.said("slot_list_other_day"))


def _choosing_when(turn: Turn, state: ChoosingSlot, when: SlotQuery, service_id: int | None) -> TurnReply:
    """A day or time instead of a number: one of the offered slots, or a new search."""
    matches = slots_matching(list(state.slots), when, tz=turn.tz) if service_id == state.service_id else []
    if len(matches) == 1:
        return choose_slot(turn, state, matches[0])
    if len(matches) > 1:
        dialog_open(contact=turn.contact, state=replace(state, slots=tuple(matches)))
        return slots_reply(turn, turn.said("slot_list_which_of_these"), matches, intent=Intent.APPOINTMENT_REQUEST)
    query = replace(when, service_id=service_id, limit=OFFER_LIMIT)
    return offer(turn, query, purpose=state.purpose, appointment_id=state.appointment_id, confirm_exact=True)


def _declined(turn: Turn, purpose: Purpose) -> TurnReply:
    return _close(turn, turn.said("rebook_declined" if purpose in (Purpose.REBOOK, Purpose.RESCHEDULE)
                                  else "booking_give_up"))


def _choosing_service(turn: Turn, state: ChoosingSlot) -> TurnReply | None:
    ids = state.services
    number = parse_choice(turn.text, len(ids))
    service = Service.objects.filter(pk=ids[number - 1]).first() if number else service_match(text=turn.text)
    if service is None:
        if parse_stop(turn.text) or parse_yes_no(turn.text) is False:
            return _close(turn, turn.said("booking_give_up"))
        return None
    when = turn.when()
    stored = stored_query(state.query, None)
    return book_start(turn, service=service, when=when if when is not None else stored)


# --- "posso confirmar?" and "quer entrar na lista de espera?" -----------------------------------------

def confirming(turn: Turn, state: Confirming) -> TurnReply | None:
    answer = parse_yes_no(turn.text)
    when = turn.when()
    if state.purpose == Purpose.WAITLIST:
        if answer is True or parse_waitlist_request(turn.text):
            return _waitlist_join(turn, state)
        wanted_for = state.wanted_for or Purpose.BOOK
    else:
        wanted_for = state.purpose
        slot_day = {say.local(state.slot.start, turn.tz).date()} if state.slot else set()
        if slot_day and parse_other_day(turn.text) and (when is None or when.day is None or when.day in slot_day):
            return _other_day(turn, state, when, slot_day, state.service_id)
        if answer is True and state.slot is not None:
            return choose_slot(turn, state, state.slot)
    if when is not None:
        service = service_match(text=turn.text)
        query = replace(when, service_id=service.pk if service else state.service_id, limit=OFFER_LIMIT)
        return offer(turn, query, purpose=wanted_for, appointment_id=state.appointment_id, confirm_exact=True)
    if answer is False:
        if state.purpose == Purpose.WAITLIST:
            return _close(turn, turn.said("booking_give_up"))
        query = stored_query(state.query, state.service_id)
        return offer(turn, replace(query, exact_time=None), purpose=wanted_for, appointment_id=state.appointment_id,
                     intro=turn.said("slot_list_again"), exclude={state.slot.key()} if state.slot else set())
    if parse_stop(turn.text):
        return _close(turn, turn.said("booking_give_up"))
    return None


def _waitlist_join(turn: Turn, state: ChoosingSlot | Confirming) -> TurnReply:
    query = stored_query(state.query, state.service_id)
    entry = waitlist_join(contact=turn.contact, query=query)
    dialog_close(contact=turn.contact)
    return TurnReply(turn.said("waitlist_joined", servico=entry.service.name if entry.service else "",
                               quando=describe_query(query)), Intent.WAITLIST)


# --- which appointment, and "confirma o cancelamento?" ---------------------------------------------

def choosing_appointment(turn: Turn, state: ChoosingAppointment) -> TurnReply | None:
    appointments = _active(state.appointment_ids)
    if not appointments:
        dialog_close(contact=turn.contact)
        return None
    chosen = None
    if number := parse_choice(turn.text, len(appointments)):
        chosen = appointments[number - 1]
    elif (when := turn.when()) is not None:
        starts = slots_matching([Slot(a.start, a.end) for a in appointments], when, tz=turn.tz)
        if len(starts) == 1:
            chosen = next(a for a in appointments if a.start == starts[0].start)
    if chosen is None:
        if parse_stop(turn.text) or parse_yes_no(turn.text) is False:
            return _close(turn, turn.said("booking_give_up"))
        return None
    if state.purpose == Purpose.CANCEL:
        return cancel_ask(turn, chosen)
    return reschedule_offer(turn, chosen, when=SlotQuery())


def _active(ids: tuple[int, ...]) -> list[Appointment]:
    rows = {a.pk: a for a in Appointment.objects.filter(pk__in=ids, status__in=Appointment.ACTIVE)
            .select_related("service", "professional")}
    return [rows[pk] for pk in ids if pk in rows]


def confirming_cancel(turn: Turn, state: ConfirmingCancel) -> TurnReply | None:
    appointment = _appointment(state.appointment_id)
    if appointment is None:
        return _close(turn, turn.said("appointment_gone"))
    answer = parse_yes_no(turn.text)
    if answer is True or (answer is None and parse_reminder_answer(turn.text) == CANCEL):
        return cancel_now(turn, appointment)
    if parse_reminder_answer(turn.text) == RESCHEDULE:
        return reschedule_offer(turn, appointment)
    if answer is False:
        return _close(turn, turn.said("cancel_kept", **appointment_variables(appointment, turn.tz)))
    return None


def cancel_now(turn: Turn, appointment: Appointment) -> TurnReply:
    appointment_cancel(appointment=appointment, reason="Cancelado pelo cliente na conversa", actor="customer")
    dialog_close(contact=turn.contact)
    variables = appointment_variables(appointment, turn.tz, no_service="o seu horário")
    return TurnReply(turn.said("cancel_confirmation", **variables), Intent.APPOINTMENT_CANCEL)


def _appointment(appointment_id: int) -> Appointment | None:
    return (Appointment.objects.filter(pk=appointment_id, status__in=Appointment.ACTIVE)
            .select_related("service", "professional").first())


# --- answers to the automations -------------------------------------------------------------------

def reminder(turn: Turn, state: ReminderAnswer) -> TurnReply | None:
    """"1 confirmar / 2 remarcar / 3 cancelar", or in words."""
    answer = parse_reminder_answer(turn.text)
    if answer is None:
        if parse_yes_no(turn.text) is False:
            which = turn.said("reminder_which")
            return TurnReply(which, Intent.APPOINTMENT_REQUEST, (("2", "Remarcar", ""), ("3", "Cancelar", "")),
                             body=which)
        return None
    appointment = _appointment(state.appointment_id)
    if appointment is None:
        return _close(turn, turn.said("appointment_gone"))
    reminder_answered(reminder_id=state.reminder_id, appointment=appointment, answer=answer)
    if answer == CONFIRM:
        try:
            appointment_confirm(appointment=appointment, actor="customer")
        except InvalidTransition:
            return _close(turn, turn.said("appointment_gone"))
        dialog_close(contact=turn.contact)
        return TurnReply(turn.said("reminder_confirmed", **appointment_variables(appointment, turn.tz)),
                         Intent.APPOINTMENT_CONFIRM)
    if answer == CANCEL:
        return cancel_now(turn, appointment)
    return reschedule_offer(turn, appointment)


def followup_answer(turn: Turn, state: FollowUpAnswer) -> TurnReply | None:
    """Any answer to "como foi?" is feedback — unless it is a new request or a question."""
    if not turn.handoff and (new_agenda_intent(turn) or (turn.intent != Intent.FEEDBACK and "?" in turn.text)):
        return None
    followup = FollowUp.objects.filter(pk=state.followup_id).first()
    dialog_close(contact=turn.contact)
    if followup is None:
        return None
    followup = followup_answer_record(followup=followup, text=turn.text)
    if followup.flagged or followup.sentiment == FollowUp.Sentiment.NEGATIVE:
        return TurnReply(turn.said("followup_negative"), Intent.FEEDBACK)
    if followup.sentiment == FollowUp.Sentiment.POSITIVE:
        return TurnReply(turn.said("followup_thanks"), Intent.FEEDBACK)
    return TurnReply(turn.said("followup_neutral"), Intent.FEEDBACK)


def waitlist_offer(turn: Turn, state: WaitlistOffer) -> TurnReply | None:
    """A freed slot was offered: the first to accept books it."""
    answer = parse_yes_no(turn.text)
    if answer is None and parse_choice(turn.text, 1) == 1:
        answer = True
    entry = WaitlistEntry.objects.filter(pk=state.entry_id).select_related("service").first()
    if answer is None or entry is None:
        return None
    if answer is False:
        waitlist_offer_decline(entry=entry)
        return _close(turn, turn.said("waitlist_declined"), Intent.WAITLIST)
    appointment = waitlist_offer_accept(entry=entry, slot=state.slot)
    if appointment is not None:
        dialog_close(contact=turn.contact)
        return booked_reply(turn, appointment)
    # Someone accepted first: the next free slots of the same service instead.
    query = SlotQuery(service_id=entry.service_id or state.slot.service_id, limit=OFFER_LIMIT)
    return offer(turn, query, purpose=Purpose.BOOK, intro=turn.said("waitlist_too_late"), exclude={state.slot.key()})
