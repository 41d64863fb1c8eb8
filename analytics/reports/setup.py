"""What this part hooks up when the app is ready: the funnel's event subscribers and its Celery task."""

import analytics.reports.tasks  # noqa: F401 - registers the task (celery autodiscovers analytics.tasks only)
from analytics.reports import subscribers
from secretaria import events


def setup() -> None:
    """Called once from AnalyticsConfig.ready(); idempotent (subscribe ignores a handler already there)."""
    events.subscribe(events.ReplySent, subscribers.reply_sent)
    events.subscribe(events.SlotsOffered, subscribers.slots_offered)
    events.subscribe(events.ReminderAnswered, subscribers.reminder_answered)
    events.subscribe(events.AppointmentAttended, subscribers.appointment_outcome)
    events.subscribe(events.AppointmentNoShow, subscribers.appointment_outcome)
    events.subscribe(events.FeedbackReceived, subscribers.feedback_received)
