"""Business hours in São Paulo time, with a lunch break and weekends."""

from datetime import UTC, datetime

import pytest

from conversations.assistant.engine.hours import (
    answer,
    breaks,
    closes_at,
    describe,
    describe_day,
    is_open,
    next_opening,
    when,
)

from .conftest import BUSINESS_HOURS, SP, at


@pytest.mark.parametrize(("moment", "open_"), [
    (at(hour=10), True),  # Wednesday morning
    (at(hour=7, minute=59), False),  # before opening
    (at(hour=8), True),  # opening minute
    (at(hour=12, minute=30), False),  # lunch break
    (at(hour=13), True),
    (at(hour=18), False),  # closing minute is closed
    (at(day=15, hour=10), True),  # Saturday morning
    (at(day=15, hour=14), False),  # Saturday afternoon
    (at(day=16, hour=10), False),  # Sunday
])
def test_is_open(moment, open_):
    assert is_open(BUSINESS_HOURS, moment) is open_


def test_the_clock_is_the_companys_not_utc():
    # 12:30 UTC is 09:30 in São Paulo (open); 21:30 UTC is 18:30 there (closed).
    assert is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 12, 30, tzinfo=UTC))
    assert not is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 21, 30, tzinfo=UTC))
    assert is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 21, 30, tzinfo=UTC), tz="Europe/Lisbon") is False
    assert is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 9, 30, tzinfo=UTC), tz="Europe/Lisbon")


def test_no_hours_set_means_always_open():
    assert is_open({}, at(day=16, hour=3))
    assert next_opening({}, at(day=16, hour=3)) == at(day=16, hour=3)
    assert describe({}) == ""


def test_next_opening():
    assert next_opening(BUSINESS_HOURS, at(hour=12, minute=30)) == at(hour=13)
    assert next_opening(BUSINESS_HOURS, at(hour=19)) == at(day=13, hour=8)
    assert next_opening(BUSINESS_HOURS, at(day=15, hour=13)) == at(day=17, hour=8)  # Saturday -> Monday
    assert next_opening(BUSINESS_HOURS, at(hour=10)) == at(hour=10)
    assert next_opening({"0": []}, at()) is None
    assert next_opening(BUSINESS_HOURS, at(hour=19)).tzinfo.key == SP.key


def test_when_says_it_in_portuguese():
    now = at(hour=19)
    assert when(at(hour=20), now) == "hoje às 20h"
    assert when(at(day=13, hour=8), now) == "amanhã às 8h"
    assert when(at(day=17, hour=8), now) == "na segunda-feira às 8h"
    assert when(at(day=15, hour=9, minute=30), now) == "no sábado às 9h30"


def test_describe_groups_days():
    hours = {str(d): [["08:00", "18:00"]] for d in range(5)} | {"5": [["08:00", "12:00"]]}
    assert describe(hours) == "segunda a sexta, das 8h às 18h; sábado, das 8h às 12h"
    assert describe(BUSINESS_HOURS).startswith("segunda a sexta, das 8h às 12h e das 13h às 18h;")
    assert describe({"0": [["9:00", "17:00"]], "2": [["9:00", "17:00"]], "4": [["9:00", "17:00"]]}) == (
        "segunda, quarta e sexta, das 9h às 17h")
    assert describe({str(d): [["00:00", "24:00"]] for d in range(7)}) == "todos os dias, 24 horas"


def test_malformed_entries_are_skipped():
    hours = {"0": [["08:00", "12:00"], ["xx", "yy"], ["13:00"]], "1": "nope"}
    assert describe(hours) == "segunda, das 8h às 12h"
    assert is_open(hours, at(day=10, hour=9))


def test_describe_day():
    assert describe_day(BUSINESS_HOURS, 5) == "sábado, das 8h às 12h"
    assert describe_day(BUSINESS_HOURS, 6) == "domingo: fechado"


@pytest.mark.parametrize(("question", "moment", "reply"), [
    ("vcs fecham pro almoço?", at(hour=10), "Sim, fechamos para o almoço das 12h às 13h (segunda a sexta)."),
    ("no sábado tem intervalo de almoço?", at(hour=10),
     "Não, não fechamos para o almoço: atendemos direto das 8h às 12h."),
    ("tao abertos agora??", at(hour=10), "Sim, estamos abertos agora, até as 12h."),
    ("ainda ta aberto?", at(hour=17, minute=40), "Sim, estamos abertos agora, até as 18h."),
    ("vcs tão abertos agora", at(hour=12, minute=20), "Agora estamos fechados; abrimos hoje às 13h."),
    ("ja abriu?", at(hour=7), "Agora estamos fechados; abrimos hoje às 8h."),
    ("está aberto agora?", at(day=15, hour=14), "Agora estamos fechados; abrimos na segunda-feira às 8h."),
    ("abre sabado", at(hour=10), "Sim, no sábado atendemos das 8h às 12h."),
    ("e domingo abre?", at(hour=10), "Não, no domingo não abrimos. Atendemos segunda a sábado."),
    ("que horas vcs abrem amanhã", at(hour=19), "Amanhã atendemos das 8h às 12h e das 13h às 18h."),
    ("hj funciona?", at(day=16, hour=9), "Não, hoje não abrimos. Atendemos segunda a sábado."),
    ("funciona fim de semana?", at(hour=10), "No fim de semana: no sábado das 8h às 12h; no domingo não abrimos."),
])
def test_answer_says_yes_or_no_from_the_hours(question, moment, reply):
    assert answer(BUSINESS_HOURS, question, moment) == reply


def test_a_day_without_a_break_is_answered_straight():
    straight = {str(d): [["08:00", "18:00"]] for d in range(5)}
    assert answer(straight, "fecha no horario de almoço?", at()) == (
        "Não, não fechamos para o almoço: atendemos direto das 8h às 18h.")


def test_holidays_are_not_guessed():
    reply = answer(BUSINESS_HOURS, "vcs abrem feriado?", at())
    assert reply.startswith("Não tenho aqui o calendário de feriados") and "chamo alguém da equipe" in reply
    assert answer(BUSINESS_HOURS, "e no feriado?", at(), holidays=["25/12", "01/01"]) == (
        "Nos feriados não abrimos (25/12, 01/01).")


def test_a_general_question_gets_the_week_and_when_we_are_back():
    reply = answer(BUSINESS_HOURS, "qual o horario de vcs?", at(hour=20))
    assert reply == ("Nosso horário de atendimento: segunda a sexta, das 8h às 12h e das 13h às 18h; sábado, das 8h "
                     "às 12h. No momento estamos fechados; voltamos amanhã às 8h.")


def test_closes_at_and_breaks():
    assert closes_at(BUSINESS_HOURS, at(hour=9)) == at(hour=12)
    assert closes_at(BUSINESS_HOURS, at(hour=12, minute=30)) is None
    assert breaks(BUSINESS_HOURS, 2) == [(720, 780)] and breaks(BUSINESS_HOURS, 5) == []
