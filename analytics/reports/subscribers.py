"""The funnel steps nothing else keeps, recorded as FunnelMark rows when their events are heard; and
a past day's stored row marked for recomputing when one of its appointments gets its outcome late, or
another system sends a score given that day.

Each runs in the company's schema, in its own transaction, after the publisher committed
(secretaria/events/bus.py): a failure here never touches the reply or the booking.
"""

from analytics.reports.models import FunnelMark
from analytics.reports.services import report_outdate_for_appointment, report_outdate_for_feedback
from conversations.models import Conversation
from secretaria import events

BOOKING_INTENT = "appointment_request"  # conversations.turns.Intent.APPOINTMENT_REQUEST
NEW_BOOKING = "book"  # agenda's Purpose.BOOK: moves and rebookings are not the new-booking funnel


def reply_sent(event: events.ReplySent) -> None:
    if event.intent == BOOKING_INTENT:
        FunnelMark.objects.create(kind=FunnelMark.Kind.BOOKING_INTENT, at=event.occurred_at,
                                  contact_id=event.contact_id, conversation_id=event.conversation_id)


def slots_offered(event: events.SlotsOffered) -> None:
    if event.purpose != NEW_BOOKING:
        return
    # The offer is made while the contact's conversation is open: that is the one it belongs to.
    conversation_id = (Conversation.objects.filter(contact_id=event.contact_id).exclude(
        status=Conversation.Status.CLOSED).values_list("pk", flat=True).first())
    FunnelMark.objects.create(kind=FunnelMark.Kind.SLOTS_OFFERED, at=event.occurred_at, contact_id=event.contact_id,
                              conversation_id=conversation_id, service_id=event.service_id,
                              professional_ids=list(event.professional_ids))


def reminder_answered(event: events.ReminderAnswered) -> None:
    FunnelMark.objects.create(kind=FunnelMark.Kind.REMINDER_ANSWERED, at=event.occurred_at,
                              contact_id=event.contact_id, reminder_id=event.reminder_id,
                              appointment_id=event.appointment_id, answer=event.answer[:16])


def appointment_outcome(event: events.AppointmentAttended | events.AppointmentNoShow) -> None:
    report_outdate_for_appointment(appointment_id=event.appointment_id)


def feedback_received(event: events.FeedbackReceived) -> None:
    report_outdate_for_feedback(feedback_id=event.feedback_id)
