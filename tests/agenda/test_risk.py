"""The no-show risk score on synthetic history where the answer is known (acceptance 3)."""

from datetime import datetime, timedelta

import pytest
from django.db.models import F
from prometheus_client import REGISTRY

from agenda.models import Appointment, Reminder
from agenda.services.reminders import reminders_due_enqueue
from agenda.services.risk import appointments_score_upcoming
from conversations.models import Contact
from tests.agenda.automation_helpers import at, outbox_keys
from tests.conversations.factories import ContactFactory

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock (eager: tests/conftest.py)

NOW = at(2, 9)  # Monday 2 March 2026, 09:00


@pytest.fixture
def acme_now(in_acme, clock):
    clock(NOW)
    return in_acme


def person(name: str) -> Contact:
    return ContactFactory(name=name)


def past(contact: Contact, slot: datetime, outcomes: str, *, lead: timedelta = timedelta(days=3),
         confirmed: bool = False) -> None:
    """One past appointment a week for each outcome, most recent last week, same weekday and hour
    as `slot`: "nnna" = missed three, then came once ('a' attended, 'n' no-show)."""
    rows = Appointment.objects.bulk_create([
        Appointment(contact=contact, start=slot - timedelta(weeks=week), end=slot - timedelta(weeks=week, minutes=-30),
                    status="no_show" if outcome == "n" else "attended",
                    confirmed_at=slot - timedelta(weeks=week, days=1) if confirmed else None)
        for week, outcome in enumerate(outcomes, start=1)])
    Appointment.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=F("start") - lead)


def upcoming(contact: Contact, start: datetime, *, created_at: datetime = NOW, confirmed: bool = False) -> Appointment:
    appointment = Appointment.objects.create(contact=contact, start=start, end=start + timedelta(minutes=30),
                                             status="confirmed" if confirmed else "pending",
                                             confirmed_at=NOW if confirmed else None)
    Appointment.objects.filter(pk=appointment.pk).update(created_at=created_at)
    return appointment


def risk(appointment: Appointment) -> float:
    return Appointment.objects.get(pk=appointment.pk).risk_score


MONDAY_8 = at(9, 8)  # next Monday 08:00
WEDNESDAY_15 = at(4, 15)


@pytest.fixture
def known_history(acme_now):
    """Five contacts who always miss Monday 8h, five who always come then, ten regulars of
    Wednesday 15h who miss now and then; each of them (and two newcomers) booked again."""
    missers = [person(f"Falta {i}") for i in range(5)]
    comers = [person(f"Vem {i}") for i in range(5)]
    for contact in missers:
        past(contact, MONDAY_8, "nnnnnn")
    for contact in comers:
        past(contact, MONDAY_8, "aaaaaa")
    for i in range(10):
        past(person(f"Quarta {i}"), WEDNESDAY_15, "aaaaan")
    return {
        "missers": [upcoming(c, MONDAY_8) for c in missers],
        "comers": [upcoming(c, MONDAY_8) for c in comers],
        "new_monday": upcoming(person("Nova segunda"), MONDAY_8),
        "new_wednesday": upcoming(person("Nova quarta"), WEDNESDAY_15),
    }


def test_contacts_who_always_miss_monday_8h_score_higher_than_those_who_always_come(known_history):
    assert appointments_score_upcoming() == 12

    missers = [risk(a) for a in known_history["missers"]]
    comers = [risk(a) for a in known_history["comers"]]
    assert min(missers) > max(comers)
    assert min(missers) >= 0.5 > max(comers)  # the default high-risk threshold splits them
    # With no history of their own, Monday 8h (half missed) is riskier than Wednesday 15h.
    assert risk(known_history["new_monday"]) > risk(known_history["new_wednesday"])
    assert all(0 <= risk(a) <= 1 for group in ("missers", "comers") for a in known_history[group])


def test_the_factors_behind_a_score_are_stored(known_history):
    appointments_score_upcoming()

    factors = Appointment.objects.get(pk=known_history["missers"][0].pk).risk_factors
    by_name = {f["factor"]: f for f in factors["factors"]}
    assert set(by_name) == {"weekday", "hour", "lead", "contact", "confirmed"}
    assert by_name["weekday"]["value"] == "segunda-feira" and by_name["hour"]["value"] == "8h"
    assert by_name["contact"]["seen"] == 6 and by_name["contact"]["effect"] > 0
    assert by_name["lead"]["value"] == "3 a 7 dias"  # booked on Monday 09:00 for next Monday 08:00
    assert 0 < factors["base_rate"] < 1


def test_high_risk_appointments_get_one_extra_reminder_3h_before(known_history, clock, eager,
                                                                 django_capture_on_commit_callbacks):
    before = REGISTRY.get_sample_value("appointments_risk_high_total") or 0

    with django_capture_on_commit_callbacks(execute=True):
        appointments_score_upcoming()
        appointments_score_upcoming()  # the daily run again: nothing new

    extra = Reminder.objects.filter(kind="high_risk")
    flagged = set(extra.values_list("appointment_id", flat=True))
    assert {a.pk for a in known_history["missers"]} <= flagged
    assert not flagged & {a.pk for a in known_history["comers"]}
    assert len(flagged) == extra.count()  # one each
    assert set(extra.values_list("due_at", flat=True)) == {at(9, 5)}
    assert REGISTRY.get_sample_value("appointments_risk_high_total") == before + len(flagged)

    clock(at(9, 5))
    assert reminders_due_enqueue() == len(flagged)
    assert outbox_keys("reminder:") == sorted(f"reminder:{pk}" for pk in extra.values_list("pk", flat=True))


def test_more_past_no_shows_mean_more_risk(acme_now):
    thursday_14 = at(5, 14)
    ladder = []
    for missed in range(7):
        contact = person(f"Cliente {missed}")
        past(contact, thursday_14, "n" * missed + "a" * (6 - missed))
        ladder.append(upcoming(contact, thursday_14))

    appointments_score_upcoming()

    scores = [risk(a) for a in ladder]
    assert scores == sorted(scores) and len(set(scores)) == 7


def test_a_confirmed_appointment_is_less_risky_even_without_history(acme_now):
    confirmed = upcoming(person("Confirmou"), WEDNESDAY_15, confirmed=True)
    unconfirmed = upcoming(person("Não respondeu"), WEDNESDAY_15)

    appointments_score_upcoming()

    assert risk(confirmed) < risk(unconfirmed)


def test_history_of_confirmations_lowers_the_risk_of_confirmed_appointments_further(acme_now):
    for i in range(10):
        past(person(f"Confirma {i}"), WEDNESDAY_15, "aaaa", confirmed=True)
        past(person(f"Ignora {i}"), WEDNESDAY_15, "nnaa")
    confirmed = upcoming(person("Confirmou"), WEDNESDAY_15, confirmed=True)
    unconfirmed = upcoming(person("Não respondeu"), WEDNESDAY_15)

    appointments_score_upcoming()

    assert risk(unconfirmed) - risk(confirmed) > 0.15


def test_bookings_made_long_in_advance_are_riskier_when_history_says_so(acme_now):
    tuesday_10 = at(3, 10)
    for i in range(10):
        past(person(f"Cedo {i}"), tuesday_10, "nana", lead=timedelta(days=20))
        past(person(f"Em cima {i}"), tuesday_10, "aaaa", lead=timedelta(days=2))
    early = upcoming(person("Marcou cedo"), tuesday_10, created_at=tuesday_10 - timedelta(days=20))
    late = upcoming(person("Marcou ontem"), tuesday_10, created_at=tuesday_10 - timedelta(days=2))

    appointments_score_upcoming()

    assert risk(early) > risk(late)


def test_only_active_appointments_of_the_next_days_are_scored(acme_now):
    contact = person("Alguém")
    soon = upcoming(contact, WEDNESDAY_15)
    far = upcoming(contact, at(20, 15))
    cancelled = upcoming(contact, at(5, 15))
    Appointment.objects.filter(pk=cancelled.pk).update(status="cancelled")

    assert appointments_score_upcoming() == 1
    assert risk(soon) is not None and risk(far) is None and risk(cancelled) is None
