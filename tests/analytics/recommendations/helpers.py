"""Situations for the recommendation tests, built with the real models and factories.

The clock is frozen by the agenda's automation fixtures (`clock`): Monday 2 March 2026 in São Paulo.
"""

from datetime import datetime, timedelta

from agenda.models import Appointment
from analytics.recommendations.models import Recommendation
from conversations.models import Contact, Outbox
from tests.agenda.factories import AppointmentFactory
from tests.conversations.factories import ContactFactory


def visit(contact: Contact, start: datetime, status: str = Appointment.Status.ATTENDED, **extra) -> Appointment:
    """A past (or future) appointment of `contact`, written as history (no service nor professional
    unless given: a new one per row would only slow the test)."""
    extra.setdefault("service", None)
    extra.setdefault("professional", None)
    return AppointmentFactory(contact=contact, start=start, status=status, **extra)


def customer(name: str, last_visit: datetime | None = None, **contact) -> Contact:
    person = ContactFactory(name=name, **contact)
    if last_visit is not None:
        visit(person, last_visit)
    return person


def weekly(contact: Contact, slot: datetime, outcomes: str, **extra) -> list[Appointment]:
    """One past appointment a week at `slot`'s weekday and hour, 1..n weeks back: 'a' came, 'n' missed."""
    return [visit(contact, slot - timedelta(weeks=week), Appointment.Status.ATTENDED if mark == "a"
                  else Appointment.Status.NO_SHOW, **extra)
            for week, mark in enumerate(outcomes, start=1)]


def only(kind: str) -> Recommendation:
    return Recommendation.objects.get(kind=kind)


def reactivation_keys() -> list[str]:
    return sorted(Outbox.objects.filter(idempotency_key__startswith="reactivation:")
                  .values_list("idempotency_key", flat=True))
