"""Outcomes from domain events: each event type credits the exposure of a test judged on it, only
within the window after the exposure, and only once however often the event is delivered."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tenants.utils import schema_context

from secretaria import events
from secretaria.texts import text
from templates.experiments.models import Conversion, Experiment, Exposure
from templates.experiments.services import experiment_pause, experiment_stop
from tests.templates.experiments.conftest import SLOT, contact, running

Outcome = Experiment.Outcome


def exposed(outcome=Outcome.BOOKED, **options):
    """A running test judged on `outcome` and a contact who has just seen it."""
    test = running(outcome=outcome, epsilon=1.0, **options)
    person = contact()
    text(SLOT, {"nome": "Ana"}, contact_id=person.pk)
    return test, person


def deliver(captured, *published):
    with captured(execute=True):
        for event in published:
            events.publish(event)


def booked(person, **kwargs):
    return events.AppointmentBooked(appointment_id=1, contact_id=person.pk, service_id=None, professional_id=None,
                                    start=timezone.now() + timedelta(days=2), source="chat", **kwargs)


def conversions(test) -> int:
    return Conversion.objects.filter(exposure__experiment=test).count()


def test_a_booking_after_the_greeting_converts_once_however_often_it_is_delivered(
        acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test, person = exposed()
        event = booked(person)
        deliver(django_capture_on_commit_callbacks, event, event)
        deliver(django_capture_on_commit_callbacks, event)

        [conversion] = Conversion.objects.filter(exposure__experiment=test)
        assert (conversion.exposure.contact_id, conversion.event) == (person.pk, "AppointmentBooked")


def test_a_booking_after_the_window_or_by_someone_else_does_not_count(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test, person = exposed(window_hours=24)
        deliver(django_capture_on_commit_callbacks, booked(contact()))  # never saw the test
        later = timezone.now() + timedelta(hours=24, minutes=1)
        with time_machine.travel(later, tick=False):
            deliver(django_capture_on_commit_callbacks, booked(person))
        assert conversions(test) == 0
        with time_machine.travel(later - timedelta(minutes=2), tick=False):
            deliver(django_capture_on_commit_callbacks, booked(person))
        assert conversions(test) == 1


def test_an_event_from_before_the_exposure_does_not_count(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test = running(outcome=Outcome.REPLIED, epsilon=1.0)
        person = contact()
        earlier = events.MessageReceived(message_id=1, contact_id=person.pk, channel_id=None, kind="text",
                                         answered=True, occurred_at=timezone.now() - timedelta(seconds=5))
        text(SLOT, {"nome": "Ana"}, contact_id=person.pk)
        deliver(django_capture_on_commit_callbacks, earlier)
        assert conversions(test) == 0


@pytest.mark.parametrize("outcome, counts, ignored", [
    (Outcome.REPLIED,
     lambda p: events.MessageReceived(message_id=2, contact_id=p.pk, channel_id=None, kind="text", answered=True),
     lambda p: events.MessageReceived(message_id=3, contact_id=p.pk, channel_id=None, kind="reaction",
                                      answered=False)),
    (Outcome.REMINDER_CONFIRMED,
     lambda p: events.ReminderAnswered(reminder_id=1, appointment_id=1, contact_id=p.pk, answer="confirm"),
     lambda p: events.ReminderAnswered(reminder_id=1, appointment_id=1, contact_id=p.pk, answer="reschedule")),
    (Outcome.ATTENDED,
     lambda p: events.AppointmentAttended(appointment_id=1, contact_id=p.pk),
     lambda p: events.AppointmentNoShow(appointment_id=1, contact_id=p.pk)),
    (Outcome.PROMOTER,
     lambda p: events.FollowUpScored(followup_id=1, appointment_id=1, contact_id=p.pk, score=9, sentiment="positive",
                                     flagged=False),
     lambda p: events.FollowUpScored(followup_id=1, appointment_id=1, contact_id=p.pk, score=8, sentiment="positive",
                                     flagged=False)),
])
def test_each_outcome_is_its_own_event(acme, django_capture_on_commit_callbacks, outcome, counts, ignored):
    with schema_context("acme"):
        test, person = exposed(outcome)
        deliver(django_capture_on_commit_callbacks, ignored(person), booked(person))  # booked: another outcome
        assert conversions(test) == 0
        deliver(django_capture_on_commit_callbacks, counts(person))
        assert conversions(test) == 1


def test_a_paused_test_still_counts_its_exposures_and_a_stopped_one_no_longer(
        acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test, person = exposed()
        other = contact()
        text(SLOT, {"nome": "Bia"}, contact_id=other.pk)
        experiment_pause(experiment=test)
        deliver(django_capture_on_commit_callbacks, booked(person))
        experiment_stop(experiment=test)
        deliver(django_capture_on_commit_callbacks, booked(other))

        assert list(Conversion.objects.values_list("exposure__contact_id", flat=True)) == [person.pk]
        assert Exposure.objects.filter(experiment=test).count() == 2


def test_two_tests_on_different_slots_each_count_their_own_outcome(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test, person = exposed(Outcome.BOOKED)
        second = running(outcome=Outcome.BOOKED, epsilon=1.0, variant="formal",
                         texts=("Prezado {nome}, bom dia.", "Prezado {nome}, boa tarde."))
        text(SLOT, {"nome": "Ana"}, contact_id=person.pk, variant="formal")
        deliver(django_capture_on_commit_callbacks, booked(person))

        assert conversions(test) == conversions(second) == 1
