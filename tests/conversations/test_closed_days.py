"""Holidays and days off are closed days in the offline assistant's answers (issue 15).

The hours are a clinic's: Monday to Friday 8–12 and 13–18, Saturday 8–12. The dates are
fixed: 2026-12-25 (Natal) is a Friday, 2027-02-08/09 (Carnaval) a Monday and a Tuesday.
"""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.assistant.closed_days import brazil_holidays, closed_days_ahead
from conversations.assistant.engine.context import EngineContext, ProfileData
from conversations.assistant.engine.hours import answer, closes_at, is_open, next_opening, when
from conversations.assistant.engine.local import compose
from conversations.assistant.models import CompanyProfile
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import Message
from tests.conftest import host_of, member

SP = ZoneInfo("America/Sao_Paulo")
HOURS = {str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)} | {"5": [["08:00", "12:00"]]}
CHRISTMAS_EVE = datetime(2026, 12, 24, 19, 0, tzinfo=SP)  # Thursday evening, after closing


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SP)


def holidays_between(first: date, last: date, state: str = "") -> dict[date, str]:
    return brazil_holidays(first=first, last=last, state=state)


YEAR_END = holidays_between(date(2026, 12, 1), date(2027, 1, 31))
CARNAVAL = holidays_between(date(2027, 2, 1), date(2027, 2, 28))


def test_the_calendar_names_brazils_holidays_in_portuguese():
    spring = holidays_between(date(2027, 2, 1), date(2027, 4, 30))

    assert spring == {
        date(2027, 2, 8): "Carnaval",
        date(2027, 2, 9): "Carnaval",
        date(2027, 3, 26): "Sexta-feira Santa",
        date(2027, 4, 21): "Tiradentes",
    }  # Ash Wednesday closes only the morning: not a closed day
    assert YEAR_END == {date(2026, 12, 25): "Natal", date(2027, 1, 1): "Confraternização Universal"}


def test_a_state_adds_its_own_holidays_and_no_state_means_national_only():
    july = (date(2026, 7, 1), date(2026, 7, 31))
    april = (date(2026, 4, 22), date(2026, 4, 30))

    assert holidays_between(*july, state="SP") == {date(2026, 7, 9): "Revolução Constitucionalista"}
    assert holidays_between(*july) == {}
    assert holidays_between(*april, state="RJ") == {date(2026, 4, 23): "São Jorge"}
    assert holidays_between(*april, state="XX") == {}  # an unknown state: national only


def test_christmas_eve_evening_next_opening_skips_christmas():
    assert next_opening(HOURS, CHRISTMAS_EVE, closed_days=YEAR_END) == at(2026, 12, 26, 8)
    assert next_opening(HOURS, CHRISTMAS_EVE) == at(2026, 12, 25, 8)  # without the calendar, as before


def test_a_holiday_is_closed_whatever_the_weekday_hours_say():
    christmas_morning = at(2026, 12, 25, 10)

    assert not is_open(HOURS, christmas_morning, closed_days=YEAR_END)
    assert closes_at(HOURS, christmas_morning, closed_days=YEAR_END) is None
    assert is_open(HOURS, christmas_morning)
    assert is_open(HOURS, at(2026, 12, 24, 10), closed_days=YEAR_END)


def test_a_recess_of_two_weeks_is_skipped_and_the_date_is_said():
    recess = {date(2026, 12, 19) + timedelta(days=offset): "recesso" for offset in range(16)}  # 19/12 to 03/01
    friday = at(2026, 12, 18, 19)

    opening = next_opening(HOURS, friday, closed_days=recess)

    assert opening == at(2027, 1, 4, 8)
    assert when(opening, friday) == "na segunda-feira, 04/01, às 8h"


@pytest.mark.parametrize(("question", "moment", "closed", "reply"), [
    ("tão abertos amanhã?", CHRISTMAS_EVE, YEAR_END,
     "Não, amanhã (25/12, Natal) não abrimos. Abrimos de novo no sábado às 8h."),
    ("vcs abrem segunda?", at(2027, 2, 5), CARNAVAL,
     "Não, na segunda (08/02, Carnaval) não abrimos. Abrimos de novo na quarta-feira às 8h."),
    ("tão abertos hoje?", at(2026, 12, 25, 9), YEAR_END,
     "Não, hoje (25/12, Natal) não abrimos. Abrimos de novo amanhã às 8h."),
    ("tão abertos agora?", at(2026, 12, 25, 9), YEAR_END, "Hoje não abrimos (Natal); abrimos amanhã às 8h."),
    ("qual o horário de vcs?", at(2027, 1, 1, 9), YEAR_END,
     "Nosso horário de atendimento: segunda a sexta, das 8h às 12h e das 13h às 18h; sábado, das 8h às 12h. "
     "Hoje não abrimos (Confraternização Universal); voltamos amanhã às 8h."),
    ("abre sábado?", at(2026, 12, 24), YEAR_END, "Sim, no sábado atendemos das 8h às 12h."),
    ("e domingo abre?", at(2026, 12, 24), YEAR_END, "Não, no domingo não abrimos. Atendemos segunda a sábado."),
])
def test_day_questions_say_the_holiday_and_when_we_open_again(question, moment, closed, reply):
    assert answer(HOURS, question, moment, closed_days=closed) == reply


def test_abrem_feriado_lists_the_next_holidays_and_says_closed():
    reply = answer(HOURS, "vcs abrem feriado?", at(2026, 12, 6), closed_days=YEAR_END)

    assert reply == ("Não, nos feriados não abrimos. Próximos dias fechados: sexta-feira, 25/12 (Natal) e "
                     "sexta-feira, 01/01 (Confraternização Universal).")


def test_abrem_feriado_for_a_company_that_opens_on_holidays_names_only_its_days_off():
    recess = {date(2026, 12, 31): "Recesso de fim de ano"}
    text = "abre no feriado?"

    assert answer(HOURS, text, at(2026, 12, 6), closed_days=recess, opens_on_holidays=True) == (
        "Sim, nos feriados atendemos no horário normal: segunda a sexta, das 8h às 12h e das 13h às 18h; "
        "sábado, das 8h às 12h. Só não abrimos: quinta-feira, 31/12 (Recesso de fim de ano).")
    assert answer(HOURS, text, at(2026, 12, 6), closed_days={}, opens_on_holidays=False).startswith(
        "Não, nos feriados não abrimos, mas não há nenhum feriado nos próximos dias")


@pytest.mark.usefixtures("company_texts")
def test_the_out_of_hours_notice_says_the_opening_after_the_holiday():
    profile = ProfileData(business_hours=HOURS)
    ctx = EngineContext(company_name="Clínica", profile=profile, texts=["quero falar com um atendente"],
                        now=CHRISTMAS_EVE, closed_days=YEAR_END)

    draft = compose(ctx)

    assert draft.handoff
    assert "Nossa equipe volta no sábado às 8h" in draft.text
    assert "amanhã" not in draft.text


def test_the_window_holds_national_holidays_unless_the_company_opens_on_them(acme):
    with schema_context("acme"):
        closes = closed_days_ahead(profile=ProfileData(business_hours=HOURS), now=at(2026, 12, 6))
        opens = closed_days_ahead(profile=CompanyProfile(business_hours=HOURS, opens_on_holidays=True),
                                  now=at(2026, 12, 6))
        in_sao_paulo = closed_days_ahead(profile=CompanyProfile(business_hours=HOURS, state="SP"),
                                         now=at(2026, 6, 20))

    assert closes == YEAR_END  # 05/12 to 05/02: Carnaval (08/02) is past the 60 days
    assert opens == {}
    assert in_sao_paulo == {date(2026, 7, 9): "Revolução Constitucionalista"}


@pytest.fixture
def acme_answers(acme, settings):
    settings.DEBOUNCE_SECONDS = 0
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        CompanyProfile.objects.update_or_create(singleton=1, defaults={"business_hours": HOURS})
        yield acme


def ask(text: str, id: str) -> str:
    message = inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=id, sender="5511912340000", sender_name="Paula Lima",
        kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
    conversation_reply(contact_id=message.contact_id)
    return Message.objects.filter(contact_id=message.contact_id, direction="out").latest("id").text


def test_the_reply_pipeline_says_christmas_is_closed(acme_answers, time_machine):
    time_machine.move_to(CHRISTMAS_EVE, tick=False)

    reply = ask("vcs tão abertos amanhã?", "cd1")

    assert "Não, amanhã (25/12, Natal) não abrimos. Abrimos de novo no sábado às 8h." in reply


def test_the_reply_pipeline_reads_the_holiday_setting_of_the_profile(acme_answers, time_machine):
    time_machine.move_to(at(2026, 12, 6), tick=False)
    CompanyProfile.objects.filter(singleton=1).update(opens_on_holidays=True)

    reply = ask("vcs abrem feriado?", "cd2")

    assert "Sim, nos feriados atendemos no horário normal" in reply


@pytest.mark.parametrize(("question", "moment", "reply"), [
    ("vcs abrem no carnaval?", at(2027, 2, 1),
     "Não, não abrimos em 08/02 e 09/02 (Carnaval). Abrimos de novo na quarta-feira, 10/02, às 8h."),
    ("e no natal abre?", at(2026, 12, 6),
     "Não, não abrimos na sexta-feira, 25/12 (Natal). Abrimos de novo no sábado, 26/12, às 8h."),
])
def test_a_holiday_named_in_the_question_is_answered_with_its_dates(question, moment, reply):
    assert answer(HOURS, question, moment, closed_days=YEAR_END | CARNAVAL) == reply


@pytest.mark.parametrize(("text", "said"), [
    ("oi, vcs abrem no carnaval?", "não abrimos em 08/02 e 09/02 (Carnaval)"),
    ("vcs abrem feriado?", "Próximos dias fechados: segunda-feira, 08/02 (Carnaval) e terça-feira, 09/02 (Carnaval)."),
    ("tão abertos segunda?", "Não, na segunda (08/02, Carnaval) não abrimos."),
])
@pytest.mark.usefixtures("company_texts")
def test_the_engine_answers_hours_questions_with_the_closed_days(text, said):
    ctx = EngineContext(company_name="Clínica", profile=ProfileData(business_hours=HOURS), texts=[text],
                        now=at(2027, 2, 5), closed_days=CARNAVAL)

    assert said in compose(ctx).text


def test_a_manager_who_says_the_company_opens_on_holidays_changes_the_next_answer(
        acme_answers, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(at(2026, 12, 6), tick=False)
    assert ask("vcs abrem feriado?", "cd3").startswith("Não, nos feriados não abrimos")
    profile = CompanyProfile.objects.get(singleton=1)
    manager = Client(HTTP_HOST=host_of(acme_answers))
    manager.force_login(member(acme_answers, "manager"))

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/admin/conversations/companyprofile/{profile.pk}/change/", {
            "assistant_name": "Ana", "formality": "neutral", "business_hours": json.dumps(HOURS),
            "opens_on_holidays": "on", "state": "SP", "handoff_timeout_minutes": 15, "_save": "Salvar"})

    assert response.status_code == 302
    with schema_context("acme"):
        assert CompanyProfile.objects.values_list("opens_on_holidays", "state").get() == (True, "SP")
        assert ask("e no feriado, abre?", "cd4").startswith("Sim, nos feriados atendemos no horário normal")


@pytest.mark.parametrize(("question", "moment", "reply"), [
    ("vcs abrem dia 25?", at(2026, 12, 6),
     "Não, no dia 25/12 (Natal) não abrimos. Abrimos de novo no sábado, 26/12, às 8h."),
    ("abre dia 26/12?", at(2026, 12, 6), "Sim, no dia 26/12 atendemos das 8h às 12h."),
    ("funciona dia 1º?", at(2026, 12, 20),
     "Não, no dia 01/01 (Confraternização Universal) não abrimos. Abrimos de novo no sábado, 02/01, às 8h."),
    ("dia 27 vcs abrem?", at(2026, 12, 6), "Não, no dia 27/12 não abrimos. Atendemos segunda a sábado."),
])
def test_a_day_of_the_month_is_answered_with_the_calendar(question, moment, reply):
    assert answer(HOURS, question, moment, closed_days=YEAR_END) == reply


def test_the_weekend_answer_warns_of_a_closed_saturday():
    recess = {date(2027, 1, 2): "Recesso"}

    assert answer(HOURS, "funciona fim de semana?", at(2026, 12, 30), closed_days=recess) == (
        "No fim de semana: no sábado das 8h às 12h; no domingo não abrimos. Neste fim de semana, no sábado "
        "(02/01, Recesso), não abrimos.")
    assert answer(HOURS, "funciona fim de semana?", at(2026, 12, 21), closed_days=recess) == (
        "No fim de semana: no sábado das 8h às 12h; no domingo não abrimos.")
