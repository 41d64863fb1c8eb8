"""What the webhook tests share besides fixtures: endpoints at the local receiver, the clock's moves,
and the OpenAPI components the bodies are checked against."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from analytics.webhooks.services import endpoint_create
from tests.analytics.webhooks.receiver import Receiver
from tests.conftest import host_of

SP = ZoneInfo("America/Sao_Paulo")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=SP)  # São Paulo has no daylight saving since 2019


def endpoint_to(receiver: Receiver, path: str, events: list[str], **kwargs) -> WebhookEndpoint:
    """An endpoint at the receiver's `path`, whose deliveries the receiver verifies with its secret."""
    endpoint = endpoint_create(url=receiver.url + path, events=events, **kwargs)
    receiver.expect(path, endpoint.secret)
    return endpoint


def deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))


def openapi_components(company) -> dict:
    response = APIClient(HTTP_HOST=host_of(company)).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def as_json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` as a union with null, and objects closed
    (`additionalProperties: false`), so a field sent but not documented fails too."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def body_problems(schema: dict, component: str, body: dict) -> list[str]:
    """Every way `body` breaks the documented component (empty: it conforms)."""
    root = {"$ref": f"#/components/schemas/{component}", "components": as_json_schema(schema["components"])}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(body)]
