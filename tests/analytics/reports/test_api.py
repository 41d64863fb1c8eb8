"""GET /api/analytics/summary, /history and /funnel: who reads, what they read, and a clear 400 in Portuguese
for every bad input (never a 5xx)."""

from datetime import date

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context

from analytics.reports.selectors import report_history
from analytics.reports.services import report_compute, report_compute_week
from tests.analytics.reports.conftest import Customer, sp
from tests.analytics.reports.scenario import DAY, EXPECTED, known_day


@pytest.fixture
def computed(clinic, clock, committed, acme, settings):
    """The known day and its neighbours computed (the nightly run's rows)."""
    settings.BILLING_USD_BRL = 5.0
    known_day(clinic, clock, committed, acme)
    clock(sp(9, 1))
    for day in range(2, 9):
        report_compute(day=date(2026, 3, day))
    report_compute_week(day=DAY)


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_member_but_the_operator_reads_the_summary(api, acme, role, clock):
    clock(sp(5, 1))
    assert api(acme, role).get("/api/analytics/summary").status_code == 200


def test_the_operator_reads_no_reports(api, acme, clock):
    clock(sp(5, 1))
    assert api(acme, "operator").get("/api/analytics/summary").status_code == 403


def test_strangers_read_nothing(api, acme):
    assert api(acme).get("/api/analytics/summary").status_code == 401


def test_the_summary_of_a_day_with_the_previous_day_and_the_change(api, acme, computed):
    body = api(acme, "viewer").get("/api/analytics/summary", {"period": "day", "date": "2026-03-04"}).json()

    assert (body["period"], body["from"], body["to"], body["timezone"]) == ("day", "2026-03-04", "2026-03-04",
                                                                           "America/Sao_Paulo")
    assert body["figures"] == EXPECTED
    assert body["previous"]["attendances"] == 1 and body["previous"]["messages_in"] == 0
    assert body["change"]["attendances"] == 1.0  # 1 -> 2: +100 %
    assert body["change"]["messages_in"] is None  # nothing the day before to compare with


def test_the_summary_of_a_week_and_of_a_month(api, acme, computed):
    client = api(acme, "manager")

    week = client.get("/api/analytics/summary", {"period": "week", "date": "2026-03-06"}).json()
    month = client.get("/api/analytics/summary", {"period": "month", "date": "2026-03-20"}).json()

    assert (week["from"], week["to"]) == ("2026-03-02", "2026-03-08")
    assert (month["from"], month["to"]) == ("2026-03-01", "2026-03-31")
    assert week["figures"]["first_reply_p50_s"] == month["figures"]["first_reply_p50_s"] == 12.5
    assert week["figures"]["bookings"] == month["figures"]["bookings"] == 10
    assert month["previous"]["messages_in"] == 0 and month["change"]["bookings"] is None


def test_the_history_by_day_is_zero_filled_and_in_order(api, acme, computed):
    body = api(acme, "owner").get("/api/analytics/history",
                                  {"from": "2026-03-03", "to": "2026-03-10", "granularity": "day"}).json()

    assert [entry["start"] for entry in body] == [f"2026-03-{d:02d}" for d in range(3, 11)]
    assert body[1]["figures"] == EXPECTED
    assert body[-1]["figures"]["messages_in"] == 0 and body[-1]["figures"]["nps"] is None  # the 10th: not computed


def test_the_history_by_week_starts_on_the_monday(api, acme, computed):
    body = api(acme, "owner").get("/api/analytics/history",
                                  {"from": "2026-03-04", "to": "2026-03-15", "granularity": "week"}).json()

    assert [(e["start"], e["end"]) for e in body] == [("2026-03-02", "2026-03-08"), ("2026-03-09", "2026-03-15")]
    assert body[0]["figures"]["bookings"] == 10 and body[1]["figures"]["bookings"] == 0


def test_the_funnel(api, acme, computed):
    body = api(acme, "viewer").get("/api/analytics/funnel", {"from": "2026-03-04", "to": "2026-03-04"}).json()

    assert [s["count"] for s in body["steps"]] == [3, 1, 1, 1, 0]
    assert body["by_service"][0]["name"] == "Limpeza de pele"
    assert [s["key"] for s in body["reminders"]["steps"]] == ["sent", "answered", "confirmed", "attended"]


def test_data_stays_in_its_company(api, globex, computed, clock):
    with schema_context("globex"):
        report_compute(day=DAY)

    body = api(globex, "owner").get("/api/analytics/history", {"from": "2026-03-04", "to": "2026-03-04"}).json()

    assert body[0]["figures"]["messages_in"] == 0 and body[0]["figures"]["bookings"] == 0


@pytest.mark.parametrize(("path", "params", "field", "message"), [
    ("history", {"from": "2026-03-10", "to": "2026-03-01"}, "to", "O fim do período é anterior ao início."),
    ("history", {"from": "2026-03-01"}, "to", "Este campo é obrigatório."),
    ("funnel", {"to": "2026-03-01"}, "from", "Este campo é obrigatório."),
    ("history", {"from": "2024-01-01", "to": "2026-01-05"}, "to", "O período pode ter no máximo 2 anos."),
    ("funnel", {"from": "2024-01-01", "to": "2026-03-01"}, "to", "O período pode ter no máximo 2 anos."),
    ("history", {"from": "2026-03-01", "to": "2026-03-02", "granularity": "month"}, "granularity",
     "Granularidade desconhecida: use day ou week."),
    ("summary", {"period": "year"}, "period", "Período desconhecido: use day, week ou month."),
    ("summary", {"date": "04/03/2026"}, "date", "Data inválida: use o formato AAAA-MM-DD."),
    ("history", {"from": "2026-02-30", "to": "2026-03-02"}, "from", "Data inválida: use o formato AAAA-MM-DD."),
    ("summary", {"date": "0001-01-01"}, "date", "Data fora do intervalo aceito (2000 a 2100)."),
    ("funnel", {"from": "9999-12-30", "to": "9999-12-31"}, "from", "Data fora do intervalo aceito (2000 a 2100)."),
])
def test_bad_input_is_a_400_in_portuguese(api, acme, clock, path, params, field, message):
    clock(sp(5, 1))

    response = api(acme, "owner").get(f"/api/analytics/{path}", params)

    assert response.status_code == 400, response.content
    assert response.json()[field] == [message]


def test_a_company_with_no_data_answers_with_zeros_and_nulls(api, globex, clock):
    clock(sp(5, 1))

    body = api(globex, "owner").get("/api/analytics/summary", {"period": "month"}).json()

    assert body["figures"]["messages_in"] == 0 and body["figures"]["nps"] is None
    assert set(body["change"].values()) == {None}


def test_today_is_read_live_and_kept_a_minute(api, acme, clinic, clock, committed, settings):
    settings.ANALYTICS_REPORTS_LIVE_CACHE_SECONDS = 60
    clock(sp(17, 10))  # a day no other test reads live
    client = api(acme, "viewer")
    with committed():
        Customer("5511980000066", "Nina").says("Oi", typed_ago=2)
    first = client.get("/api/analytics/summary", {"period": "day"}).json()
    with committed():
        Customer("5511980000067", "Rui").says("Oi", typed_ago=2)

    again = client.get("/api/analytics/summary", {"period": "day"}).json()
    settings.ANALYTICS_REPORTS_LIVE_CACHE_SECONDS = 0
    cache.delete("analytics:live-parts:2026-03-17:America/Sao_Paulo")  # in acme's keys (the request's schema)
    fresh = client.get("/api/analytics/summary", {"period": "day"}).json()

    assert first["from"] == "2026-03-17" and first["figures"]["messages_in"] == 1
    assert again["figures"]["messages_in"] == 1  # the cached read
    assert fresh["figures"]["messages_in"] == 2


def test_the_history_selector_the_exports_call_says_what_the_api_says(api, acme, computed):
    body = api(acme, "owner").get("/api/analytics/history", {"from": "2026-03-01", "to": "2026-03-31"}).json()
    listed = report_history(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), granularity="day")

    assert [e["start"] for e in body] == [e["start"].isoformat() for e in listed]
    assert [e["figures"] for e in body] == [e["figures"] for e in listed]
    assert listed[3]["figures"] == EXPECTED
