"""LGPD erasure reaches the scores other systems sent: the customer's words go, the score stays counted."""

from django_tenants.utils import schema_context

from analytics.feedback.models import Feedback
from analytics.feedback.services import feedback_ingest
from compliance.lgpd.services import erasure_of_contact
from tests.conversations.factories import ContactFactory


def test_an_erasure_blanks_the_customers_comments_and_keeps_the_scores(acme, paula):
    with schema_context("acme"):
        other = ContactFactory(name="Rui")
        for n, contact in enumerate((paula, paula, other)):
            feedback_ingest(external_id=f"e-{n}", contact_id=contact.pk, score=8, source="crm",
                            comment=f"Comentário {n} de {contact.name}")

        request = erasure_of_contact(contact=paula, requested_by="dono@acme.test", channel="api")

        rows = list(Feedback.objects.order_by("external_id").values_list("contact_id", "score", "comment"))
    assert request.result["feedback_comments"] == 2
    assert rows == [(paula.pk, 8, ""), (paula.pk, 8, ""), (other.pk, 8, "Comentário 2 de Rui")]
