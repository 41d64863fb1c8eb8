"""Ingested feedback publishes `FeedbackReceived` once, and the company's endpoints subscribed to
`feedback.received` get it, as they get the follow-up answers: through the webhooks' signed deliveries."""

import json

from django_tenants.utils import schema_context

from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from secretaria.events import FeedbackReceived
from tests.agenda.factories import AppointmentFactory
from tests.analytics.feedback.conftest import review
from tests.security.events import heard


def endpoint(*events: str) -> WebhookEndpoint:
    # Written as a row: endpoint_create's URL check would resolve the host name.
    return WebhookEndpoint.objects.create(url="https://crm.example.com/hooks", events=list(events))


def test_ingesting_publishes_feedback_received_once(acme, crm, paula, django_capture_on_commit_callbacks):
    with heard(FeedbackReceived) as received, django_capture_on_commit_callbacks(execute=True):
        first = crm.ingest(**review(score=2, comment="Demorou."))
        crm.ingest(**review(score=2, comment="Demorou."))  # a retry publishes nothing

    [event] = received
    assert (event.feedback_id, event.contact_id, event.score, event.source, event.handoff_conversation_id) == (
        first.json()["id"], paula.pk, 2, "google", first.json()["handoff_conversation_id"])


def test_a_subscribed_endpoint_gets_a_feedback_received_delivery(acme, crm, paula,
                                                                 django_capture_on_commit_callbacks):
    with schema_context("acme"):
        hook = endpoint("feedback.received")
        other = endpoint("booking.created")
        visit = AppointmentFactory(contact=paula)

    with django_capture_on_commit_callbacks(execute=True):
        response = crm.ingest(**review(score=3, comment="Demorou.", appointment_id=visit.pk,
                                       timestamp="2026-03-02T18:30:00-03:00"))

    with schema_context("acme"):
        [delivery] = WebhookDelivery.objects.filter(event_type="feedback.received")
        assert delivery.endpoint_id == hook.pk and not WebhookDelivery.objects.filter(endpoint=other).exists()
    body = json.loads(delivery.body)
    data = body["data"]
    assert body["type"] == "feedback.received"
    assert {k: data[k] for k in ("feedback_id", "external_id", "source", "followup_id", "score", "sentiment",
                                 "comment", "flagged", "given_at")} == {
        "feedback_id": response.json()["id"], "external_id": "google-1", "source": "google", "followup_id": None,
        "score": 3, "sentiment": "negative", "comment": "Demorou.", "flagged": True,
        "given_at": "2026-03-02T18:30:00-03:00"}
    assert data["contact"] == {"id": paula.pk, "name": "Paula Souza", "phone": "+5511988887777"}
    assert data["appointment"]["id"] == visit.pk


def test_without_an_appointment_the_body_says_so(acme, crm, paula, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        endpoint("feedback.received")

    with django_capture_on_commit_callbacks(execute=True):
        crm.ingest(**review(score=9, comment=""))

    with schema_context("acme"):
        data = json.loads(WebhookDelivery.objects.get().body)["data"]
    assert (data["appointment"], data["sentiment"], data["comment"], data["flagged"]) == (None, "positive", None,
                                                                                          False)


def test_nobody_subscribed_means_no_delivery(acme, crm, paula, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        endpoint("booking.created")

    with django_capture_on_commit_callbacks(execute=True):
        crm.ingest(**review())

    with schema_context("acme"):
        assert not WebhookDelivery.objects.exists()
