"""What this part does when feedback arrives: the outgoing `feedback.received` webhook.

Outgoing webhooks map each event type to one domain event (analytics/webhooks/events.py), and
`feedback.received` is the follow-up answers' (`FollowUpScored`). An ingested score is the same thing
to a CRM, so this subscriber writes its deliveries under the same name, through the webhooks' own
`deliveries_create` (signing, retries and the delivery log stay theirs). Its `data` has the same keys
as a follow-up answer's (analytics/webhooks/api/payloads.py): `followup_id` null, `appointment` null
when no appointment was named.
"""

from __future__ import annotations

from analytics.feedback.models import Feedback
from analytics.feedback.nps import band
from analytics.webhooks import selectors as webhooks
from analytics.webhooks.services import deliveries_create
from secretaria.events import FeedbackReceived

EVENT_TYPE = "feedback.received"
SENTIMENT = {"promoter": "positive", "passive": "neutral", "detractor": "negative"}  # as agenda's follow-ups


def feedback_webhook_data(feedback: Feedback) -> dict:
    appointment = webhooks.appointment_data(appointment_id=feedback.appointment_id) if feedback.appointment_id else None
    return {
        "feedback_id": feedback.pk, "external_id": feedback.external_id, "source": feedback.source,
        "followup_id": None, "score": feedback.score, "sentiment": SENTIMENT[band(feedback.score)],
        "comment": feedback.comment or None, "flagged": feedback.handoff_at is not None,
        "given_at": webhooks.local_iso(feedback.given_at),
        "appointment": appointment["appointment"] if appointment else None,
        "contact": webhooks.contact_data(feedback.contact),
    }


def feedback_received(event: FeedbackReceived) -> None:
    """Subscriber (setup.py): one delivery per endpoint subscribed to `feedback.received`."""
    endpoints = webhooks.endpoints_for(event_type=EVENT_TYPE)
    if not endpoints:
        return  # nobody listens: nothing is read
    feedback = Feedback.objects.select_related("contact").filter(pk=event.feedback_id).first()
    if feedback is None:
        return
    deliveries_create(event_type=EVENT_TYPE, data=feedback_webhook_data(feedback), occurred_at=event.occurred_at,
                      endpoints=endpoints)
