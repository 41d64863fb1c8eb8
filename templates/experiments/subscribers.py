"""What each domain event means for the A/B tests: the outcome it is, if any, for the contact involved.

A test is judged on one outcome; `services.conversions_record` credits the contact's exposure in every
running or paused test judged on it, when the event happened within the test's window. Delivery is at
most once and in-process (secretaria/events/bus.py), and a redelivered event credits nothing twice.
"""

from __future__ import annotations

from secretaria import events
from templates.experiments.models import Experiment
from templates.experiments.selectors import active_tests
from templates.experiments.services import conversions_record

Outcome = Experiment.Outcome
PROMOTER_SCORE = 9


def outcome_of(event: events.DomainEvent) -> str | None:
    """The outcome `event` is, or None when it is none (a reaction, a reschedule answer, a score of 8)."""
    match event:
        case events.MessageReceived(answered=True):
            return Outcome.REPLIED  # reactions and statuses are stored unanswered: not a reply
        case events.AppointmentBooked():
            return Outcome.BOOKED
        case events.ReminderAnswered(answer="confirm"):
            return Outcome.REMINDER_CONFIRMED
        case events.AppointmentAttended():
            return Outcome.ATTENDED
        case events.FollowUpScored(score=int(score)) if score >= PROMOTER_SCORE:
            return Outcome.PROMOTER
    return None


def outcome_heard(event: events.DomainEvent) -> None:
    outcome = outcome_of(event)
    if outcome is None:
        return
    # Every inbound message is heard here: a company with no test judged on this outcome pays no query.
    if not any(test.outcome == outcome for test in active_tests()):
        return
    conversions_record(contact_id=event.contact_id, outcome=outcome, at=event.occurred_at, event=event.name())


HEARD = (events.MessageReceived, events.AppointmentBooked, events.ReminderAnswered, events.AppointmentAttended,
         events.FollowUpScored)
