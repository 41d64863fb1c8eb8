"""The daily scheduling AI: attendance heatmap, best and worst slots, recommendation, and the
runs of scoring and rebooking offers it triggers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

import pytest
from prometheus_client import REGISTRY

from agenda.models import Appointment, AppointmentEvent, CalendarConfig, SchedulingInsight
from agenda.services.config import calendar_config_forget
from agenda.services.insights import scheduling_ai_run
from conversations.models import Contact
from tests.agenda.automation_helpers import at, calendar_make, outbox_keys
from tests.agenda.factories import AppointmentFactory
from tests.conversations.factories import ContactFactory

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock (eager: tests/conftest.py)

NOW = at(2, 3, 15)  # Monday 2 March 2026, when the daily run starts


@pytest.fixture
def acme_now(in_acme, clock):
    clock(NOW)
    return in_acme


def visits(contact: Contact, slot: datetime, outcomes: str, *, weeks_ago: int = 1) -> list[Appointment]:
    """One past appointment a week at `slot`'s weekday and hour, from `weeks_ago` back: 'a' came, 'n' missed."""
    return Appointment.objects.bulk_create([
        Appointment(contact=contact, start=slot - timedelta(weeks=week), end=slot - timedelta(weeks=week, minutes=-30),
                    status="attended" if outcome == "a" else "no_show")
        for week, outcome in enumerate(outcomes, start=weeks_ago)])


def runs(outcome: str) -> float:
    return REGISTRY.get_sample_value("agenda_optimization_runs_total", {"outcome": outcome}) or 0


@pytest.fixture
def history(acme_now):
    contact = ContactFactory(name="Clientes")
    visits(contact, at(2, 8), "aaaannnnnn")  # Mondays 8h: 40 % (4 of 10)
    visits(contact, at(3, 10), "aaaaaaaaaa")  # Tuesdays 10h: 100 %
    visits(contact, at(4, 15), "aaaaaaaann")  # Wednesdays 15h: 80 %
    visits(contact, at(5, 9), "aaa")  # Thursdays 9h: too few to judge
    visits(contact, at(2, 8), "nnnnnnnn", weeks_ago=14)  # older than 90 days: ignored
    return contact


def test_the_run_stores_attendance_by_weekday_and_hour(history):
    before = runs("ok")

    insight = scheduling_ai_run()

    assert SchedulingInsight.objects.get() == insight
    assert (insight.period_start, insight.period_end) == (at(2, 3).date() - timedelta(days=90), at(2, 3).date())
    assert insight.appointments_analyzed == 33
    assert insight.attendance_rate == pytest.approx(25 / 33)
    assert insight.heatmap["0"]["8"] == {"n": 10, "attended": 4, "no_show": 6, "rate": 0.4}
    assert insight.heatmap["1"]["10"]["rate"] == 1.0 and insight.heatmap["3"]["9"]["n"] == 3
    assert runs("ok") == before + 1


def test_best_and_worst_slots_need_enough_appointments(history):
    insight = scheduling_ai_run()

    # Above and below the company's 76 %; Thursday 9h (3 appointments) is not judged.
    assert [(s["weekday_name"], s["hour"], s["rate"]) for s in insight.best_slots] == [
        ("terça-feira", 10, 1.0), ("quarta-feira", 15, 0.8)]
    assert [(s["weekday_name"], s["hour"], s["rate"]) for s in insight.worst_slots] == [("segunda-feira", 8, 0.4)]
    assert "quinta-feira" not in insight.recommendation


def test_the_recommendation_names_the_best_and_worst_hours_in_portuguese(acme_now, history):
    visits(history, at(6, 11), "aaaaannnnn")  # Fridays 11h: 50 %
    visits(history, at(7, 9), "aaaaaaaaaa")  # Saturdays 9h: 100 %
    visits(history, at(6, 17), "aaaaaaaaan")  # Fridays 17h: 90 %

    insight = scheduling_ai_run()

    assert [(s["weekday_name"], s["hour"]) for s in insight.best_slots] == [
        ("terça-feira", 10), ("sábado", 9), ("sexta-feira", 17)]
    assert [(s["weekday_name"], s["hour"]) for s in insight.worst_slots] == [("segunda-feira", 8), ("sexta-feira", 11)]
    assert insight.recommendation == (
        "Comparecimento de 78% nos últimos 90 dias (63 atendimentos). Horários com mais presença: terça-feira "
        "às 10h (100%), sábado às 9h (100%) e sexta-feira às 17h (90%). Mais faltas em segunda-feira às 8h (40%) "
        "e sexta-feira às 11h (50%): vale reforçar os lembretes nesses horários ou oferecê-los a clientes que "
        "costumam comparecer.")


def test_a_company_without_history_gets_a_hint_instead(acme_now):
    insight = scheduling_ai_run()

    assert insight.appointments_analyzed == 0 and insight.attendance_rate is None
    assert insight.heatmap == {} and insight.best_slots == [] and insight.worst_slots == []
    assert insight.recommendation.startswith("Ainda não há atendimentos concluídos")


def test_the_run_scores_upcoming_appointments_and_offers_new_dates_to_recent_no_shows(acme_now, history):
    professional, service = calendar_make()
    soon = Appointment.objects.create(contact=history, start=at(2, 8), end=at(2, 8, 30))  # Monday 8h: risky
    missed = AppointmentFactory(contact=ContactFactory(name="Bia"), service=service, professional=professional,
                                start=at(26, 10, month=2), status="no_show")

    insight = scheduling_ai_run()

    soon.refresh_from_db()
    assert soon.risk_score is not None and soon.risk_factors["factors"]
    assert insight.high_risk_count == (1 if soon.risk_score >= 0.5 else 0)
    assert outbox_keys("rebook:") == [f"rebook:{missed.pk}"]
    assert AppointmentEvent.objects.filter(appointment=missed, kind="offer_sent").exists()


def test_no_offers_when_the_company_turned_auto_rescheduling_off(acme_now):
    CalendarConfig.objects.update_or_create(singleton=1, defaults={"auto_reschedule_no_shows": False})
    calendar_config_forget()
    professional, service = calendar_make()
    AppointmentFactory(contact=ContactFactory(name="Bia"), service=service, professional=professional,
                       start=at(26, 10, month=2), status="no_show")

    scheduling_ai_run()

    assert outbox_keys("rebook:") == []


def test_a_failed_run_is_counted(acme_now):
    CalendarConfig.objects.update_or_create(singleton=1, defaults={"timezone": "Lugar/Nenhum"})
    calendar_config_forget()
    before = runs("error")

    with pytest.raises(ZoneInfoNotFoundError):  # re-raised after being counted
        scheduling_ai_run()
    assert runs("error") == before + 1
