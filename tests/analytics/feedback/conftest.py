"""Feedback's cast: acme with a customer, Paula (a São Paulo mobile), a CRM holding an integration key,
and a client that calls the ingest with it.

    def test_x(acme, crm, paula):
        response = crm.ingest(external_id="r-1", contact_phone="+55 11 98888-7777", score=10, source="google")
"""

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from analytics.feedback.services import feedback_key_create
from conversations.models import Contact
from tests.conftest import host_of
from tests.conversations.factories import ContactFactory

INGEST = "/api/feedback/ingest"
PAULA_PHONE = "5511988887777"


@dataclass
class Caller:
    """Another system calling a company's host with an integration key (or none)."""

    client: APIClient
    key_id: int | None = None
    secret: str = ""

    def ingest(self, **body):
        return self.client.post(INGEST, body, format="json")


def caller(company, secret: str = "", key_id: int | None = None) -> Caller:
    client = APIClient(HTTP_HOST=host_of(company))
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return Caller(client, key_id, secret)


@pytest.fixture
def crm(acme) -> Caller:
    with schema_context("acme"):
        key, secret = feedback_key_create(name="CRM", actor="owner@acme.test")
    return caller(acme, secret, key.pk)


@pytest.fixture
def paula(acme) -> Contact:
    with schema_context("acme"):
        return ContactFactory(phone=PAULA_PHONE, name="Paula Souza")


def review(**fields) -> dict:
    """A valid ingest body about Paula, overridden by `fields`."""
    return {"external_id": "google-1", "contact_phone": "+55 (11) 98888-7777", "score": 10, "source": "google",
            "comment": "Atendimento ótimo.", **fields}
