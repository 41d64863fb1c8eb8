"""Outgoing webhooks on the company admin: added through the services (the secret shown once), a "send test
event" action, deliveries read-only; viewers look, managers change."""

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.analytics.webhooks.helpers import SP, endpoint_to
from tests.conftest import host_of, member

BASE = "/admin/analytics"


def browser(company, role: str) -> Client:
    client = Client(HTTP_HOST=host_of(company))
    with schema_context(company.schema_name):
        client.force_login(member(company, role))
    return client


def test_a_manager_adds_an_endpoint_and_sees_its_secret_once(acme, hooks, receiver):
    response = browser(acme, "manager").post(f"{BASE}/webhookendpoint/add/", {
        "url": f"{receiver.url}/ok", "description": "Planilha", "events": ["booking.created", "feedback.received"],
        "enabled": "on"}, follow=True)

    assert response.status_code == 200
    with schema_context("acme"):
        endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.description, endpoint.events) == ("Planilha", ["booking.created", "feedback.received"])
    shown = [str(m) for m in response.context["messages"]]
    assert any(endpoint.secret in text and text.startswith("Segredo do webhook") for text in shown)


def test_a_private_url_is_refused_by_the_form(acme, hooks):
    hooks.WEBHOOKS_ALLOW_PRIVATE_URLS = False

    response = browser(acme, "owner").post(f"{BASE}/webhookendpoint/add/", {
        "url": "http://127.0.0.1:9/hook", "events": ["booking.created"], "enabled": "on"})

    assert response.status_code == 200  # the form again, with the error
    assert "rede interna" in response.content.decode()
    with schema_context("acme"):
        assert not WebhookEndpoint.objects.exists()


def test_the_test_event_action_delivers_and_the_log_opens(acme, hooks, receiver, captured):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
    client = browser(acme, "manager")

    with captured():
        client.post(f"{BASE}/webhookendpoint/", {"action": "send_test_event", "_selected_action": [endpoint.pk]})

    [got] = receiver.received("/ok")
    assert got.payload["type"] == "webhook.test"
    with schema_context("acme"):
        delivery = WebhookDelivery.objects.get()
    assert client.get(f"{BASE}/webhookdelivery/").status_code == 200
    endpoints = client.get(f"{BASE}/webhookendpoint/").content.decode()
    assert f"200 em {timezone.localtime(delivery.last_attempt_at, SP):%d/%m/%Y %H:%M}" in endpoints
    page = client.get(f"{BASE}/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and delivery.message_id in page.content.decode()
    assert client.get(f"{BASE}/webhookendpoint/{endpoint.pk}/change/").status_code == 200


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_neither_see_nor_use_the_endpoints(role, acme, hooks, receiver, captured):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        delivery_count = WebhookDelivery.objects.count()
    client = browser(acme, role)

    assert client.get(f"{BASE}/webhookendpoint/").status_code == 403
    assert client.get(f"{BASE}/webhookdelivery/").status_code == 403
    assert client.get(f"{BASE}/webhookendpoint/add/").status_code == 403
    with captured():
        client.post(f"{BASE}/webhookendpoint/", {"action": "send_test_event", "_selected_action": [endpoint.pk]})
    assert receiver.received() == []
    assert client.get(f"{BASE}/webhookendpoint/{endpoint.pk}/change/").status_code == 403
    assert "webhookendpoint" not in client.get("/admin/").content.decode()
    with schema_context("acme"):
        assert WebhookDelivery.objects.count() == delivery_count
