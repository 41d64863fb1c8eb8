"""Booking, moving and cancelling inside the chat, and the answers to reminders and follow-ups.

Service-level conversations with `agenda_turn` on the demo clinic's built-in calendar, on a
frozen clock: Monday 2 March 2026, 09:00 in São Paulo. The clinic: Dra. Helena Prado
(Mon–Sat 8–12, Mon–Fri 13–18), Dra. Marina Costa, and Juliana, who does the skin cleaning
(Limpeza de pele, 60 min).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.chat.dialog_state import FollowUpAnswer, RebookOffer, ReminderAnswer
from agenda.chat.handler import agenda_turn
from agenda.models import Appointment, Dialog, FollowUp, Reminder, WaitlistEntry
from agenda.services.booking import appointment_book
from agenda.services.config import calendar_config_forget
from agenda.services.dialogs import dialog_current, dialog_open
from agenda.services.reminders import reminders_plan
from agenda.types import Slot
from conversations.channels.services import channel_configure
from conversations.models import Contact, KnowledgeItem
from conversations.turns import Intent, Turn
from tests.conversations.factories import ContactFactory

TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # Monday
ADDRESS = "Rua das Acácias, 120, sala 304 — Vila Mariana, São Paulo (SP)."


@pytest.fixture
def clinic(demo_calendar, time_machine):
    time_machine.move_to(NOW, tick=False)
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        KnowledgeItem.objects.create(kind="address", title="Endereço", answer=ADDRESS)
        yield demo_calendar
    calendar_config_forget()


def customer(phone: str = "5511999990001", name: str = "Paula Lima") -> Contact:
    return ContactFactory(phone=phone, name=name)


def say(contact: Contact, text: str, intent: str = "other", *, handoff: bool = False):
    """The agenda's answer to one message, as the reply pipeline asks it. Every reply carries an Intent member."""
    reply = agenda_turn(Turn(contact=contact, conversation=None, texts=(text,), intent=Intent(intent),
                             now=timezone.now(), handoff=handoff))
    assert reply is None or isinstance(reply.intent, Intent)
    return reply


def step(contact: Contact) -> str | None:
    dialog = dialog_current(contact=contact)
    return dialog.state.step if dialog else None


def offered(contact: Contact) -> list[Slot]:
    return list(dialog_current(contact=contact).state.slots)


def local(moment: datetime) -> datetime:
    return moment.astimezone(TZ)


def book(contact: Contact, clinic, day: int, hour: int, service: str = "Limpeza de pele") -> Appointment:
    start = datetime(2026, 3, day, hour, tzinfo=TZ)
    minutes = 60 if service == "Limpeza de pele" else 40
    return appointment_book(contact=contact, slot=Slot(start, start + timedelta(minutes=minutes),
                                                       clinic.service_id(service)), source="chat")


# --- booking ------------------------------------------------------------------------------------

def test_a_request_offers_the_next_free_slots_and_a_number_books_one(clinic):
    paula = customer()

    reply = say(paula, "Oi! Quero agendar uma limpeza de pele", "appointment_request")

    assert step(paula) == Dialog.Step.CHOOSING_SLOT
    slots = offered(paula)
    assert len(slots) == len(reply.options) == 5
    assert local(slots[0].start) == datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # one hour of notice
    assert "1) segunda, 02/03 às 10:00 — Juliana (esteticista)" in reply.text
    assert reply.options[0] == ("1", "Seg, 02/03 às 10:00", "Juliana (esteticista)")

    reply = say(paula, "a segunda")

    appointment = Appointment.objects.get(contact=paula)
    assert appointment.start == slots[1].start
    assert (appointment.service.name, appointment.professional.name) == ("Limpeza de pele", "Juliana (esteticista)")
    assert (appointment.source, appointment.status) == ("chat", "pending")
    assert "Prontinho, agendado!" in reply.text
    assert "Limpeza de pele — segunda, 02/03 às 11:00 com Juliana (esteticista)" in reply.text
    assert ADDRESS in reply.text
    assert step(paula) is None
    assert Reminder.objects.filter(appointment=appointment, state="pending").exists()


def test_without_a_service_the_customer_chooses_one_then_says_when(clinic):
    paula = customer()

    reply = say(paula, "queria marcar um horário", "appointment_request")
    assert "Qual serviço" in reply.text and len(reply.options) == 4

    reply = say(paula, "limpeza")
    assert "Limpeza de pele" in reply.text and step(paula) == Dialog.Step.CHOOSING_SLOT

    reply = say(paula, "amanhã de manhã")  # nothing offered fits: the list is asked again
    slots = offered(paula)
    assert slots and all(local(s.start).date() == datetime(2026, 3, 3).date() and 8 <= local(s.start).hour < 12
                         for s in slots)
    assert "terça, 03/03 às 08:00" in reply.text


def test_an_exact_day_and_time_is_confirmed_before_booking(clinic):
    paula = customer()

    reply = say(paula, "Quero marcar limpeza de pele quarta às 15h")

    assert step(paula) == Dialog.Step.CONFIRMING
    assert reply.text.startswith("Tenho quarta, 04/03 às 15:00 com Juliana (esteticista)")
    say(paula, "pode ser")
    assert local(Appointment.objects.get(contact=paula).start) == datetime(2026, 3, 4, 15, tzinfo=TZ)


def test_an_expression_that_matches_one_offered_slot_books_it(clinic):
    paula = customer()
    say(paula, "quero agendar limpeza de pele", "appointment_request")

    say(paula, "o das 13h")

    assert local(Appointment.objects.get(contact=paula).start).hour == 13


def test_a_slot_taken_meanwhile_is_apologised_for_and_fresh_slots_offered(clinic):
    paula, joao = customer(), customer("5511999990002", "João")
    say(paula, "quero agendar limpeza de pele", "appointment_request")
    first = offered(paula)[0]
    appointment_book(contact=joao, slot=first, source="chat")

    reply = say(paula, "1")

    assert "acabou de ser preenchido" in reply.text
    assert first not in offered(paula) and len(offered(paula)) == 5
    assert not Appointment.objects.filter(contact=paula).exists()
    say(paula, "1")
    assert Appointment.objects.get(contact=paula).start == offered_start_after(first)


def offered_start_after(slot: Slot) -> datetime:
    return slot.start + timedelta(hours=1)


def test_a_question_in_the_middle_is_left_to_the_engine_and_the_offer_stays(clinic):
    paula = customer()
    say(paula, "quero agendar limpeza de pele", "appointment_request")

    assert say(paula, "Quanto custa? Aceitam Pix?", "question") is None
    assert step(paula) == Dialog.Step.CHOOSING_SLOT
    say(paula, "3")
    assert Appointment.objects.filter(contact=paula).count() == 1


def test_no_good_slot_leads_to_the_waitlist(clinic):
    paula = customer()
    say(paula, "quero agendar limpeza de pele", "appointment_request")

    reply = say(paula, "nenhum serve")
    assert "lista de espera" in reply.text and step(paula) == Dialog.Step.CONFIRMING

    reply = say(paula, "sim")

    entry = WaitlistEntry.objects.get(contact=paula)
    assert (entry.state, entry.service.name) == ("waiting", "Limpeza de pele")
    assert "lista de espera" in reply.text and step(paula) is None


def test_a_wish_no_calendar_can_meet_offers_the_waitlist_with_the_preferences(clinic):
    paula = customer()

    reply = say(paula, "quero agendar limpeza de pele domingo à noite", "appointment_request")

    # Closed on Sundays, and nobody works evenings: it says so, and offers the nearest slots from Monday on.
    assert reply.text.startswith("No domingo (08/03) não abrimos — atendemos de segunda a sábado.")
    assert "Não encontrei exatamente" in reply.text
    say(paula, "me coloca na lista de espera")
    entry = WaitlistEntry.objects.get(contact=paula)
    assert entry.preferences == {"time_from": "18:00", "time_to": "21:00"}
    assert local(entry.not_before).date() == datetime(2026, 3, 9).date()


def test_giving_up_closes_the_dialog(clinic):
    paula = customer()
    say(paula, "quero agendar limpeza de pele", "appointment_request")

    reply = say(paula, "deixa pra lá")

    assert "Quando quiser marcar" in reply.text and step(paula) is None


def test_a_company_without_a_calendar_leaves_booking_to_the_engine(acme):
    with schema_context(acme.schema_name):
        calendar_config_forget()
        assert say(customer(), "quero agendar uma consulta", "appointment_request") is None


def test_an_unrelated_message_without_dialog_is_not_the_agendas(clinic):
    assert say(customer(), "Vocês aceitam cartão?", "question") is None


# --- rescheduling and cancelling -------------------------------------------------------------------

def test_rescheduling_the_only_appointment_offers_slots_and_moves_it(clinic):
    paula = customer()
    old = book(paula, clinic, 4, 10)

    reply = say(paula, "preciso remarcar para quinta à tarde", "appointment_reschedule")

    assert reply.text.startswith("Vamos remarcar Limpeza de pele de quarta, 04/03 às 10:00")
    assert all(local(s.start).day == 5 and local(s.start).hour >= 12 for s in offered(paula))
    reply = say(paula, "1")

    old.refresh_from_db()
    new = old.rescheduled_to
    assert old.status == "rescheduled" and new.status == "pending"
    assert local(new.start) == datetime(2026, 3, 5, 13, tzinfo=TZ)
    assert "Prontinho, remarcado!" in reply.text


def test_cancelling_the_only_appointment_asks_to_confirm(clinic):
    paula = customer()
    appointment = book(paula, clinic, 4, 10)

    reply = say(paula, "quero cancelar meu horário", "appointment_cancel")
    assert reply.text == "Confirma o cancelamento de Limpeza de pele de quarta, 04/03 às 10:00? (sim/não)"

    reply = say(paula, "sim")

    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert not appointment.reminders.filter(state="pending").exists()
    assert reply.text.startswith("Pronto, cancelei Limpeza de pele de quarta, 04/03 às 10:00")


def test_with_several_appointments_the_customer_picks_one_and_may_keep_it(clinic):
    paula = customer()
    book(paula, clinic, 4, 10)
    second = book(paula, clinic, 6, 15, service="Consulta dermatológica")

    reply = say(paula, "preciso desmarcar", "appointment_cancel")
    assert "1) quarta, 04/03 às 10:00 — Limpeza de pele · Juliana (esteticista)" in reply.text
    assert reply.options[1][0] == f"appointment:{second.pk}"

    reply = say(paula, "o de sexta")
    assert "Consulta dermatológica de sexta, 06/03 às 15:00" in reply.text
    reply = say(paula, "não")

    assert "mantive" in reply.text
    assert Appointment.objects.filter(contact=paula, status="pending").count() == 2


def test_nothing_to_cancel(clinic):
    reply = say(customer(), "quero cancelar", "appointment_cancel")
    assert "Não encontrei nenhum agendamento" in reply.text


# --- answers to the automations --------------------------------------------------------------------

def reminder_dialog(contact: Contact, appointment: Appointment) -> None:
    reminder = reminders_plan(appointment=appointment)[0]
    dialog_open(contact=contact, state=ReminderAnswer(appointment_id=appointment.pk, reminder_id=reminder.pk))


@pytest.mark.parametrize("answer", ["1", "confirmo", "vou sim 👍"])
def test_confirming_from_a_reminder(clinic, answer):
    paula = customer()
    appointment = book(paula, clinic, 4, 10)
    reminder_dialog(paula, appointment)

    reply = say(paula, answer)

    appointment.refresh_from_db()
    assert appointment.status == "confirmed" and appointment.confirmed_at
    assert reply.text.startswith("Obrigado por confirmar! Te esperamos quarta, 04/03 às 10:00")


@pytest.mark.parametrize("answer", ["3", "não vou poder ir", "cancela"])
def test_cancelling_from_a_reminder_cancels_its_pending_reminders(clinic, answer):
    paula = customer()
    appointment = book(paula, clinic, 4, 10)
    reminder_dialog(paula, appointment)

    say(paula, answer)

    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert not Reminder.objects.filter(appointment=appointment, state="pending").exists()


def test_rescheduling_from_a_reminder_and_a_bare_no(clinic):
    paula = customer()
    appointment = book(paula, clinic, 4, 10)
    reminder_dialog(paula, appointment)

    reply = say(paula, "não")
    assert "remarcar ou cancelar" in reply.text and appointment.status == "pending"
    say(paula, "2")
    assert step(paula) == Dialog.Step.CHOOSING_SLOT
    say(paula, "2")

    appointment.refresh_from_db()
    assert appointment.status == "rescheduled" and appointment.rescheduled_to.status == "pending"


def followup_for(contact: Contact, clinic) -> FollowUp:
    appointment = Appointment.objects.create(
        contact=contact, service_id=clinic.service_id("Limpeza de pele"), start=NOW - timedelta(days=1),
        end=NOW - timedelta(days=1) + timedelta(hours=1), status="attended")
    followup = FollowUp.objects.create(appointment=appointment, due_at=NOW - timedelta(hours=2), state="sent")
    dialog_open(contact=contact, state=FollowUpAnswer(followup_id=followup.pk))
    return followup


def test_a_followup_answer_is_recorded_and_thanked(clinic):
    paula = customer()
    followup = followup_for(paula, clinic)

    reply = say(paula, "Foi ótimo, adorei! Nota 10")

    followup.refresh_from_db()
    assert (followup.state, followup.score, followup.sentiment, followup.flagged) == ("answered", 10, "positive", False)
    assert "obrigado" in reply.text.lower() and step(paula) is None


def test_a_negative_followup_is_flagged_and_the_team_will_call(clinic):
    paula = customer()
    followup = followup_for(paula, clinic)

    reply = say(paula, "Não gostei, a pele ficou irritada. Nota 3")

    followup.refresh_from_db()
    assert followup.flagged and followup.sentiment == "negative"
    assert "nossa equipe" in reply.text


def test_a_followup_answer_the_engine_hands_off_is_still_recorded(clinic):
    paula = customer()
    followup = followup_for(paula, clinic)

    reply = say(paula, "Péssimo, horrível", "complaint", handoff=True)

    followup.refresh_from_db()
    assert reply is None  # the engine's handoff answer stands
    assert followup.state == "answered" and followup.flagged


def test_a_rebooking_offer_after_a_no_show_books_the_chosen_slot(clinic):
    paula = customer()
    missed = Appointment.objects.create(contact=paula, service_id=clinic.service_id("Limpeza de pele"),
                                        start=NOW - timedelta(days=3), end=NOW - timedelta(days=3, hours=-1),
                                        status="no_show")
    start = datetime(2026, 3, 3, 14, tzinfo=TZ)
    slots = [Slot(start, start + timedelta(hours=1), clinic.service_id("Limpeza de pele")),
             Slot(start + timedelta(hours=1), start + timedelta(hours=2), clinic.service_id("Limpeza de pele"))]
    dialog_open(contact=paula, state=RebookOffer(appointment_id=missed.pk, slots=tuple(slots),
                                                 service_id=clinic.service_id("Limpeza de pele")))

    reply = say(paula, "pode ser o 2")

    booked = Appointment.objects.get(contact=paula, status="pending")
    assert booked.start == slots[1].start and "agendado" in reply.text


def test_a_calendar_that_cannot_be_reached_gets_an_apology(calcom_acme, calcom_server, time_machine):
    time_machine.move_to(NOW, tick=False)
    calcom_server.fail_next(503, times=10)
    with schema_context(calcom_acme.schema):
        calendar_config_forget()
        paula = customer()

        reply = say(paula, "quero agendar uma limpeza de pele", "appointment_request")

        assert "não consegui acessar a agenda" in reply.text
        assert not Appointment.objects.exists()
    calendar_config_forget()


# --- the intent of every reply ----------------------------------------------------------------------

def _nothing(contact: Contact, clinic) -> None:
    pass


def _one_appointment(contact: Contact, clinic) -> None:
    book(contact, clinic, 4, 10)


def _reminder(contact: Contact, clinic) -> None:
    reminder_dialog(contact, book(contact, clinic, 4, 10))


def _followup(contact: Contact, clinic) -> None:
    followup_for(contact, clinic)


REQUEST, RESCHEDULE, CANCEL = Intent.APPOINTMENT_REQUEST, Intent.APPOINTMENT_RESCHEDULE, Intent.APPOINTMENT_CANCEL
# (what is there before, [(message, the engine's intent, the intent of the agenda's reply)...])
SCRIPTS = {
    "booking": (_nothing, [("quero agendar limpeza de pele", "appointment_request", REQUEST), ("1", "other", REQUEST)]),
    "which service, then giving up": (_nothing, [("queria marcar um horário", "appointment_request", REQUEST),
                                                 ("deixa pra lá", "other", REQUEST)]),
    "the waitlist": (_nothing, [("quero agendar limpeza de pele", "appointment_request", REQUEST),
                                ("nenhum serve", "other", REQUEST), ("sim", "other", Intent.WAITLIST)]),
    "rescheduling": (_one_appointment, [("preciso remarcar", "appointment_reschedule", RESCHEDULE),
                                        ("1", "other", RESCHEDULE)]),
    "cancelling": (_one_appointment, [("quero cancelar", "appointment_cancel", CANCEL), ("sim", "other", CANCEL)]),
    "a reminder confirmed": (_reminder, [("1", "other", Intent.APPOINTMENT_CONFIRM)]),
    "a reminder declined": (_reminder, [("não", "other", REQUEST), ("3", "other", CANCEL)]),
    "a follow-up answered": (_followup, [("Foi ótimo, adorei! Nota 10", "other", Intent.FEEDBACK)]),
}


@pytest.mark.parametrize("before, script", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_every_reply_carries_an_intent_member(clinic, before, script):
    paula = customer()
    before(paula, clinic)

    for text, engine_intent, intent in script:
        reply = say(paula, text, engine_intent)
        # Intent is a StrEnum: a plain string would compare equal, so the type is checked too.
        assert isinstance(reply.intent, Intent) and reply.intent == intent, text
