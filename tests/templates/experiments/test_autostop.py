"""Auto-stop: simulated customers book more often after one wording; the hourly task stops the test once
that wording's probability of being best passes the threshold with every variant sampled enough, and its
text becomes the company's text for the slot."""

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.core.models import Contact
from secretaria import events
from secretaria.texts import text
from templates.experiments.models import Experiment
from templates.experiments.selectors import experiment_results
from templates.experiments.services import autostop_winner
from templates.experiments.tasks import abtests_autostop_task
from templates.replies.models import ReplyTemplate
from tests.templates.experiments.conftest import SLOT, A, B, contact, history, running

TRUE_BOOKING_RATE = {"Oi, Ana! Como posso ajudar?": 0.05, "Olá, Ana! Quer agendar um horário?": 0.20}


def simulate(captured, rng: random.Random, customers: int, start: int) -> None:
    """`customers` new contacts see the slot; each books with its wording's true rate (published as the
    agenda does, delivered on commit)."""
    people = Contact.objects.bulk_create(Contact(phone=f"5511940{start + n:06d}", name="Ana") for n in range(customers))
    with captured(execute=True):
        for person in people:
            said = text(SLOT, {"nome": "Ana"}, contact_id=person.pk)
            if rng.random() < TRUE_BOOKING_RATE[said]:
                events.publish(events.AppointmentBooked(
                    appointment_id=person.pk, contact_id=person.pk, service_id=None, professional_id=None,
                    start=timezone.now() + timedelta(days=1), source="chat"))


def test_the_truly_better_wording_wins_stops_the_test_and_becomes_the_template(
        acme, django_capture_on_commit_callbacks):
    rng = random.Random(99)
    with schema_context("acme"):
        test = running(epsilon=0.2, outcome=Experiment.Outcome.BOOKED, auto_stop=True, auto_stop_threshold=0.95,
                       auto_stop_min_exposures=60)
        rounds = 0
        while Experiment.objects.get(pk=test.pk).status == Experiment.Status.RUNNING and rounds < 30:
            simulate(django_capture_on_commit_callbacks, rng, 50, start=rounds * 50)
            with django_capture_on_commit_callbacks(execute=True):
                abtests_autostop_task.apply()
            rounds += 1

        test.refresh_from_db()
        results = experiment_results(experiment=test)
        newcomer = contact()

        assert test.status == Experiment.Status.STOPPED, results
        assert (test.stop_reason, test.winner.text) == (Experiment.StopReason.AUTO, B)
        winner_row = next(row for row in results["variants"] if row["winner"])
        assert winner_row["p_best"] >= 0.95 and min(row["exposures"] for row in results["variants"]) >= 60
        assert ReplyTemplate.objects.get(slot=SLOT, variant="").text == B
        assert text(SLOT, {"nome": "Ana"}, contact_id=newcomer.pk) == "Olá, Ana! Quer agendar um horário?"
    assert "templates.abtests_autostop" in settings.TENANT_PERIODIC_TASKS["hourly"]


def test_no_stop_before_every_variant_has_its_minimum_sample(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test = running(epsilon=0.0, auto_stop=True, auto_stop_threshold=0.9, auto_stop_min_exposures=30)
        variant_a, variant_b = test.variants.order_by("position")
        history(test, variant_a, exposed=29, converted=0)
        history(test, variant_b, exposed=200, converted=100)
        assert autostop_winner(test) is None  # B is clearly better, but A was seen by 29 only
        history(test, variant_a, exposed=1, converted=0)
        assert autostop_winner(test) == variant_b.pk


def test_no_stop_without_a_clear_winner_nor_for_tests_without_auto_stop(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        close = running(epsilon=0.0, auto_stop=True, auto_stop_min_exposures=10)
        history(close, close.variants.get(position=0), exposed=100, converted=10)
        history(close, close.variants.get(position=1), exposed=100, converted=11)
        manual = running((A, "Olá {nome}!"), slot=SLOT, variant="formal", epsilon=0.0)
        history(manual, manual.variants.get(position=0), exposed=100, converted=0)
        history(manual, manual.variants.get(position=1), exposed=100, converted=90)

        with django_capture_on_commit_callbacks(execute=True):
            abtests_autostop_task.apply()

        assert set(Experiment.objects.values_list("status", flat=True)) == {Experiment.Status.RUNNING}
        assert not ReplyTemplate.objects.exists()
