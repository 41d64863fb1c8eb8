"""Every figure of a known day, computed from what the real services recorded (tests/analytics/reports/scenario.py),
and what a company without data reads: zeros and "sem dados", no division by zero."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from agenda.models import CalendarConfig
from agenda.services.config import calendar_config_forget
from analytics.reports.figures import FIGURES, KEYS, empty_figures
from analytics.reports.models import Report
from analytics.reports.services import report_compute, report_compute_week
from conversations.channels.services import channel_configure
from tests.analytics.reports.conftest import Customer, sp
from tests.analytics.reports.scenario import DAY, EXPECTED, known_day


@pytest.fixture
def usd_at_five(settings):
    settings.BILLING_USD_BRL = 5.0


def test_the_catalogue_has_every_key_the_exports_render_once_with_a_portuguese_label():
    assert set(EXPECTED) == set(KEYS) and len(KEYS) == len(FIGURES)
    assert all(f.label and f.kind in ("count", "ratio", "seconds", "brl_cents", "score") for f in FIGURES)


def test_every_figure_of_a_known_day_is_exact(clinic, clock, committed, acme, usd_at_five):
    known_day(clinic, clock, committed, acme)
    clock(sp(5, 1))

    report = report_compute(day=DAY)

    assert report.figures == EXPECTED
    assert (report.start, report.end, report.timezone) == (DAY, DAY, "America/Sao_Paulo")


def test_the_days_around_it_do_not_take_its_figures(clinic, clock, committed, acme, usd_at_five):
    known_day(clinic, clock, committed, acme)
    clock(sp(6, 1))

    tuesday, thursday = report_compute(day=DAY - timedelta(days=1)), report_compute(day=DAY + timedelta(days=1))

    assert (tuesday.figures["messages_in"], tuesday.figures["attendances"], tuesday.figures["bookings"]) == (0, 1, 0)
    assert thursday.figures == {**empty_figures(), "quota_messages_ratio": 0.0, "quota_ai_tokens_ratio": 0.0,
                                "quota_outreach_ratio": 0.0}


def test_a_message_just_before_midnight_in_sao_paulo_is_that_day_though_utc_says_the_next(clinic, clock, committed):
    paula = Customer("5511980000077", "Paula")
    with committed():
        clock(sp(4, 23, 59, 50))  # 02:59:50 UTC on the 5th
        paula.says("Oi, ainda dá para marcar?", answer=False)
        clock(sp(5, 0, 0, 10))  # the reply goes out after midnight
        paula.says("Oi?", typed_ago=0)
    clock(sp(6, 1))

    wednesday, thursday = report_compute(day=date(2026, 3, 4)), report_compute(day=date(2026, 3, 5))

    assert (wednesday.figures["messages_in"], wednesday.figures["messages_out"]) == (1, 0)
    assert (thursday.figures["messages_in"], thursday.figures["messages_out"]) == (1, 1)
    # The conversation opened when it was answered, after midnight; its first reply counts from 23:59:50.
    assert (wednesday.figures["conversations_opened"], thursday.figures["conversations_opened"]) == (0, 1)
    assert thursday.figures["first_reply_p50_s"] == 20.0
    assert wednesday.figures["contacts_new"] == 1 and thursday.figures["contacts_returning"] == 1


def test_a_company_in_another_time_zone_cuts_its_days_at_its_own_midnight(acme, globex, clock, committed, settings):
    settings.DEBOUNCE_SECONDS = 0
    instant = datetime(2026, 3, 5, 3, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 in São Paulo, 23:30 in Manaus
    for company, tz in ((acme, "America/Sao_Paulo"), (globex, "America/Manaus")):
        with schema_context(company.schema_name), committed():
            channel_configure(kind="sandbox")
            CalendarConfig.objects.update_or_create(singleton=1, defaults={"timezone": tz})
            calendar_config_forget()
            clock(instant)
            Customer("5511980000055", "Rita").says("Bom dia", answer=False)
    clock(instant + timedelta(days=2))

    with schema_context("acme"):
        acme_days = [report_compute(day=date(2026, 3, d)).figures["messages_in"] for d in (4, 5)]
    with schema_context("globex"):
        globex_days = [report_compute(day=date(2026, 3, d)) for d in (4, 5)]
    calendar_config_forget()

    assert acme_days == [0, 1]
    assert [r.figures["messages_in"] for r in globex_days] == [1, 0]
    assert globex_days[0].timezone == "America/Manaus"


def test_the_iso_week_combines_its_days_exactly(clinic, clock, committed, acme, usd_at_five):
    known_day(clinic, clock, committed, acme)
    clock(sp(9, 1))  # the next Monday
    for day in range(2, 9):
        report_compute(day=date(2026, 3, day))

    week = report_compute_week(day=date(2026, 3, 6))

    assert (week.start, week.end) == (date(2026, 3, 2), date(2026, 3, 8))
    # Monday's Carlos and Wednesday's Carlos are one contact; Monday's message makes him new that week.
    assert week.figures["contacts_unique"] == 3 and week.figures["contacts_new"] == 3
    assert week.figures["messages_in"] == EXPECTED["messages_in"] + 1
    assert week.figures["conversations_opened"] == EXPECTED["conversations_opened"] + 1
    # Monday's reply took 3 s: the median is over all four first replies (3, 5, 20, 30), not of daily medians.
    assert week.figures["first_reply_p50_s"] == 12.5
    assert week.figures["bookings"] == 7 + 3  # Monday's seven panel bookings, and Wednesday's three
    assert week.figures["attendances"] == 3 and week.figures["nps"] == EXPECTED["nps"]


def test_recomputing_a_day_replaces_its_row(clinic, clock, committed):
    clock(sp(4, 10))
    with committed():
        Customer("5511980000044", "Lia").says("Oi", typed_ago=2)
    clock(sp(5, 1))
    first = report_compute(day=DAY)
    clock(sp(4, 22))
    with committed():
        Customer("5511980000045", "Léo").says("Oi", typed_ago=2)
    clock(sp(5, 2))

    again = report_compute(day=DAY)

    assert first.pk == again.pk and Report.objects.filter(granularity="day", start=DAY).count() == 1
    assert (first.figures["messages_in"], again.figures["messages_in"]) == (1, 2)
    assert Report.objects.get(pk=first.pk).figures["contacts_unique"] == 2


def test_a_company_with_no_data_reads_zeros_and_sem_dados(globex, clock):
    clock(sp(5, 1))
    with schema_context("globex"):
        report = report_compute(day=DAY)
        week = report_compute_week(day=DAY)

    counts = [f.key for f in FIGURES if f.kind == "count"]
    assert all(report.figures[key] == 0 for key in counts) and report.figures["ai_cost_cents"] == 0
    for key in ("first_reply_p50_s", "handoff_rate", "no_show_rate", "nps", "followup_score_avg",
                "cost_per_booking_cents", "staff_response_p50_s"):
        assert report.figures[key] is None and week.figures[key] is None
