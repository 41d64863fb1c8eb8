"""Today's row, stored as the day goes by beat's minute run, so that a summary reads stored rows only;
and the nightly run making whole the rows computed before their day ended."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache

from agenda.services.booking import appointment_book, appointment_mark_attended
from agenda.types import Slot
from analytics.feedback.services import feedback_ingest
from analytics.reports import quiet_cache
from analytics.reports.models import Report
from analytics.reports.selectors import report_summary
from analytics.reports.services import OUTDATED, report_compute, report_nightly, report_today
from analytics.reports.tasks import report_today_task
from tests.analytics.reports.conftest import Customer, sp
from tests.analytics.reports.test_nightly import _hold_lock_elsewhere
from tests.conversations.factories import ContactFactory

DAY = date(2026, 3, 19)  # a Thursday no other test stores


@pytest.fixture(autouse=True)
def _no_mark_left(clinic):
    """The activity mark lives in Redis, which outlives each test's rollback."""
    cache.delete(f"analytics:today-mark:{DAY.isoformat()}")
    yield
    cache.delete(f"analytics:today-mark:{DAY.isoformat()}")


def stored(day: date = DAY) -> dict | None:
    row = Report.objects.filter(granularity="day", start=day).first()
    return row and {"messages_in": row.figures["messages_in"], "computed_at": row.computed_at}


def test_todays_row_is_stored_then_counted_again_only_after_something_happened(clock, committed):
    clock(sp(19, 10))
    assert report_today_task() == "computed"  # no row yet: stored even for a quiet morning
    assert stored()["messages_in"] == 0
    clock(sp(19, 10, 5))
    assert report_today() == "fresh"  # nothing happened

    with committed():
        Customer("5511980000091", "Ana").says("Oi", typed_ago=2)
    clock(sp(19, 10, 0, 50))
    assert report_today() == "fresh"  # something happened, but the row is not a minute old
    clock(sp(19, 10, 1, 1))
    assert report_today() == "computed"
    assert stored() == {"messages_in": 1, "computed_at": sp(19, 10, 1, 1)}

    clock(sp(19, 10, 14))
    assert report_today() == "fresh"  # quiet since: nothing to count
    clock(sp(19, 10, 16, 2))
    assert report_today() == "computed"  # 15 minutes: counted anyway (the quota share has no mark here)


def test_a_summary_reads_todays_stored_row_not_the_rows(clock, committed):
    clock(sp(19, 9))
    with committed():
        Customer("5511980000092", "Bia").says("Oi", typed_ago=2)
    report_today()
    with committed():
        Customer("5511980000093", "Caio").says("Oi", typed_ago=2)

    before = report_summary(period="day", day=DAY)["figures"]["messages_in"]
    clock(sp(19, 9, 2))
    report_today()
    after = report_summary(period="day", day=DAY)["figures"]["messages_in"]

    assert (before, after) == (1, 2)


def test_the_nightly_run_makes_todays_partial_row_whole(clock, committed):
    clock(sp(19, 23, 50))
    report_today()
    with committed():
        Customer("5511980000094", "Davi").says("Boa noite", typed_ago=2)

    clock(sp(20, 0, 10))
    assert report_nightly() == "computed"
    assert report_nightly() == "done"

    assert stored()["messages_in"] == 1
    assert stored()["computed_at"] == sp(20, 0, 10)


def test_a_missed_night_is_made_whole_the_night_after(clock, committed, settings):
    settings.ANALYTICS_REPORTS_LIVE_DAYS = 2
    clock(sp(19, 22))
    report_today()
    with committed():
        Customer("5511980000095", "Eva").says("Oi", typed_ago=2)

    clock(sp(21, 0, 10))  # the night of the 19th to the 20th had no worker: the 19th stayed partial
    assert report_nightly() == "computed"

    assert stored()["messages_in"] == 1
    assert stored(date(2026, 3, 20))["messages_in"] == 0  # yesterday, computed as every night
    # The 18th was never stored: that is the backfill's, not the nightly run's.
    assert not Report.objects.filter(granularity="day", start=date(2026, 3, 18)).exists()


def test_a_company_being_computed_elsewhere_is_skipped(clock):
    clock(sp(19, 10))
    other = _hold_lock_elsewhere("acme")
    try:
        assert report_today() == "busy"
    finally:
        other.close()
    assert stored() is None


def test_without_redis_today_is_counted_every_minute(clock, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("Redis away")

    monkeypatch.setattr(quiet_cache.cache, "get", away)
    monkeypatch.setattr(quiet_cache.cache, "set", away)
    clock(sp(19, 10))
    assert report_today() == "computed"
    clock(sp(19, 10, 1))
    assert report_today() == "computed"  # no mark to compare with: as if something had happened


def test_an_outcome_set_days_later_is_counted_in_its_own_stored_day(clock, committed, clinic):
    service = clinic.service_id("Consulta dermatológica")
    clock(sp(16, 8))
    with committed():
        visit = appointment_book(contact=ContactFactory(phone="5511980000096", name="Fábio"),
                                 slot=Slot(sp(17, 9), sp(17, 9) + timedelta(minutes=40), service),
                                 source="admin", actor="recepcao@acme.localhost")
    clock(sp(18, 1))
    report_compute(day=date(2026, 3, 17))  # the nightly run: nobody marked the visit yet
    assert Report.objects.get(granularity="day", start=date(2026, 3, 17)).figures["attendances"] == 0

    clock(sp(19, 10))  # two days later the receptionist marks it
    with committed():
        appointment_mark_attended(appointment=visit, actor="recepcao@acme.localhost")
    assert Report.objects.get(granularity="day", start=date(2026, 3, 17)).computed_at == OUTDATED
    assert report_today() == "computed"

    row = Report.objects.get(granularity="day", start=date(2026, 3, 17))
    assert row.figures["attendances"] == 1 and row.computed_at == sp(19, 10)
    assert Report.objects.get(granularity="week", start=date(2026, 3, 16)).figures["attendances"] == 1


def test_a_score_sent_for_an_earlier_day_is_counted_in_that_day(clock, committed):
    contact = ContactFactory(phone="5511980000097", name="Gil")
    clock(sp(18, 1))
    report_compute(day=date(2026, 3, 17))
    assert Report.objects.get(granularity="day", start=date(2026, 3, 17)).figures["nps"] is None

    clock(sp(19, 10))  # a survey tool sends, on the 19th, a score the customer gave on the 17th
    with committed():
        feedback_ingest(external_id="pesquisa-17", score=10, source="pesquisa", contact_id=contact.pk,
                        given_at=sp(17, 18))
    assert report_today() == "computed"

    assert Report.objects.get(granularity="day", start=date(2026, 3, 17)).figures["nps"] == 100.0
