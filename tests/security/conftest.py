"""What the security battery shares: the OpenAPI schema as each host serves it, its operations,
and one row of each resource with an id in a company (so `{id}` routes reach real rows).

The matrices (tenants, roles) and the schemathesis run are generated from the schema: an endpoint
added tomorrow is in them without editing a test.
"""

import json
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.roles import Role
from analytics.recommendations.models import Recommendation
from analytics.webhooks.models import WebhookEndpoint
from conversations.core.ingest import dead_letter_record
from tenants.models import Company
from tests.agenda.factories import AppointmentFactory
from tests.conftest import host_of, member
from tests.conversations.factories import ChannelFactory, ContactFactory, ConversationFactory, MessageFactory

WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    method: str  # lower case, as in the schema
    path: str  # as in the schema, "/api/users/{id}/"
    spec: dict

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def resource(self) -> str:
        """The first path segment after /api/ ("agenda/appointments" for the agenda's)."""
        parts = self.path.strip("/").split("/")[1:]
        return "/".join(parts[:2]) if parts[0] == "agenda" else parts[0]

    @property
    def authenticated(self) -> bool:
        return bool(self.spec.get("security"))

    def url(self, ids: dict[str, int]) -> str:
        """The path with `{id}` filled in with the id of this resource's row in `ids`."""
        return self.path.replace("{id}", str(ids.get(self.resource, 1)))


def openapi_schema(company: Company | None) -> dict:
    """The schema the host serves (a company's host, or the public host for None)."""
    response = APIClient(HTTP_HOST=host_of(company)).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def operations(schema: dict) -> list[Operation]:
    return [Operation(method, path, spec) for path, item in sorted(schema["paths"].items())
            for method, spec in item.items() if method in ("get", "post", "put", "patch", "delete")]


def rows_of_each(company: Company, marker: str) -> dict[str, int]:
    """One row per `{id}` resource in `company`, by resource (see Operation.resource), committed
    only as far as the calling test's transaction."""
    with schema_context(company.schema_name):
        channel = ChannelFactory(name=f"Canal {marker}")
        contact = ContactFactory(name=f"Cliente {marker}")
        conversation = ConversationFactory(contact=contact, channel=channel)
        message = MessageFactory(conversation=conversation, text=f"Mensagem de {marker}")
        appointment = AppointmentFactory(contact=contact)
        dead_letter = dead_letter_record(source="webhook:sandbox", reason=f"falha {marker}",
                                         payload={"marker": marker}, message=message, channel_id=channel.pk)
        viewer = member(company, Role.VIEWER)
        recommendation = Recommendation.objects.create(
            kind=Recommendation.Kind.HANDOFF_SLA, subject=f"teste-{marker}", title=f"Recomendação {marker}")
        # Written as a row: the URL check of endpoint_create would resolve the host name.
        endpoint = WebhookEndpoint.objects.create(url=f"https://hooks.example.com/{marker}",
                                                  events=["booking.created"])
    return {"channels": channel.pk, "conversations": conversation.pk, "agenda/appointments": appointment.pk,
            "dead-letters": dead_letter.pk, "users": viewer.pk, "analytics": recommendation.pk,
            "webhooks": endpoint.pk}


@pytest.fixture
def keep_db_connection():
    """Requests made through the WSGI app (not the test client) would close the test's connection
    at the end of each request, and with it the test's transaction; the test client avoids that the
    same way: by not closing connections on Django's request signals."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
