"""Reading customers' answers in Portuguese, on a fixed clock: Thursday 26/11/2026, 10:00 in São Paulo."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from agenda.chat.messages import slot_title
from agenda.chat.parse import (
    CANCEL,
    CONFIRM,
    RESCHEDULE,
    parse_choice,
    parse_none_fits,
    parse_reminder_answer,
    parse_stop,
    parse_waitlist_request,
    parse_when,
    parse_yes_no,
    slots_matching,
)
from agenda.types import Slot, SlotQuery

SP = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SP)  # a Thursday
THU, FRI, SAT = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)
MON, TUE, WED = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)


def at(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


WHEN = [
    # text, expected fields (everything else empty)
    ("terça às 15h", {"day": TUE, "exact_time": at(15)}),
    ("Terça-feira, 15:00", {"day": TUE, "exact_time": at(15)}),
    ("amanhã de manhã", {"day": FRI, "time_from": at(8), "time_to": at(12)}),
    ("amanhã pela manhã", {"day": FRI, "time_from": at(8), "time_to": at(12)}),
    ("qualquer horário depois das 17h", {"time_from": at(17)}),
    ("dia 12 à tarde", {"day": date(2026, 12, 12), "time_from": at(12), "time_to": at(18)}),
    ("semana que vem", {"not_before": datetime(2026, 11, 30, tzinfo=SP)}),
    ("sexta 9h30", {"day": FRI, "exact_time": at(9, 30)}),
    ("hoje à noite", {"day": THU, "time_from": at(18), "time_to": at(21)}),
    ("depois de amanhã", {"day": SAT}),
    ("às 3 da tarde", {"exact_time": at(15)}),
    ("às 3", {"exact_time": at(15)}),
    ("às 9 da manhã", {"exact_time": at(9)}),
    ("amanhã às 9 e meia", {"day": FRI, "exact_time": at(9, 30)}),
    ("meio-dia", {"exact_time": at(12)}),
    ("antes das 10h", {"time_to": at(10)}),
    ("até as 11", {"time_to": at(11)}),
    ("a partir das 14h na terça", {"day": TUE, "time_from": at(14)}),
    ("depois das 5", {"time_from": at(17)}),
    ("entre 14h e 16h", {"time_from": at(14), "time_to": at(16)}),
    ("das 9 às 11", {"time_from": at(9), "time_to": at(11)}),
    ("à tarde depois das 15h", {"time_from": at(15), "time_to": at(18)}),
    ("segunda ou quarta de manhã", {"weekdays": frozenset({0, 2}), "time_from": at(8), "time_to": at(12)}),
    ("no fim de semana", {"weekdays": frozenset({5, 6})}),
    ("dia de semana à noite", {"weekdays": frozenset(range(5)), "time_from": at(18), "time_to": at(21)}),
    ("terça da semana que vem", {"day": TUE}),
    ("quinta que vem às 14:30", {"day": date(2026, 12, 3), "exact_time": at(14, 30)}),
    ("próxima quinta", {"day": date(2026, 12, 3)}),
    ("quinta", {"day": THU}),
    ("sábado", {"day": SAT}),
    ("02/12", {"day": WED}),
    ("26/11", {"day": THU}),  # today is not next year's
    ("26 de novembro às 15h", {"day": THU, "exact_time": at(15)}),
    ("25/11", {"day": date(2027, 11, 25)}),
    ("10/01/2027", {"day": date(2027, 1, 10)}),
    ("Qua, 02/12 às 15:00", {"day": WED, "exact_time": at(15)}),  # our own list row title
    ("15/01", {"day": date(2027, 1, 15)}),
    ("12 de dezembro", {"day": date(2026, 12, 12)}),
    ("dia 5 de janeiro às 10h", {"day": date(2027, 1, 5), "exact_time": at(10)}),
    ("dia 20", {"day": date(2026, 12, 20)}),  # the 20th of this month has passed
    ("daqui a 3 dias", {"day": date(2026, 11, 29)}),
    ("mês que vem", {"not_before": datetime(2026, 12, 1, tzinfo=SP)}),
    ("fim da tarde", {"time_from": at(16), "time_to": at(18)}),
    ("bem cedo", {"time_from": at(8), "time_to": at(10)}),
    ("tem horário na sexta às 16h?", {"day": FRI, "exact_time": at(16)}),
    ("quero marcar para amanhã 14h", {"day": FRI, "exact_time": at(14)}),
    ("qualquer horário", {}),
    ("o quanto antes", {}),
]


@pytest.mark.parametrize(("text", "expected"), WHEN, ids=[w[0] for w in WHEN])
def test_date_and_time_expressions_become_a_slot_query(text, expected):
    assert parse_when(text, now=NOW) == SlotQuery(**expected)


@pytest.mark.parametrize("text", ["quanto custa a limpeza?", "2", "obrigada!", "oi, tudo bem?", "mais tarde eu vejo",
                                  "quero marcar uma consulta", "opção 3"])
def test_text_without_a_date_or_time_is_not_a_query(text):
    assert parse_when(text, now=NOW) is None


def test_dates_follow_the_company_timezone():
    # 01:00 UTC on Friday is still Thursday evening in São Paulo: "amanhã" is Friday.
    late = datetime(2026, 11, 27, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert parse_when("amanhã", now=late).day == FRI
    assert parse_when("amanhã", now=late, tz="Asia/Tokyo").day == date(2026, 11, 28)


CHOICES = [
    ("2", 2), ("2.", 2), ("2️⃣", 2), ("#3", 3), ("opção 3", 3), ("a opção 1", 1), ("quero o 1º", 1),
    ("a segunda", 2), ("a segunda opção", 2), ("o segundo", 2), ("primeira", 1), ("a terceira por favor", 3),
    ("pode ser a 3 por favor", 3), ("fico com o 4", 4), ("a última", 5), ("número 5", 5), ("2a", 2),
    ("vou querer a 1", 1), ("o 2 mesmo", 2),
    # not a choice: out of range, a weekday, a time, words
    ("6", None), ("0", None), ("15", None), ("segunda", None), ("na segunda", None), ("segunda-feira", None),
    ("o das 15h", None), ("terça", None), ("sim", None), ("quanto custa o 2?", None), ("", None),
]


@pytest.mark.parametrize(("text", "expected"), CHOICES, ids=[c[0] or "empty" for c in CHOICES])
def test_a_number_from_the_offered_list(text, expected):
    assert parse_choice(text, 5) == expected


def test_a_weekday_ordinal_beyond_the_list_is_not_a_choice():
    assert parse_choice("a sexta", 3) is None  # "a sexta" with three options is Friday
    assert parse_choice("a sexta", 6) == 6


YES_NO = [
    ("sim", True), ("Sim!", True), ("s", True), ("pode ser", True), ("pode sim", True), ("confirmo", True),
    ("claro", True), ("ok", True), ("beleza", True), ("isso mesmo", True), ("👍", True), ("✅", True),
    ("quero sim", True), ("fechado", True), ("pode marcar", True),
    ("não", False), ("nao", False), ("Não, obrigada", False), ("melhor não", False), ("não quero", False),
    ("agora não", False), ("n", False), ("deixa", False),
    ("talvez", None), ("quanto custa?", None), ("", None),
]


@pytest.mark.parametrize(("text", "expected"), YES_NO, ids=[y[0] or "empty" for y in YES_NO])
def test_yes_and_no(text, expected):
    assert parse_yes_no(text) is expected


REMINDER = [
    ("1", CONFIRM), ("2", RESCHEDULE), ("3", CANCEL), ("1️⃣", CONFIRM), ("3 - cancelar", CANCEL),
    ("opção 2", RESCHEDULE),
    ("confirmo", CONFIRM), ("Confirmado!", CONFIRM), ("vou sim", CONFIRM), ("sim, estarei lá", CONFIRM),
    ("pode contar comigo", CONFIRM), ("👍", CONFIRM), ("ok", CONFIRM),
    ("preciso remarcar", RESCHEDULE), ("dá pra mudar o horário?", RESCHEDULE), ("quero reagendar", RESCHEDULE),
    ("não vou poder ir, preciso remarcar", RESCHEDULE), ("tem outro dia?", RESCHEDULE),
    ("cancela", CANCEL), ("quero cancelar", CANCEL), ("não vou poder ir", CANCEL), ("não vou conseguir ir", CANCEL),
    ("desmarca por favor", CANCEL), ("não posso", CANCEL),
    ("não", None), ("não confirmo", None), ("quanto custa?", None), ("15h", None), ("", None),
]


@pytest.mark.parametrize(("text", "expected"), REMINDER, ids=[r[0] or "empty" for r in REMINDER])
def test_reminder_answers(text, expected):
    assert parse_reminder_answer(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("nenhum serve", True), ("Nenhum desses", True), ("não posso nesses horários", True),
    ("esses não dão", True), ("tem outros horários?", True), ("mais opções", True), ("nenhuma", True),
    ("o 2", False), ("sim", False),
])
def test_none_of_the_slots_fits(text, expected):
    assert parse_none_fits(text) is expected


def test_giving_up_and_asking_for_the_waitlist():
    assert parse_stop("deixa pra lá") and parse_stop("depois eu vejo") and parse_stop("Desisti")
    assert not parse_stop("quero a 2") and not parse_stop("não")
    assert parse_waitlist_request("me coloca na lista de espera") and parse_waitlist_request("me avisa se abrir")
    assert not parse_waitlist_request("quero a 2")


def slot(day: date, hour: int, minute: int = 0) -> Slot:
    start = datetime.combine(day, time(hour, minute), tzinfo=SP)
    return Slot(start, start.replace(hour=hour + 1))


def test_an_expression_picks_among_the_offered_slots():
    offered = [slot(FRI, 9), slot(FRI, 15), slot(TUE, 15), slot(TUE, 16, 30)]

    def pick(text):
        return slots_matching(offered, parse_when(text, now=NOW))

    assert pick("o de terça às 15h") == [offered[2]]
    assert pick("o das 15h") == [offered[1], offered[2]]
    assert pick("sexta de manhã") == [offered[0]]
    assert pick("depois das 16h") == [offered[3]]
    assert pick("sábado") == []


def test_a_list_row_title_reads_back_as_its_slot():
    """On Meta the customer taps a row and we receive its title: it must lead back to the slot."""
    offered = [slot(FRI, 9), slot(TUE, 15), slot(WED, 15)]
    for chosen in offered:
        assert slots_matching(offered, parse_when(slot_title(chosen.start, "America/Sao_Paulo"), now=NOW)) == [chosen]
