"""The hourly gauges: this ISO week's responses and NPS per source, the follow-ups as "followup"; at most
ten named sources, the rest under "outros"; a quiet source reads 0 responses."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from analytics.feedback.metrics import MAX_SOURCES
from analytics.feedback.services import feedback_ingest
from analytics.feedback.tasks import feedback_gauges_task
from tests.agenda.factories import FollowUpFactory

SP = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(autouse=True)
def company_figures(settings):
    """Per-company business gauges are off at fleet scale (METRICS_COMPANY_FIGURES)."""
    settings.METRICS_COMPANY_FIGURES = True
WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=SP)


def gauge(name: str, source: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"company": "acme", "source": source})


def score(contact, n: int, source: str, value: int, day: int) -> None:
    feedback_ingest(external_id=f"m-{n}", contact_id=contact.pk, score=value, source=source,
                    given_at=datetime(2026, 3, day, 10, tzinfo=SP))


def test_the_task_sets_this_weeks_responses_and_nps_per_source(acme, paula, time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    with schema_context("acme"):
        FollowUpFactory(score=10, answered_at=datetime(2026, 3, 3, 9, tzinfo=SP))
        FollowUpFactory(score=4, answered_at=datetime(2026, 3, 2, 9, tzinfo=SP))
        score(paula, 1, "google", 9, 3)
        score(paula, 2, "google", 6, 4)
        score(paula, 3, "google", 10, 4)
        score(paula, 4, "crm", 8, 1)  # Sunday: last week, still a recent source
        assert feedback_gauges_task.apply().get() == 3

    assert (gauge("secretaria_nps_responses", "followup"), gauge("secretaria_nps_by_source", "followup")) == (2, 0.0)
    assert (gauge("secretaria_nps_responses", "google"), gauge("secretaria_nps_by_source", "google")) == (3, 33.3)
    assert gauge("secretaria_nps_responses", "crm") == 0


def test_past_ten_sources_the_rest_add_up_under_outros(acme, paula, time_machine):
    time_machine.move_to(WEDNESDAY, tick=False)
    with schema_context("acme"):
        for n in range(MAX_SOURCES + 2):
            for copy in range(MAX_SOURCES + 2 - n):  # source 0 the busiest, the last two the quietest
                score(paula, n * 100 + copy, f"fonte-{n:02d}", 10, 3)
        shown = feedback_gauges_task.apply().get()

    assert shown == MAX_SOURCES + 2  # followup, ten sources, outros
    assert gauge("secretaria_nps_responses", "outros") == 2 + 1
    assert gauge("secretaria_nps_responses", "fonte-11") is None


def test_beat_sends_the_task_to_every_company_every_hour(settings):
    from celery_app import app

    assert "analytics.feedback_gauges" in settings.TENANT_PERIODIC_TASKS["hourly"]
    assert "analytics.feedback_gauges" in app.tasks
