"""Contacts who stopped coming: the daily run's title and evidence, dedupe, expiry, and accepting it
(the reactivation message queued through the outreach service, once per contact, never to opted-out
or erased contacts)."""

from datetime import timedelta

import pytest

from analytics.recommendations.models import Recommendation
from analytics.recommendations.selectors import recommendation_top
from analytics.recommendations.services import (
    recommendation_accept,
    recommendation_dismiss,
    recommendations_compute,
)
from conversations.core.privacy import contact_opt_out_set
from conversations.models import Outbox
from secretaria.errors import Conflict
from secretaria.events import RecommendationCreated, subscribe
from secretaria.events.bus import unsubscribe
from tests.agenda.automation_helpers import at
from tests.analytics.recommendations.helpers import customer, only, reactivation_keys, visit

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock, eager

Kind, Status = Recommendation.Kind, Recommendation.Status
NOW = at(2, 9)  # Monday 2 March 2026, 09:00 São Paulo
OWNER = "owner@acme.test"


@pytest.fixture
def acme_now(in_acme, clock, settings):
    settings.ANALYTICS_RECS_INACTIVE_DAYS = 90
    settings.ANALYTICS_RECS_INACTIVE_MIN_CONTACTS = 1
    clock(NOW)
    return in_acme


@pytest.fixture
def away(acme_now):
    """Two customers away for more than 90 days, and six who do not count, each for its own reason."""
    maria = customer("Maria Souza", NOW - timedelta(days=100))
    joao = customer("João Alves", NOW - timedelta(days=120))
    came_back = customer("Ana Paula Ferreira", NOW - timedelta(days=100))
    visit(came_back, NOW - timedelta(days=10))
    booked = customer("Carlos Eduardo Lima", NOW - timedelta(days=100))
    visit(booked, NOW + timedelta(days=3), status="pending")
    opted_out = customer("Juliana Rocha", NOW - timedelta(days=100))
    contact_opt_out_set(contact=opted_out, opted_out=True)
    customer("Pedro Henrique Costa", NOW - timedelta(days=100), erased_at=NOW - timedelta(days=1))
    customer("Fernanda Oliveira", NOW - timedelta(days=30))  # recent
    visit(customer("Lucas Martins"), NOW - timedelta(days=100), status="no_show")  # never came
    return {"maria": maria, "joao": joao}


def test_the_run_counts_the_contacts_who_have_not_come_back_for_n_days(away):
    counts = recommendations_compute()

    row = only(Kind.INACTIVE_CONTACTS)
    assert counts["created"] >= 1
    assert row.title == "2 clientes não voltam há 90 dias"
    assert row.status == Status.NEW and row.closed_at is None
    assert row.evidence["count"] == 2 and row.evidence["days"] == 90
    assert row.evidence["contact_ids"] == [away["joao"].pk, away["maria"].pk]  # longest away first
    assert row.evidence["oldest_visit"] == "2025-11-02"  # in the company's time zone


def test_one_contact_is_told_in_the_singular(acme_now):
    customer("Maria Souza", NOW - timedelta(days=91))

    recommendations_compute()

    assert only(Kind.INACTIVE_CONTACTS).title == "1 cliente não volta há 90 dias"


def test_n_and_the_minimum_come_from_the_settings(acme_now, settings):
    customer("Maria Souza", NOW - timedelta(days=50))
    customer("João Alves", NOW - timedelta(days=70))
    settings.ANALYTICS_RECS_INACTIVE_MIN_CONTACTS = 2

    settings.ANALYTICS_RECS_INACTIVE_DAYS = 60
    recommendations_compute()
    assert not Recommendation.objects.filter(kind=Kind.INACTIVE_CONTACTS).exists()  # one away 60 days: too few

    settings.ANALYTICS_RECS_INACTIVE_DAYS = 45
    recommendations_compute()
    assert only(Kind.INACTIVE_CONTACTS).title == "2 clientes não voltam há 45 dias"


def test_running_again_keeps_one_row_and_refreshes_its_numbers(away):
    recommendations_compute()
    first = only(Kind.INACTIVE_CONTACTS)
    customer("Camila Ribeiro", NOW - timedelta(days=95))

    counts = recommendations_compute()

    row = only(Kind.INACTIVE_CONTACTS)
    assert row.pk == first.pk and counts["created"] == 0
    assert row.title == "3 clientes não voltam há 90 dias" and row.evidence["count"] == 3


def test_a_situation_that_went_away_expires_its_row(away, clock):
    recommendations_compute()
    for person in away.values():
        visit(person, NOW + timedelta(days=2), status="pending")  # both booked again

    counts = recommendations_compute()

    row = only(Kind.INACTIVE_CONTACTS)
    assert counts["closed"] >= 1
    assert row.status == Status.EXPIRED and row.closed_at == NOW
    assert recommendation_top() == []


def test_each_new_recommendation_is_published_once(away, django_capture_on_commit_callbacks):
    heard = []
    subscribe(RecommendationCreated, heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            recommendations_compute()
        with django_capture_on_commit_callbacks(execute=True):
            recommendations_compute()
    finally:
        unsubscribe(RecommendationCreated, heard.append)

    row = only(Kind.INACTIVE_CONTACTS)
    mine = [event for event in heard if event.kind == Kind.INACTIVE_CONTACTS]
    assert [(e.recommendation_id, e.title) for e in mine] == [(row.pk, "2 clientes não voltam há 90 dias")]


def test_accepting_queues_one_reactivation_message_per_contact_and_skips_who_opted_out(away):
    recommendations_compute()
    row = only(Kind.INACTIVE_CONTACTS)
    contact_opt_out_set(contact=away["maria"], opted_out=True)  # said "parar" after the run

    accepted = recommendation_accept(recommendation=row, actor=OWNER)
    again = recommendation_accept(recommendation=row, actor="manager@acme.test")

    assert reactivation_keys() == [f"reactivation:{row.pk}:{away['joao'].pk}"]
    message = Outbox.objects.select_related("message").get(idempotency_key__startswith="reactivation:").message
    assert message.contact_id == away["joao"].pk and message.payload["outreach"] == "reactivation"
    assert message.text.startswith("Olá, João! Faz um tempo que você não vem nos ver")
    assert accepted.status == Status.ACCEPTED and accepted.decided_by == OWNER and accepted.decided_at == NOW
    assert accepted.result == {"queued": 1, "already_queued": 0, "opted_out": 1}
    assert again.decided_by == OWNER  # the first answer is the one recorded
    assert again.result == {"queued": 1, "already_queued": 1, "opted_out": 1}


def test_after_accepting_the_next_run_closes_it_and_does_not_ask_about_the_same_contacts(away):
    recommendations_compute()
    row = only(Kind.INACTIVE_CONTACTS)
    recommendation_accept(recommendation=row, actor=OWNER)

    recommendations_compute()

    row.refresh_from_db()
    assert row.status == Status.ACCEPTED and row.closed_at == NOW
    assert Recommendation.objects.filter(kind=Kind.INACTIVE_CONTACTS).count() == 1  # both were written to


def test_a_contact_away_after_the_accepted_one_is_a_new_recommendation(away, clock):
    recommendations_compute()
    first = only(Kind.INACTIVE_CONTACTS)
    recommendation_accept(recommendation=first, actor=OWNER)
    customer("Camila Ribeiro", NOW - timedelta(days=91))

    recommendations_compute()

    newer = Recommendation.objects.get(kind=Kind.INACTIVE_CONTACTS, closed_at__isnull=True)
    assert newer.pk != first.pk and newer.title == "1 cliente não volta há 90 dias"


def test_a_dismissed_one_is_not_raised_again_while_it_lasts_and_cannot_be_accepted(away):
    recommendations_compute()
    row = only(Kind.INACTIVE_CONTACTS)

    recommendation_dismiss(recommendation=row, actor=OWNER)
    recommendations_compute()

    row.refresh_from_db()
    assert row.status == Status.DISMISSED and row.closed_at is None
    assert Recommendation.objects.filter(kind=Kind.INACTIVE_CONTACTS).count() == 1
    with pytest.raises(Conflict, match="descartada"):
        recommendation_accept(recommendation=row, actor=OWNER)
    assert reactivation_keys() == []


def test_an_accepted_one_cannot_be_dismissed_and_an_expired_one_cannot_be_answered(away):
    recommendations_compute()
    row = only(Kind.INACTIVE_CONTACTS)
    recommendation_accept(recommendation=row, actor=OWNER)
    with pytest.raises(Conflict, match="já foi aceita"):
        recommendation_dismiss(recommendation=row, actor=OWNER)

    Recommendation.objects.filter(pk=row.pk).update(status=Status.EXPIRED)
    with pytest.raises(Conflict, match="expirou"):
        recommendation_accept(recommendation=row, actor=OWNER)


def test_the_rows_stay_in_their_company(away, globex):
    from django_tenants.utils import schema_context

    recommendations_compute()

    with schema_context("globex"):
        assert not Recommendation.objects.exists()
        assert recommendation_top() == []


def test_the_daily_task_runs_in_each_company(away, eager):
    from analytics.recommendations.tasks import recommendations_compute_task

    result = recommendations_compute_task.delay().get()

    assert result["created"] >= 1
    assert only(Kind.INACTIVE_CONTACTS).evidence["count"] == 2
