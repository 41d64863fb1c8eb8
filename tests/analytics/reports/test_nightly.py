"""The nightly run (hourly, per company, after its own midnight), its run lock, the backfill command and the
gauges it exports."""

import zlib
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from agenda.models import CalendarConfig
from agenda.services.config import calendar_config_forget
from analytics.reports.models import Report
from analytics.reports.services import LOCK_CLASS, report_compute, report_nightly
from analytics.reports.tasks import report_nightly_task
from tests.analytics.reports.conftest import Customer, sp
from tests.analytics.reports.scenario import DAY, known_day


def reports() -> list[tuple[str, date]]:
    return list(Report.objects.order_by("granularity", "start").values_list("granularity", "start"))


def test_the_first_run_after_midnight_computes_yesterday_and_its_week_once(clinic, clock, committed):
    clock(sp(4, 9))
    report_compute(day=DAY)  # a backfill run during the day: partial, the nightly run redoes it
    clock(sp(4, 10))
    with committed():
        Customer("5511980000044", "Lia").says("Oi", typed_ago=2)

    clock(sp(4, 23, 30))
    assert report_nightly_task() == "computed"  # still Wednesday: yesterday is Tuesday
    clock(sp(5, 0, 5))
    assert report_nightly_task() == "computed"
    clock(sp(5, 1, 5))
    assert report_nightly_task() == "done"

    assert reports() == [("day", date(2026, 3, 3)), ("day", DAY), ("week", date(2026, 3, 2))]
    assert Report.objects.get(granularity="day", start=DAY).figures["messages_in"] == 1
    assert Report.objects.get(granularity="week").figures["messages_in"] == 1


def test_midnight_is_the_companys_own(globex, clock):
    with schema_context("globex"):
        CalendarConfig.objects.update_or_create(singleton=1, defaults={"timezone": "Asia/Tokyo"})
        calendar_config_forget()
        clock(datetime(2026, 3, 4, 15, 30, tzinfo=ZoneInfo("UTC")))  # 00:30 on the 5th in Tokyo, 12:30 in São Paulo
        report_nightly()
        days = [start for granularity, start in reports() if granularity == "day"]
    calendar_config_forget()

    assert days == [DAY]


def _hold_lock_elsewhere(schema: str) -> psycopg.Connection:
    """Another worker's session holding the company's report lock."""
    # Django's own connection parameters: a socket directory (the embedded server) as well as a host.
    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    key = zlib.crc32(f"analytics-report:{schema}".encode()) & 0x7FFFFFFF
    other.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, key])
    return other


def test_a_company_being_computed_by_another_worker_is_skipped(clinic, clock):
    clock(sp(5, 1))
    other = _hold_lock_elsewhere("acme")
    try:
        assert report_nightly() == "busy"
        assert reports() == []
        with schema_context("globex"):
            assert report_nightly() == "computed"  # the lock is per company
    finally:
        other.close()

    assert report_nightly() == "computed" and len(reports()) == 2


def test_the_backfill_computes_every_day_and_week_of_the_range(clinic, clock, committed, acme, settings):
    settings.BILLING_USD_BRL = 5.0
    known_day(clinic, clock, committed, acme)
    clock(sp(20, 9))
    out = StringIO()

    call_command("analytics_backfill", "--from", "2026-03-03", "--to", "2026-03-10", "--company", "acme", stdout=out)

    assert "acme: 8 dias calculados" in out.getvalue()
    days = [start for granularity, start in reports() if granularity == "day"]
    weeks = [start for granularity, start in reports() if granularity == "week"]
    assert days == [date(2026, 3, d) for d in range(3, 11)] and weeks == [date(2026, 3, 2), date(2026, 3, 9)]
    assert Report.objects.get(granularity="day", start=DAY).figures["bookings"] == 3

    call_command("analytics_backfill", "--from", "2026-03-04", "--to", "2026-03-04", stdout=StringIO())
    assert Report.objects.filter(granularity="day", start=DAY).count() == 1  # replaced, not doubled
    with schema_context("globex"):
        assert [s for g, s in reports() if g == "day"] == [DAY]  # every company by default


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-03-10", "--to", "2026-03-01"], "O fim do período é anterior ao início."),
    (["--from", "2026-13-01", "--to", "2026-03-01"], "Data inválida"),
    (["--from", "2026-03-01", "--to", "2026-03-02", "--company", "nao-existe"], "Empresa não encontrada"),
])
def test_the_backfill_refuses_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("analytics_backfill", *args, stdout=StringIO())


def test_the_nightly_run_exports_the_funnel_and_nps_gauges(clinic, clock, committed, acme, settings):
    settings.METRICS_COMPANY_FIGURES = True  # per-company figures: off at fleet scale
    known_day(clinic, clock, committed, acme)
    clock(sp(5, 0, 30))

    report_nightly()

    def gauge(name: str, **labels) -> float | None:
        return REGISTRY.get_sample_value(name, {"company": "acme", **labels})

    assert [gauge("secretaria_funnel_step_count", step=s) for s in
            ("conversations", "booking_intent", "slots_offered", "booked", "attended")] == [3, 1, 1, 1, 2]
    assert gauge("secretaria_funnel_conversion_ratio", step="booking_intent") == pytest.approx(1 / 3)
    reminders = [gauge("secretaria_funnel_reminder_step_count", step=s) for s in ("sent", "answered", "confirmed")]
    assert reminders == [1, 1, 1]
    assert gauge("secretaria_nps") == 33.3 and gauge("secretaria_followup_score_avg") == 8.33
