"""Reading the customer's answer to an open agenda dialog, step by step.

Each handler returns None when the message is not an answer to its step (a question
about prices while choosing a slot): the dialog stays open and the engine answers.
"""

from __future__ import annotations

from dataclasses import replace

from agenda.chat import messages as say
from agenda.chat.flow import (
    BOOK,
    REBOOK,
    RESCHEDULE,
    WAITLIST,
    AgendaReply,
    Turn,
    book_start,
    booked_reply,
    cancel_ask,
    choose_slot,
    new_agenda_intent,
    offer,
    query_dump,
    query_load,
    reschedule_offer,
    slots_reply,
)
from agenda.chat.parse import (
    CANCEL,
    CONFIRM,
    parse_choice,
    parse_none_fits,
    parse_reminder_answer,
    parse_stop,
    parse_waitlist_request,
    parse_yes_no,
    slots_matching,
)
from agenda.models import Appointment, Dialog, FollowUp, Service, WaitlistEntry
from agenda.selectors import service_match
from agenda.services.dialogs import dialog_close, dialog_open
from agenda.types import Slot, SlotQuery

Step = Dialog.Step


def step_answer(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    if turn.handoff:
        # A person takes over; only an answer that must not be lost is recorded.
        if dialog.step == Step.FOLLOWUP:
            followup_answer(turn, dialog)
        return None
    handler = {
        Step.CHOOSING_SLOT: choosing_slot,
        Step.REBOOK_OFFER: choosing_slot,
        Step.CONFIRMING: confirming,
        Step.CHOOSING_APPOINTMENT: choosing_appointment,
        Step.CONFIRMING_CANCEL: confirming_cancel,
        Step.REMINDER: reminder,
        Step.FOLLOWUP: followup_answer,
        Step.WAITLIST_OFFER: waitlist_offer,
    }.get(dialog.step)
    return handler(turn, dialog) if handler else None


# --- choosing a slot (also the no-show's rebooking offer) -------------------------------------------

def choosing_slot(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    data = dict(dialog.data)
    if dialog.step == Step.REBOOK_OFFER:
        data.setdefault("purpose", REBOOK)
    if data.get("services"):
        return _choosing_service(turn, data)
    slots = [Slot.from_key(key) for key in data.get("slots", [])]
    purpose = data.get("purpose", BOOK)
    if slots and (number := parse_choice(turn.text, len(slots))):
        return choose_slot(turn, data, slots[number - 1])
    if parse_stop(turn.text):
        dialog_close(contact=turn.contact)
        return AgendaReply(say.REBOOK_DECLINED if purpose in (REBOOK, RESCHEDULE) else say.GIVE_UP)
    service = service_match(text=turn.text)
    service_id = service.pk if service else data.get("service_id")
    when = turn.when()
    if when is not None:
        matches = slots_matching(slots, when, tz=turn.tz) if service_id == data.get("service_id") else []
        if len(matches) == 1:
            return choose_slot(turn, data, matches[0])
        if len(matches) > 1:
            dialog_open(contact=turn.contact, step=Step.CHOOSING_SLOT,
                        data={**data, "purpose": purpose, "slots": [s.key() for s in matches]})
            return slots_reply("Qual destes?", matches, turn.tz)
        query = replace(when, service_id=service_id, limit=5)
        return offer(turn, query, purpose=purpose, appointment_id=data.get("appointment_id"), confirm_exact=True)
    if service is not None and service.pk != data.get("service_id"):
        query = query_load(data.get("query"), service.pk)
        return offer(turn, query, purpose=purpose, appointment_id=data.get("appointment_id"))
    if parse_waitlist_request(turn.text) and purpose != RESCHEDULE:
        return _waitlist_join(turn, data)
    if parse_none_fits(turn.text):
        dialog_open(contact=turn.contact, step=Step.CONFIRMING,
                    data={**data, "purpose": WAITLIST, "for": purpose, "slots": []})
        return AgendaReply(say.NONE_FITS)
    if parse_yes_no(turn.text) is False:
        dialog_close(contact=turn.contact)
        return AgendaReply(say.REBOOK_DECLINED if purpose in (REBOOK, RESCHEDULE) else say.GIVE_UP)
    return None


def _choosing_service(turn: Turn, data: dict) -> AgendaReply | None:
    ids = data["services"]
    number = parse_choice(turn.text, len(ids))
    service = Service.objects.filter(pk=ids[number - 1]).first() if number else service_match(text=turn.text)
    if service is None:
        if parse_stop(turn.text) or parse_yes_no(turn.text) is False:
            dialog_close(contact=turn.contact)
            return AgendaReply(say.GIVE_UP)
        return None
    when = turn.when()
    stored = query_load(data.get("query"))
    return book_start(turn, service=service, when=when if when is not None else stored)


# --- "posso confirmar?" and "quer entrar na lista de espera?" -----------------------------------------

def confirming(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    data = dict(dialog.data)
    purpose = data.get("purpose", BOOK)
    answer = parse_yes_no(turn.text)
    when = turn.when()
    if purpose == WAITLIST:
        if answer is True or parse_waitlist_request(turn.text):
            return _waitlist_join(turn, data)
        wanted_for = data.get("for", BOOK)
    else:
        wanted_for = purpose
        if answer is True:
            return choose_slot(turn, data, Slot.from_key(data["slot"]))
    if when is not None:
        service = service_match(text=turn.text)
        query = replace(when, service_id=service.pk if service else data.get("service_id"), limit=5)
        return offer(turn, query, purpose=wanted_for, appointment_id=data.get("appointment_id"), confirm_exact=True)
    if answer is False:
        if purpose == WAITLIST:
            dialog_close(contact=turn.contact)
            return AgendaReply(say.GIVE_UP)
        query = query_load(data.get("query"), data.get("service_id"))
        return offer(turn, replace(query, exact_time=None), purpose=wanted_for,
                     appointment_id=data.get("appointment_id"), intro=say.OFFER_AGAIN.format(what=""),
                     exclude={data["slot"]})
    if parse_stop(turn.text):
        dialog_close(contact=turn.contact)
        return AgendaReply(say.GIVE_UP)
    return None


def _waitlist_join(turn: Turn, data: dict) -> AgendaReply:
    from agenda.chat.flow import describe_query
    from agenda.services.waitlist import waitlist_join

    query = query_load(data.get("query"), data.get("service_id"))
    entry = waitlist_join(contact=turn.contact, query=query)
    dialog_close(contact=turn.contact)
    what = say.service_part(entry.service.name if entry.service else "")
    return AgendaReply(say.WAITLIST_JOINED.format(what=what, when=describe_query(query)))


# --- which appointment, and "confirma o cancelamento?" ---------------------------------------------

def choosing_appointment(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    data = dialog.data
    appointments = _active(data.get("appointment_ids", []))
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
            dialog_close(contact=turn.contact)
            return AgendaReply(say.GIVE_UP)
        return None
    if data.get("purpose") == "cancel":
        return cancel_ask(turn, chosen)
    return reschedule_offer(turn, chosen, when=SlotQuery())


def _active(ids: list[int]) -> list[Appointment]:
    rows = {a.pk: a for a in Appointment.objects.filter(pk__in=ids, status__in=Appointment.ACTIVE)
            .select_related("service", "professional")}
    return [rows[pk] for pk in ids if pk in rows]


def confirming_cancel(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    appointment = _appointment(dialog)
    if appointment is None:
        dialog_close(contact=turn.contact)
        return AgendaReply(say.APPOINTMENT_GONE)
    answer = parse_yes_no(turn.text)
    if answer is True or (answer is None and parse_reminder_answer(turn.text) == CANCEL):
        return cancel_now(turn, appointment)
    if parse_reminder_answer(turn.text) == "reschedule":
        return reschedule_offer(turn, appointment)
    if answer is False:
        dialog_close(contact=turn.contact)
        return AgendaReply(say.KEPT.format(slot=say.slot_label(appointment.start, turn.tz)))
    return None


def cancel_now(turn: Turn, appointment: Appointment) -> AgendaReply:
    from agenda.services.booking import appointment_cancel

    appointment_cancel(appointment=appointment, reason="Cancelado pelo cliente na conversa", actor="customer")
    dialog_close(contact=turn.contact)
    what = f"{appointment.service.name} de " if appointment.service else "o seu horário de "
    return AgendaReply(say.CANCELLED.format(what=what, slot=say.slot_label(appointment.start, turn.tz)),
                       intent="appointment_cancel")


def _appointment(dialog: Dialog) -> Appointment | None:
    return (Appointment.objects.filter(pk=dialog.data.get("appointment_id"), status__in=Appointment.ACTIVE)
            .select_related("service", "professional").first())


# --- answers to the automations -------------------------------------------------------------------

def reminder(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    """"1 confirmar / 2 remarcar / 3 cancelar", or in words."""
    from agenda.services.booking import InvalidTransition, appointment_confirm

    answer = parse_reminder_answer(turn.text)
    if answer is None:
        if parse_yes_no(turn.text) is False:
            return AgendaReply(say.REMINDER_WHICH, [("2", "Remarcar", ""), ("3", "Cancelar", "")],
                               body=say.REMINDER_WHICH)
        return None
    appointment = _appointment(dialog)
    if appointment is None:
        dialog_close(contact=turn.contact)
        return AgendaReply(say.APPOINTMENT_GONE)
    if answer == CONFIRM:
        try:
            appointment_confirm(appointment=appointment, actor="customer")
        except InvalidTransition:
            dialog_close(contact=turn.contact)
            return AgendaReply(say.APPOINTMENT_GONE)
        dialog_close(contact=turn.contact)
        who = say.who(appointment.professional.name if appointment.professional else "")
        return AgendaReply(say.REMINDER_CONFIRMED.format(slot=say.slot_label(appointment.start, turn.tz), who=who),
                           intent="appointment_confirm")
    if answer == CANCEL:
        return cancel_now(turn, appointment)
    return reschedule_offer(turn, appointment)


def followup_answer(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    """Any answer to "como foi?" is feedback — unless it is a new request or a question."""
    from agenda.services.followups import followup_answer_record

    if not turn.handoff and (new_agenda_intent(turn) or (turn.intent == "question" and "?" in turn.text)):
        return None
    followup = FollowUp.objects.filter(pk=dialog.data.get("followup_id")).first()
    dialog_close(contact=turn.contact)
    if followup is None:
        return None
    followup = followup_answer_record(followup=followup, text=turn.text)
    if followup.flagged or followup.sentiment == FollowUp.Sentiment.NEGATIVE:
        return AgendaReply(say.FOLLOWUP_NEGATIVE, intent="feedback")
    if followup.sentiment == FollowUp.Sentiment.POSITIVE:
        return AgendaReply(say.FOLLOWUP_THANKS, intent="feedback")
    return AgendaReply(say.FOLLOWUP_NEUTRAL, intent="feedback")


def waitlist_offer(turn: Turn, dialog: Dialog) -> AgendaReply | None:
    """A freed slot was offered: the first to accept books it."""
    from agenda.services.waitlist import waitlist_offer_accept, waitlist_offer_decline

    answer = parse_yes_no(turn.text)
    if answer is None and parse_choice(turn.text, 1) == 1:
        answer = True
    entry = WaitlistEntry.objects.filter(pk=dialog.data.get("entry_id")).select_related("service").first()
    if answer is None or entry is None:
        return None
    slot = Slot.from_key(dialog.data["slot"])
    if answer is False:
        waitlist_offer_decline(entry=entry)
        dialog_close(contact=turn.contact)
        return AgendaReply(say.WAITLIST_DECLINED)
    appointment = waitlist_offer_accept(entry=entry, slot=slot)
    if appointment is not None:
        dialog_close(contact=turn.contact)
        return booked_reply(appointment, turn.tz)
    query = SlotQuery(service_id=entry.service_id or slot.service_id, limit=5)
    data = {"purpose": BOOK, "service_id": query.service_id, "query": query_dump(query)}
    return offer(turn, query, purpose=data["purpose"], intro=f"{say.WAITLIST_TOO_LATE} Veja outros horários livres:",
                 exclude={slot.key()})
