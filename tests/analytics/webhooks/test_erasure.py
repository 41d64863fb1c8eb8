"""LGPD erasure reaches the copies the webhooks keep: a delivery's body names the customer, and the
erasure (compliance) blanks name and phone there too, through secretaria/personal_data.py."""

import json

from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.webhooks.models import WebhookDelivery
from analytics.webhooks.selectors import contact_data
from analytics.webhooks.services import deliveries_create
from compliance.lgpd.services import erasure_of_contact
from tests.analytics.webhooks.helpers import endpoint_to
from tests.conversations.factories import ContactFactory

PHONE, OTHER = "5511987654321", "5511912340000"


def test_an_erasure_blanks_the_customer_in_every_stored_body_and_leaves_the_others(acme, hooks, receiver):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        erased, kept = ContactFactory(phone=PHONE, name="Joana Prado"), ContactFactory(phone=OTHER, name="Rui")
        for contact in (erased, kept):
            deliveries_create(event_type="booking.created", occurred_at=timezone.now(), endpoints=[endpoint],
                              data={"appointment": {"id": 7}, "contact": contact_data(contact)})

        request = erasure_of_contact(contact=erased, requested_by="dono@acme.test", channel="api")

        bodies = [json.loads(body) for body in WebhookDelivery.objects.order_by("pk").values_list("body", flat=True)]
        raw = "".join(WebhookDelivery.objects.values_list("body", flat=True))
    assert request.result["webhook_deliveries"] == 1
    assert bodies[0]["data"]["contact"] == {"id": erased.pk, "name": None, "phone": None}
    assert bodies[0]["data"]["appointment"] == {"id": 7}  # the rest of the event stays
    assert bodies[1]["data"]["contact"] == {"id": kept.pk, "name": "Rui", "phone": f"+{OTHER}"}
    assert PHONE not in raw and "Joana" not in raw
