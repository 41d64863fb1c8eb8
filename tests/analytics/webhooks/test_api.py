"""/api/webhooks: owners and managers register, change, test and delete endpoints; every member reads them
and their delivery log; bad input is a pt-BR 400; another company's endpoint is not found."""

import base64
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.webhooks.api.payloads import EVENTS
from analytics.webhooks.events import EVENT_TYPES
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from analytics.webhooks.services import CREDENTIALS_IN_URL
from secretaria.url_check import INTERNAL, INVALID
from tests.analytics.webhooks.helpers import MONDAY_9, endpoint_to, openapi_components

URL = "/api/webhooks"
VALID = ("booking.created, booking.cancelled, booking.rescheduled, appointment.attended, appointment.no_show, "
         "handoff.opened, feedback.received, quota.alert, recommendation.created")


def test_an_owner_registers_an_endpoint_and_sees_its_secret_only_once(acme, api, hooks, receiver):
    client = api(acme, "owner")

    response = client.post(URL, {"url": f"{receiver.url}/ok", "description": "n8n",
                                 "events": ["handoff.opened", "booking.created", "booking.created"]}, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and len(base64.b64decode(created["secret"][6:])) == 32
    assert (created["url"], created["events"], created["enabled"]) == (f"{receiver.url}/ok",
                                                                       ["booking.created", "handoff.opened"], True)
    assert "secret" not in client.get(f"{URL}/{created['id']}").json()
    listed = client.get(URL).json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    with schema_context("acme"):
        assert WebhookEndpoint.objects.get().secret == created["secret"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM analytics_webhookendpoint")
            stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:") and created["secret"] not in stored  # encrypted like channel secrets


def test_an_unknown_event_type_is_a_400_that_lists_the_valid_ones(acme, api, hooks, receiver):
    client = api(acme, "manager")

    unknown = client.post(URL, {"url": f"{receiver.url}/ok", "events": ["booking.created", "pedido.pago"]},
                          format="json")
    empty = client.post(URL, {"url": f"{receiver.url}/ok", "events": []}, format="json")

    assert unknown.status_code == 400
    assert unknown.json() == {"events": {"1": [f"Tipo de evento desconhecido: pedido.pago. Os válidos são: {VALID}."]}}
    assert VALID == ", ".join(EVENT_TYPES)
    assert empty.status_code == 400 and empty.json() == {"events": ["Escolha ao menos um tipo de evento."]}


@pytest.mark.parametrize("url, problem", [
    ("http://127.0.0.1:8080/hook", INTERNAL),
    ("http://localhost/hook", INTERNAL),
    ("http://10.0.0.5/hook", INTERNAL),
    ("http://[::1]/hook", INTERNAL),
    ("http://169.254.169.254/latest/meta-data", INTERNAL),
    ("ftp://example.com/hook", INVALID),
    ("http://user:senha@example.com/hook", CREDENTIALS_IN_URL),
])
def test_a_url_that_is_not_a_public_http_address_is_refused(url, problem, acme, api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    settings.ALLOW_PRIVATE_BASE_URLS = True  # a self-hosted install's LLM may sit on the LAN; its webhooks may not

    response = api(acme, "owner").post(URL, {"url": url, "events": ["booking.created"]}, format="json")

    assert response.status_code == 400 and response.json() == {"url": [problem]}


def test_a_company_has_at_most_the_configured_number_of_endpoints(acme, api, hooks, receiver):
    hooks.WEBHOOKS_MAX_ENDPOINTS = 2
    client = api(acme, "owner")

    answers = [client.post(URL, {"url": f"{receiver.url}/ok", "events": ["booking.created"]}, format="json")
               for _ in range(3)]

    assert [a.status_code for a in answers] == [201, 201, 400]
    assert answers[2].json() == {"non_field_errors": [
        "Limite de 2 webhooks por empresa; apague um que não use mais."]}


def test_patch_changes_what_it_names_and_re_enabling_resets_the_failure_clock(acme, api, hooks, receiver):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            enabled=False, failing_since=timezone.now() - timedelta(hours=25), disabled_at=timezone.now(),
            note="Desativado automaticamente em 02/03/2026 às 09:00: nenhuma entrega aceita em 24 horas.")
    client = api(acme, "manager")

    enabled = client.patch(f"{URL}/{endpoint.pk}", {"enabled": True}, format="json")
    changed = client.patch(f"{URL}/{endpoint.pk}", {"events": ["booking.cancelled"], "description": "CRM"},
                           format="json")
    hooks.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    private = client.patch(f"{URL}/{endpoint.pk}", {"url": "http://127.0.0.1:9/x"}, format="json")

    assert enabled.status_code == 200
    assert {k: enabled.json()[k] for k in ("enabled", "failing_since", "disabled_at", "note")} == {
        "enabled": True, "failing_since": None, "disabled_at": None, "note": ""}
    assert (changed.json()["events"], changed.json()["description"], changed.json()["url"]) == (
        ["booking.cancelled"], "CRM", f"{receiver.url}/ok")
    assert private.status_code == 400 and private.json() == {"url": [INTERNAL]}
    assert api(acme, "manager").patch(f"{URL}/{endpoint.pk}", {"enabled": False}, format="json").json()[
        "enabled"] is False


def test_the_test_action_and_the_delivery_log(acme, api, hooks, receiver, captured, time_machine):
    time_machine.move_to(MONDAY_9, tick=False)
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/fail", ["booking.created"])
    client = api(acme, "owner")

    with captured():
        failed = client.post(f"{URL}/{endpoint.pk}/test")
    with schema_context("acme"):
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"{receiver.url}/ok")
        receiver.expect("/ok", endpoint.secret)
    with captured():
        delivered = client.post(f"{URL}/{endpoint.pk}/test")
    log = api(acme, "manager").get(f"{URL}/{endpoint.pk}/deliveries").json()

    assert failed.status_code == delivered.status_code == 202
    assert (failed.json()["event_type"], failed.json()["status"]) == ("webhook.test", "pending")
    [got] = receiver.received("/ok")
    assert got.payload["type"] == "webhook.test" and got.headers["webhook-id"] == delivered.json()["webhook_id"]
    assert log["count"] == 2
    newest, oldest = log["results"]
    assert {k: newest[k] for k in ("id", "event_type", "status", "attempts", "status_code", "error",
                                   "next_attempt_at")} == {
        "id": delivered.json()["id"], "event_type": "webhook.test", "status": "delivered", "attempts": 1,
        "status_code": 200, "error": "", "next_attempt_at": None}
    assert newest["delivered_at"] is not None and newest["duration_ms"] >= 0 and newest["created_at"]
    assert newest["payload"] == got.payload
    assert (oldest["status"], oldest["attempts"], oldest["status_code"], oldest["error"]) == (
        "pending", 1, 500, "O endpoint respondeu 500.")
    retry_in = (datetime.fromisoformat(oldest["next_attempt_at"]) - MONDAY_9).total_seconds()
    assert 4 <= retry_in <= 6  # 5 s, ±20 %


def test_delete_removes_the_endpoint_and_its_log(acme, api, hooks, receiver, captured):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
    client = api(acme, "owner")
    with captured():
        client.post(f"{URL}/{endpoint.pk}/test")

    assert client.delete(f"{URL}/{endpoint.pk}").status_code == 204
    assert client.get(f"{URL}/{endpoint.pk}").status_code == 404
    with schema_context("acme"):
        assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_neither_read_nor_change(role, acme, api, hooks, receiver):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
    client, detail = api(acme, role), f"{URL}/{endpoint.pk}"

    reads = [client.get(URL), client.get(detail), client.get(f"{detail}/deliveries")]
    writes = [client.post(URL, {"url": f"{receiver.url}/ok", "events": ["booking.created"]}, format="json"),
              client.patch(detail, {"enabled": False}, format="json"), client.post(f"{detail}/test"),
              client.delete(detail)]

    assert [r.status_code for r in reads] == [403, 403, 403]  # URLs work as credentials; bodies hold PII
    assert [r.status_code for r in writes] == [403, 403, 403, 403]


@pytest.mark.parametrize("role", ["manager", "owner"])
def test_managers_and_owners_write(role, acme, api, hooks, receiver, captured):
    client = api(acme, role)

    created = client.post(URL, {"url": f"{receiver.url}/ok", "events": ["booking.created"]}, format="json")
    detail = f"{URL}/{created.json()['id']}"
    with captured():
        tested = client.post(f"{detail}/test")
    changed = client.patch(detail, {"enabled": False}, format="json")

    assert [created.status_code, tested.status_code, changed.status_code] == [201, 202, 200]
    assert client.delete(detail).status_code == 204


def test_no_token_no_access_and_another_companys_endpoint_is_not_found(acme, globex, api, hooks, receiver):
    with schema_context("acme"):
        endpoint = endpoint_to(receiver, "/ok", ["booking.created"])
    other = api(globex, "owner")

    assert api(acme).get(URL).status_code == 401
    assert other.get(URL).json()["count"] == 0
    for response in (other.get(f"{URL}/{endpoint.pk}"), other.get(f"{URL}/{endpoint.pk}/deliveries"),
                     other.patch(f"{URL}/{endpoint.pk}", {"enabled": False}, format="json"),
                     other.post(f"{URL}/{endpoint.pk}/test"), other.delete(f"{URL}/{endpoint.pk}")):
        assert response.status_code == 404
        assert response.json() == {"detail": "Webhook não encontrado."}


def test_the_openapi_schema_documents_every_events_body_as_a_callback(acme):
    schema = openapi_components(acme)

    register = schema["paths"]["/api/webhooks"]["post"]
    assert set(register["callbacks"]) == set(EVENTS) == {*EVENT_TYPES, "webhook.test"}
    created = register["callbacks"]["booking.created"]["{$request.body#/url}"]["post"]
    assert created["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookingCreatedEvent"}
    kind = schema["components"]["schemas"]["BookingCreatedEvent"]["properties"]["type"]
    assert schema["components"]["schemas"][kind["$ref"].rsplit("/", 1)[1]]["enum"] == ["booking.created"]
    assert {"/api/webhooks/{id}", "/api/webhooks/{id}/test", "/api/webhooks/{id}/deliveries"} <= set(schema["paths"])
