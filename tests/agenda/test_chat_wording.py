"""The booking chat read as customers write on WhatsApp (issue 15, agenda wording).

Same clinic and frozen clock as test_chat_flow.py: Monday 2 March 2026, 09:00 in São Paulo;
open Monday to Saturday, closed on Sunday; Juliana does the skin cleaning. The engine's intent
is given as it may come (a move read as a cancellation, a pick read as nothing): the agenda
decides on the words.
"""

from datetime import date, datetime

import pytest
from django.utils import timezone

from agenda.chat.dialog_state import ChoosingSlot, Confirming
from agenda.chat.handler import agenda_turn
from agenda.chat.parse import parse_choice, parse_move_request, parse_other_day, parse_when
from agenda.models import Appointment, Dialog
from agenda.services.dialogs import dialog_current
from conversations.turns import Intent, Turn
from tests.agenda import test_chat_flow as chat_flow
from tests.agenda.test_chat_flow import NOW, TZ, book, customer, local, offered, say, step

MONDAY = date(2026, 3, 2)


clinic = chat_flow.clinic  # the same fixture: the demo clinic on Monday 2 March, 09:00


# --- moving an appointment in everyday words --------------------------------------------------------

@pytest.mark.parametrize(("text", "intent"), [
    ("surgiu um imprevisto, dá pra passar pra semana que vem?", "appointment_cancel"),
    ("Surgiu um imprevisto aqui 😕 da pra passar pra semana q vem?", "question"),
    ("não vou conseguir ir quarta, consigo mudar pra semana que vem?", "appointment_cancel"),
    ("tem como jogar minha limpeza pra próxima semana?", "other"),
])
def test_moving_to_next_week_in_everyday_words_is_a_reschedule(clinic, text, intent):
    paula = customer()
    appointment = book(paula, clinic, 4, 10)

    reply = say(paula, text, intent)

    assert "Vamos remarcar" in reply.text and "cancelamento" not in reply.text
    state = dialog_current(contact=paula).state
    assert isinstance(state, ChoosingSlot) and state.appointment_id == appointment.pk
    assert all(local(s.start).date() >= date(2026, 3, 9) for s in state.slots)
    appointment.refresh_from_db()
    assert appointment.status in Appointment.ACTIVE


@pytest.mark.parametrize("text", ["consigo trocar pra outro dia?", "preciso mudar pra outro dia, pode ser?",
                                  "dá pra trocar o dia?"])
def test_asking_for_another_day_moves_without_offering_the_same_day_first(clinic, text):
    paula = customer()
    book(paula, clinic, 2, 15)

    reply = say(paula, text, "question")

    assert "Vamos remarcar" in reply.text
    assert offered(paula) and all(local(s.start).date() != MONDAY for s in offered(paula))


def test_a_reminder_answered_with_a_move_in_words_offers_new_slots(clinic):
    from agenda.services.reminders import reminders_plan

    paula = customer()
    appointment = book(paula, clinic, 3, 10)
    reminders_plan(appointment=appointment)
    from agenda.chat.dialog_state import ReminderAnswer
    from agenda.services.dialogs import dialog_open

    dialog_open(contact=paula, state=ReminderAnswer(appointment_id=appointment.pk,
                                                    reminder_id=appointment.reminders.first().pk))
    reply = say(paula, "oi, surgiu um imprevisto, tem como passar pra sexta?", "question")

    assert "Vamos remarcar" in reply.text
    assert {local(s.start).date() for s in offered(paula)} == {date(2026, 3, 6)}


# --- only another day ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["só outro dia", "hoje não dá", "tem outra data?", "prefiro outro dia",
                                  "outro dia, de manhã"])
def test_after_only_another_day_the_same_day_is_not_offered(clinic, text):
    paula = customer()
    say(paula, "Quero agendar uma limpeza de pele", "appointment_request")
    assert {local(s.start).date() for s in offered(paula)} == {MONDAY}

    reply = say(paula, text, "appointment_reschedule")

    assert step(paula) == Dialog.Step.CHOOSING_SLOT
    days = {local(s.start).date() for s in offered(paula)}
    assert days and MONDAY not in days, reply.text
    assert "Vamos remarcar" not in reply.text


def test_no_to_a_slot_asking_another_day_moves_to_the_next_day(clinic):
    paula = customer()
    say(paula, "Quero marcar limpeza de pele hoje às 15h", "appointment_request")
    assert step(paula) == Dialog.Step.CONFIRMING

    reply = say(paula, "não, nesse dia não consigo, outro dia")

    assert not Appointment.objects.filter(contact=paula).exists()
    assert local(offered(paula)[0].start).date() == date(2026, 3, 3), reply.text


# --- picking from the list in words ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number"), [
    ("fico com a terceira", 3), ("manda o 3 msm", 3), ("a segunda opção", 2), ("o primeiro", 1),
    ("vou querer a quarta opção, pfv", 4), ("bora no 2", 2), ("quero a 2ª", 2), ("pode ser o de número 5", 5),
    ("3️⃣", 3), ("a ultima", 5),
])
def test_a_pick_in_words_is_read(text, number):
    assert parse_choice(text, 5) == number


@pytest.mark.parametrize(("text", "number"), [
    ("fico com a terceira", 3), ("manda o 3 msm", 3), ("a segunda opção", 2), ("pode ser a das 15h", 5),
    ("o primeiro", 1), ("pode ser o das 11 entao", 2), ("vou de 4 msm", 4),
])
def test_picking_from_the_list_in_words_books_that_slot(clinic, text, number):
    paula = customer()
    say(paula, "Quero agendar uma limpeza de pele", "appointment_request")  # Monday 10, 11, 13, 14, 15
    slots = offered(paula)
    assert [local(s.start).hour for s in slots] == [10, 11, 13, 14, 15]

    reply = say(paula, text, "other")

    assert reply is not None and "Prontinho, agendado!" in reply.text
    assert Appointment.objects.get(contact=paula).start == slots[number - 1].start


# --- a greeting is not a part of the day --------------------------------------------------------------

@pytest.mark.parametrize("text", ["bom dia! gostaria de agendar", "boa tarde, queria marcar uma limpeza",
                                  "Boa noiteee, tem horário pra limpeza de pele?", "bdia, quero agendar"])
def test_a_greeting_with_a_time_word_is_not_a_preference(text):
    when = parse_when(text, now=NOW)
    assert when is None or (when.time_from, when.time_to) == (None, None)


def test_a_greeting_then_a_real_period_keeps_the_period():
    when = parse_when("boa noite! queria marcar amanhã de manhã", now=NOW)
    assert (when.day, when.time_from.hour, when.time_to.hour) == (date(2026, 3, 3), 8, 12)


def test_good_afternoon_asks_for_the_next_free_slots_of_any_period(clinic):
    paula = customer()
    say(paula, "boa tarde, queria marcar uma limpeza de pele", "appointment_request")
    assert local(offered(paula)[0].start) == datetime(2026, 3, 2, 10, tzinfo=TZ)


# --- a day the business is closed ----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["tem limpeza de pele no domingo?", "queria marcar limpeza de pele domingo às 10h",
                                  "limpeza de pele dia 8, dá?"])
def test_a_closed_day_is_said_closed_with_when_it_opens(clinic, text):
    paula = customer()

    reply = say(paula, text, "appointment_request")

    assert "não abrimos" in reply.text and "de segunda a sábado" in reply.text, reply.text
    assert "Não encontrei" not in reply.text
    assert step(paula) in (Dialog.Step.CHOOSING_SLOT, Dialog.Step.CONFIRMING)
    state = dialog_current(contact=paula).state
    slots = state.slots if isinstance(state, ChoosingSlot) else (state.slot,)
    assert {local(s.start).date() for s in slots} == {date(2026, 3, 9)}


# --- a pending booking is dropped, and said so, before another flow ---------------------------------

@pytest.mark.parametrize("text", ["quero remarcar", "na vdd quero remarcar a outra consulta", "preciso reagendar"])
def test_reschedule_while_a_confirmation_is_pending_does_not_book_it(clinic, text):
    paula = customer()
    existing = book(paula, clinic, 5, 10)
    say(paula, "Quero marcar limpeza de pele quarta às 15h", "appointment_request")
    assert isinstance(dialog_current(contact=paula).state, Confirming)

    reply = say(paula, text, "appointment_reschedule")

    assert list(Appointment.objects.filter(contact=paula)) == [existing]
    assert reply.text.startswith("Tudo bem, não marquei aquele horário.")
    assert "Vamos remarcar" in reply.text
    assert dialog_current(contact=paula).state.appointment_id == existing.pk


def test_cancel_while_a_list_is_pending_drops_it_and_asks_about_the_booked_one(clinic):
    paula = customer()
    existing = book(paula, clinic, 5, 10)
    say(paula, "Quero marcar limpeza de pele", "appointment_request")

    reply = say(paula, "ah nao, quero é cancelar a de quinta", "appointment_cancel")

    assert reply.text.startswith("Tudo bem, deixei aqueles horários de lado.")
    assert "Confirma o cancelamento" in reply.text
    assert list(Appointment.objects.filter(contact=paula)) == [existing]


def test_remarcar_with_nothing_booked_offers_other_times_for_the_pending_booking(clinic):
    paula = customer()
    say(paula, "Quero marcar limpeza de pele quarta às 15h", "appointment_request")

    reply = say(paula, "quero remarcar", "appointment_reschedule")

    assert not Appointment.objects.filter(contact=paula).exists()
    assert reply.text.startswith("Tudo bem, não marquei aquele horário.")
    assert offered(paula) and datetime(2026, 3, 4, 15, tzinfo=TZ) not in [local(s.start) for s in offered(paula)]


@pytest.mark.parametrize("text", ["quero cancelar", "pensando bem, cancela ela"])
def test_cancel_while_a_new_time_is_offered_for_a_move_asks_to_cancel_and_moves_nothing(clinic, text):
    paula = customer()
    existing = book(paula, clinic, 5, 10)
    say(paula, "preciso remarcar minha limpeza pra quarta às 15h", "appointment_reschedule")
    assert local(offered(paula)[0].start) == datetime(2026, 3, 4, 15, tzinfo=TZ)

    reply = say(paula, text, "appointment_cancel")

    assert reply.text.startswith("Tudo bem, não mudei o seu horário. Confirma o cancelamento")
    existing.refresh_from_db()
    assert local(existing.start) == datetime(2026, 3, 5, 10, tzinfo=TZ) and existing.status in Appointment.ACTIVE


def test_reschedule_while_the_waitlist_question_is_pending_does_not_join_it(clinic):
    from agenda.models import WaitlistEntry

    paula = customer()
    existing = book(paula, clinic, 5, 10)
    say(paula, "Quero marcar limpeza de pele domingo à noite", "appointment_request")
    say(paula, "nenhum serve")
    assert isinstance(dialog_current(contact=paula).state, Confirming)

    reply = say(paula, "quero é remarcar a de quinta", "appointment_reschedule")

    assert reply.text.startswith("Tudo bem, não coloquei você na lista de espera. Vamos remarcar")
    assert not WaitlistEntry.objects.filter(contact=paula).exists()
    assert dialog_current(contact=paula).state.appointment_id == existing.pk


# --- "sim" to a list -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["sim", "pode ser", "ok, quero", "👍"])
def test_yes_to_a_list_asks_which_one(clinic, text):
    paula = customer()
    say(paula, "Quero agendar uma limpeza de pele", "appointment_request")

    reply = say(paula, text, "other")

    assert reply is not None and "Qual deles" in reply.text and "1)" in reply.text
    assert "Combinado" not in reply.text
    assert not Appointment.objects.filter(contact=paula).exists()
    assert step(paula) == Dialog.Step.CHOOSING_SLOT


# --- a question about the services is the engine's ------------------------------------------------------

@pytest.mark.parametrize("opening", [None, "Quero agendar uma limpeza de pele", "queria marcar um horário",
                                     "Quero marcar limpeza de pele quarta às 15h"])
@pytest.mark.parametrize("text", ["o que vocês fazem aí?", "oq vcs fazem?", "quais serviços vocês têm?"])
def test_what_do_you_do_is_left_to_the_engine(clinic, opening, text):
    paula = customer()
    if opening:
        say(paula, opening, "appointment_request")
    before = step(paula)

    assert say(paula, text, "question") is None
    assert step(paula) == before


# --- the readings themselves -----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["surgiu um imprevisto, dá pra passar pra semana que vem?",
                                  "consigo trocar pra outro dia?", "preciso mudar meu horario",
                                  "tem como adiar?", "posso passar a consulta pra sexta?"])
def test_move_requests_are_read(text):
    assert parse_move_request(text)


@pytest.mark.parametrize("text", ["quanto custa a limpeza?", "vou passar aí amanhã pra pagar", "o que vocês fazem aí?",
                                  "posso pagar com cartão?", "quero marcar"])
def test_other_messages_are_not_moves(text):
    assert not parse_move_request(text)


@pytest.mark.parametrize("text", ["só outro dia", "hoje nao", "amanhã não posso", "tem outra data?"])
def test_other_day_is_read(text):
    assert parse_other_day(text)


# --- confirming, waiting and the service talked about (engine intents with no dialog open) ---------

def test_a_confirmation_in_words_confirms_the_next_appointment(clinic):
    paula = customer()
    appointment = book(paula, clinic, 4, 10)

    reply = say(paula, "confirmo minha limpeza de quarta", "appointment_confirm")

    assert "Obrigado por confirmar" in reply.text and "04/03" in reply.text
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert "Obrigado por confirmar" in say(paula, "confirmado!", "appointment_confirm").text  # idempotent


def test_a_confirmation_with_nothing_booked_says_so(clinic):
    reply = say(customer(), "pode confirmar meu horario", "appointment_confirm")
    assert "Não encontrei nenhum agendamento" in reply.text


def test_a_waitlist_wish_starts_from_the_free_slots(clinic):
    paula = customer()
    reply = say(paula, "se vagar uma limpeza de pele me avisa", "waitlist")
    assert step(paula) == Dialog.Step.CHOOSING_SLOT and offered(paula) and "1)" in reply.text


def test_a_waitlist_wish_without_a_service_says_what_happens(clinic):
    reply = say(customer(), "se alguem desmarcar me chama", "waitlist")
    assert "lista de espera" in reply.text and "Qual serviço" in reply.text


def test_the_service_the_engine_read_before_is_the_one_booked(clinic):
    paula = customer()
    reply = agenda_turn(Turn(contact=paula, conversation=None, texts=("quero marcar entao",),
                             intent=Intent.APPOINTMENT_REQUEST, now=timezone.now(),
                             service_id=clinic.service_id("Limpeza de pele")))
    assert "Limpeza de pele" in reply.text and step(paula) == Dialog.Step.CHOOSING_SLOT


def test_a_service_name_with_a_typo_is_found(clinic):
    paula = customer()
    reply = say(paula, "quero agendar uma limpesa de pele", "appointment_request")
    assert "Limpeza de pele" in reply.text and step(paula) == Dialog.Step.CHOOSING_SLOT


def test_a_confirmation_of_an_appointment_cancelled_meanwhile_says_it_is_gone(clinic, monkeypatch):
    from agenda.chat import flow
    from agenda.services.booking import InvalidTransition

    paula = customer()
    book(paula, clinic, 4, 10)

    def cancelled_under_the_lock(**_kwargs):
        raise InvalidTransition("Não é possível confirmar um agendamento cancelado.")

    monkeypatch.setattr(flow, "appointment_confirm", cancelled_under_the_lock)
    reply = say(paula, "confirmo minha limpeza", "appointment_confirm")
    assert "não está mais ativo" in reply.text
