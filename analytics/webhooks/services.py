"""Writes of outgoing webhooks: endpoints, and the deliveries owed to them.

- `endpoint_create/update/delete`: what an owner or manager registers (API and admin);
- `event_heard`: the domain-event subscriber. It only writes one delivery row per subscribed
  endpoint and queues the sending task once that commits: no HTTP here, so the reply pipeline,
  which runs the subscribers after its commit, pays a query or two at most;
- `deliveries_due_enqueue`: the minute sweeper, which re-queues what is due, so a lost Celery
  message or a dead worker delays a delivery but never drops it.

The sending itself is delivery.py's.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from analytics.webhooks import selectors
from analytics.webhooks.events import BY_SOURCE, EVENT_TYPES, TEST_EVENT, EventType, valid_types_text
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from secretaria.events import DomainEvent, SettingsChanged, publish
from secretaria.queue import task_delay
from secretaria.url_check import address_problem, base_url_problem
from tenants.models import Company

log = structlog.get_logger(__name__)
DELIVER_TASK = "analytics.webhook_deliver"
# A queued delivery is not queued again by the sweeper for this long (its message may still be waiting
# in a busy queue); after it, a lost message is replaced.
QUEUE_LEASE = timedelta(minutes=2)
# A sending task's claim: longer than the task's hard time limit (tasks.py), so an older claim is a dead
# worker's and the delivery may be taken again.
SEND_LEASE = timedelta(minutes=2)
SWEEP_BATCH = 500
CREDENTIALS_IN_URL = "Não coloque usuário ou senha na URL: o segredo do webhook já autentica cada envio."


# --- the SSRF guard ------------------------------------------------------------------------------

def url_problem(url: str) -> str | None:
    """Why `url` cannot receive webhooks (pt-BR), or None. Checked when saved AND before each attempt.

    The base-URL check of secretaria/url_check.py, and stricter: webhook URLs must resolve to public
    addresses even where ALLOW_PRIVATE_BASE_URLS lets a company's LLM server sit on the LAN, unless
    WEBHOOKS_ALLOW_PRIVATE_URLS says so too (an n8n next to a self-hosted install, the tests).
    """
    problem = base_url_problem(url)
    if problem and problem.startswith("Não coloque usuário"):
        return CREDENTIALS_IN_URL
    if problem or settings.WEBHOOKS_ALLOW_PRIVATE_URLS or not settings.ALLOW_PRIVATE_BASE_URLS:
        return problem  # without ALLOW_PRIVATE_BASE_URLS, base_url_problem already checked the addresses
    parts = urlsplit(url)
    return address_problem(parts.hostname, parts.port)


# --- endpoints -----------------------------------------------------------------------------------

def _checked_url(url: str) -> str:
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        raise ValidationError({"url": [problem]})
    return url


def _checked_events(events: list[str]) -> list[str]:
    unknown = [name for name in events if name not in EVENT_TYPES]
    if unknown:
        raise ValidationError({"events": [f"Tipo de evento desconhecido: {', '.join(unknown)}. "
                                          f"Os válidos são: {valid_types_text()}."]})
    if not events:
        raise ValidationError({"events": ["Escolha ao menos um tipo de evento."]})
    return [name for name in EVENT_TYPES if name in events]  # catalogue order, no repeats


def _audit(action: str, endpoint: WebhookEndpoint, actor: str) -> None:
    # The URL's host only: a Zapier or n8n URL is itself a credential.
    publish(SettingsChanged(area="webhook", action=action, actor=actor, target=f"webhook:{endpoint.pk}",
                            data={"host": urlsplit(endpoint.url).hostname or "", "events": list(endpoint.events),
                                  "enabled": endpoint.enabled}))


@transaction.atomic
def endpoint_create(*, url: str, events: list[str], description: str = "", actor: str = "") -> WebhookEndpoint:
    """A new endpoint with a fresh `whsec_` secret (readable on the returned instance, shown once)."""
    url, events = _checked_url(url), _checked_events(events)
    if WebhookEndpoint.objects.count() >= settings.WEBHOOKS_MAX_ENDPOINTS:
        raise ValidationError(f"Limite de {settings.WEBHOOKS_MAX_ENDPOINTS} webhooks por empresa; "
                              "apague um que não use mais.")
    endpoint = WebhookEndpoint.objects.create(url=url, events=events, description=description.strip())
    _audit("analytics.webhook_created", endpoint, actor)
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, actor: str = "", **changes) -> WebhookEndpoint:
    """Change url, events, enabled or description. Re-enabling resets the failure clock.

    The row is locked and only the changed columns written: a delivery recording its attempt at the
    same moment (delivery.py locks the row too) keeps its status columns."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = ["updated_at"]
    if "url" in changes:
        endpoint.url = _checked_url(changes["url"])
        fields.append("url")
    if "events" in changes:
        endpoint.events = _checked_events(changes["events"])
        fields.append("events")
    if "description" in changes:
        endpoint.description = (changes["description"] or "").strip()
        fields.append("description")
    if "enabled" in changes and changes["enabled"] != endpoint.enabled:
        fields += _enabled_set(endpoint, changes["enabled"])
    endpoint.save(update_fields=fields)
    _audit("analytics.webhook_changed", endpoint, actor)
    return endpoint


def _enabled_set(endpoint: WebhookEndpoint, enabled: bool) -> list[str]:
    endpoint.enabled = enabled
    if enabled:  # a fresh start: a full window of failures counted from now on, the old note gone
        endpoint.failing_since, endpoint.disabled_at, endpoint.note = None, None, ""
    else:
        endpoint.disabled_at = timezone.now()
    return ["enabled", "failing_since", "disabled_at", "note"]


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: str = "") -> None:
    _audit("analytics.webhook_deleted", endpoint, actor)
    endpoint.delete()


def endpoint_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A signed `webhook.test` event to this endpoint, delivered (and retried) like every other.
    Sent even to a disabled endpoint: checking a fix before re-enabling it is what it is for."""
    data = {"endpoint_id": endpoint.pk, "message": "Evento de teste enviado pela Secretaria."}
    return deliveries_create(event_type=TEST_EVENT, data=data, occurred_at=timezone.now(), endpoints=[endpoint])[0]


# --- deliveries ----------------------------------------------------------------------------------

def event_heard(event: DomainEvent) -> None:
    """Subscriber of every mapped domain event (setup.py): a delivery per subscribed endpoint."""
    kind = BY_SOURCE.get(type(event))
    schema = _schema_of(kind, event) if kind else None
    if schema is None or schema == get_public_schema_name():  # no company, no endpoints
        return
    with schema_context(schema):
        endpoints = selectors.endpoints_for(event_type=kind.name)
        data = kind.data(event) if endpoints else None  # nobody subscribed: nothing is read
        if data is not None:
            deliveries_create(event_type=kind.name, data=data, occurred_at=event.occurred_at, endpoints=endpoints)


def _schema_of(kind: EventType, event: DomainEvent) -> str | None:
    """The company's schema. Billing publishes quota alerts from wherever the count was made (the
    public schema for platform jobs): those events carry the company's id instead."""
    if kind.company_id is None:
        return connection.schema_name
    return Company.objects.filter(pk=kind.company_id(event)).values_list("schema_name", flat=True).first()


def envelope_json(*, event_type: str, data: dict, occurred_at: datetime) -> str:
    """The body, as sent: `{"type", "timestamp", "data"}`, compact UTF-8 JSON, fixed once written."""
    body = {"type": event_type, "timestamp": selectors.local_iso(occurred_at), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def deliveries_create(*, event_type: str, data: dict, occurred_at: datetime,
                      endpoints: list[WebhookEndpoint]) -> list[WebhookDelivery]:
    """One pending delivery per endpoint, due now; the sending task is queued once they commit."""
    now, body = timezone.now(), envelope_json(event_type=event_type, data=data, occurred_at=occurred_at)
    rows = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint=endpoint, event_type=event_type, body=body, next_attempt_at=now, queued_at=now)
        for endpoint in endpoints])
    ids, schema = [row.pk for row in rows], connection.schema_name
    transaction.on_commit(lambda: deliveries_enqueue(schema=schema, ids=ids))
    return rows


def deliveries_enqueue(*, schema: str, ids: list[int]) -> int:
    """Queue the sending task per id, in `schema` (the task runs in the schema it was sent from).
    A failed publish (broker down) drops the row's queue lease: the next sweep queues it."""
    failed = []
    with schema_context(schema):
        for pk in ids:
            try:
                task_delay(DELIVER_TASK, pk)
            except Exception:  # noqa: BLE001 - whatever the broker raised, the row is still owed
                failed.append(pk)
        if failed:
            log.warning("webhook_enqueue_failed", count=len(failed))
            WebhookDelivery.objects.filter(pk__in=failed).update(queued_at=None)
    return len(ids) - len(failed)


def deliveries_due_enqueue(*, now: datetime | None = None) -> int:
    """Every minute, per company: queue the deliveries whose next attempt is due and that no queued
    message or running task holds. SKIP LOCKED splits the rows between two sweeps racing."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
               .exclude(queued_at__gte=now - QUEUE_LEASE).exclude(sending_since__gte=now - SEND_LEASE)
               .order_by("next_attempt_at").select_for_update(skip_locked=True).values_list("pk", flat=True))
        ids = list(due[:SWEEP_BATCH])
        if ids:
            WebhookDelivery.objects.filter(pk__in=ids).update(queued_at=now)
    return deliveries_enqueue(schema=connection.schema_name, ids=ids) if ids else 0


def deliveries_prune(*, now: datetime | None = None) -> int:
    """Drop finished deliveries older than WEBHOOKS_LOG_RETENTION_DAYS (their bodies hold contacts' data)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOKS_LOG_RETENTION_DAYS)
    old = WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(status=WebhookDelivery.Status.PENDING)
    return old.delete()[0]


def deliveries_scrub(contact_id: int, phone: str) -> int:
    """LGPD erasure (secretaria/personal_data.py): blank the customer's name and phone in every stored
    body that carries them. A delivery still owed goes out scrubbed, as if the event had come after."""
    changed = 0
    for delivery in WebhookDelivery.objects.filter(body__contains=phone).only("pk", "body"):
        body = json.loads(delivery.body)
        if _contact_blanked(body, contact_id):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                body=json.dumps(body, ensure_ascii=False, separators=(",", ":")))
            changed += 1
    return changed


def _contact_blanked(value, contact_id: int) -> bool:
    """Blank name and phone in every contact block ({"id", "name", "phone"}) of `contact_id`, in place."""
    if isinstance(value, list):
        return any([_contact_blanked(item, contact_id) for item in value])
    if not isinstance(value, dict):
        return False
    found = False
    if value.get("id") == contact_id and "phone" in value:
        value.update(name=None, phone=None)
        found = True
    return any([found, *(_contact_blanked(item, contact_id) for item in value.values())])
