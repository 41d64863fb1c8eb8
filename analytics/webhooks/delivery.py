"""One attempt at one delivery: claim it, sign it to the Standard Webhooks spec, POST it, record what happened.

- Claimed with a compare-and-set on the row (pending, due, not held by a live task): a Celery
  message delivered twice, or the sweeper's copy of one still queued, sends nothing more.
- Headers: `webhook-id` (the row's, the same on every retry), `webhook-timestamp` (this attempt's
  unix seconds: receivers refuse stale ones, so each retry signs anew) and `webhook-signature`
  (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, by the `standardwebhooks` package).
- Only a 2xx delivers. A redirect is never followed (it could lead inside our network), and a
  timeout, a connection error, a 3xx, 4xx or 5xx, or an address the SSRF guard refuses now (DNS
  may have changed since the URL was saved) are failed attempts, retried on WEBHOOKS_RETRY_DELAYS
  with jitter until the delivery is WEBHOOKS_RETRY_WINDOW_HOURS old.
- An endpoint that accepted nothing for that long is disabled, its owners mailed (notify.py).

At least once, not exactly once: a worker killed between the POST and the record sends again once its
claim lapses; receivers dedupe on `webhook-id`, as the spec asks.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks import Webhook

from agenda.reports import company_tz
from analytics.webhooks import notify
from analytics.webhooks.events import TEST_EVENT
from analytics.webhooks.metrics import WEBHOOK_DELIVERIES, WEBHOOK_DELIVERY_SECONDS
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from analytics.webhooks.services import SEND_LEASE, url_problem
from secretaria.http import shared_client

log = structlog.get_logger(__name__)
USER_AGENT = "Secretaria-Webhooks/1"
JITTER = 0.2  # each delay drawn within ±20 %, so endpoints that failed together do not retry in step
ERROR_MAX = 300
# Retries due within this are queued with a countdown by the task itself (the 5-second one would otherwise
# wait for the minute sweeper); later ones, held in a worker's memory for hours, are left to the sweeper.
COUNTDOWN_MAX = timedelta(minutes=10)


@dataclass(frozen=True)
class Outcome:
    result: str  # delivered, http_error, timeout, network_error, blocked (the SSRF guard: no request made)
    status_code: int | None = None
    error: str = ""
    seconds: float = 0.0

    @property
    def delivered(self) -> bool:
        return self.result == "delivered"


@dataclass(frozen=True)
class Attempt:
    result: str  # an Outcome's result, or "skipped" / "dropped"
    retry_in: float | None = None  # seconds: queue the next attempt with this countdown


def delivery_attempt(*, delivery_id: int) -> Attempt:
    """Send one due delivery once. The result is the outcome's, or "skipped" (not due, not pending, or
    another task holds it) or "dropped" (its endpoint was disabled meanwhile)."""
    claimed_at = timezone.now()
    if not _claim(delivery_id, claimed_at):
        return Attempt("skipped")
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.enabled and delivery.event_type != TEST_EVENT:
        WebhookDelivery.objects.filter(pk=delivery.pk, sending_since=claimed_at).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None, sending_since=None, queued_at=None,
            error="O webhook está desativado: o evento não foi enviado.")
        return Attempt("dropped")
    outcome = send(url=endpoint.url, secret=endpoint.secret, message_id=delivery.message_id, body=delivery.body)
    return Attempt(outcome.result, outcome_record(delivery=delivery, outcome=outcome, claimed_at=claimed_at))


def _claim(delivery_id: int, now: datetime) -> bool:
    return WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now,
    ).exclude(sending_since__gte=now - SEND_LEASE).update(sending_since=now) == 1


# --- the request ---------------------------------------------------------------------------------

def signed_headers(*, secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        # sign() reads the datetime's fields as UTC: give it a UTC one.
        "webhook-signature": Webhook(secret).sign(message_id, at.astimezone(UTC), body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def send(*, url: str, secret: str, message_id: str, body: str) -> Outcome:
    """POST `body` to `url`, signed; never raises. The response's body is never read."""
    problem = url_problem(url)
    if problem:
        return Outcome("blocked", error=problem)
    headers = signed_headers(secret=secret, message_id=message_id, body=body, at=timezone.now())
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    started = time.perf_counter()
    try:
        with shared_client().stream("POST", url, content=body.encode(), headers=headers, timeout=timeout) as reply:
            code = reply.status_code
    except httpx.TimeoutException:
        seconds = f"{timeout:g}".replace(".", ",")  # pt-BR decimals: "0,3 s"
        return Outcome("timeout", error=f"O endpoint não respondeu em {seconds} s.",
                       seconds=time.perf_counter() - started)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return Outcome("network_error", error=f"Não foi possível conectar: {type(exc).__name__}: {exc}"[:ERROR_MAX],
                       seconds=time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt, or the row would be retried unrecorded
        log.exception("webhook_send_unexpected_error")
        return Outcome("network_error", error=f"Erro inesperado ao enviar: {type(exc).__name__}",
                       seconds=time.perf_counter() - started)
    return _answered(code, time.perf_counter() - started)


def _answered(code: int, seconds: float) -> Outcome:
    if 200 <= code < 300:
        return Outcome("delivered", code, seconds=seconds)
    if 300 <= code < 400:
        error = f"O endpoint respondeu {code} (redirecionamento): redirecionamentos não são seguidos; use a URL final."
    else:
        error = f"O endpoint respondeu {code}."
    return Outcome("http_error", code, error, seconds)


# --- the record ----------------------------------------------------------------------------------

def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: WEBHOOKS_RETRY_DELAYS (the last repeats), ±20 %."""
    delays = settings.WEBHOOKS_RETRY_DELAYS
    base = delays[min(attempts, len(delays)) - 1]
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def _window() -> timedelta:
    return timedelta(hours=settings.WEBHOOKS_RETRY_WINDOW_HOURS)


def _after_failure(delivery: WebhookDelivery, now: datetime) -> dict:
    """Give up once the delivery is a window old; else retry, the last attempt exactly at the window's end.

    A retry soon is queued by the task with a countdown: its row stays leased (`queued_at`) until then,
    so the sweeper only replaces that message if it is lost."""
    gives_up_at = delivery.created_at + _window()
    if now >= gives_up_at:
        return {"status": WebhookDelivery.Status.FAILED, "next_attempt_at": None}
    due = min(now + retry_delay(delivery.attempts + 1), gives_up_at)
    return {"next_attempt_at": due, "queued_at": due if due - now <= COUNTDOWN_MAX else None}


def outcome_record(*, delivery: WebhookDelivery, outcome: Outcome, claimed_at: datetime) -> float | None:
    """Record one attempt on the delivery and its endpoint. Returns the countdown of a retry to queue now."""
    now = timezone.now()
    fields = {"attempts": F("attempts") + 1, "last_attempt_at": now, "status_code": outcome.status_code,
              "error": outcome.error[:ERROR_MAX], "duration_ms": round(outcome.seconds * 1000),
              "sending_since": None, "queued_at": None}
    if outcome.delivered:
        fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now, next_attempt_at=None)
    else:
        fields.update(_after_failure(delivery, now))
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        # Our claim still holds: a task that outlived its lease lost the row to another, whose record wins.
        recorded = WebhookDelivery.objects.filter(pk=delivery.pk, sending_since=claimed_at).update(**fields)
        if recorded:
            _endpoint_record(endpoint, delivery, outcome, now)
    WEBHOOK_DELIVERIES.labels(result=outcome.result).inc()
    if outcome.result != "blocked":
        WEBHOOK_DELIVERY_SECONDS.observe(outcome.seconds)
    log.info("webhook_attempt", delivery_id=delivery.pk, event_type=delivery.event_type, result=outcome.result,
             status_code=outcome.status_code, attempt=delivery.attempts + 1)
    soon = recorded and fields.get("queued_at") is not None
    return (fields["next_attempt_at"] - now).total_seconds() if soon else None


def _endpoint_record(endpoint: WebhookEndpoint, delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    """The endpoint's last status and failure clock. The clock starts at the oldest event it has not
    accepted since its last success, so the last retry of a delivery, a window after it was created,
    finds a full window of failures behind it."""
    endpoint.last_attempt_at, endpoint.last_status_code = now, outcome.status_code
    if outcome.delivered:
        endpoint.failing_since, endpoint.last_success_at = None, now
    elif endpoint.failing_since is None:
        endpoint.failing_since = max(delivery.created_at, endpoint.last_success_at or delivery.created_at)
    fields = ["last_attempt_at", "last_status_code", "failing_since", "last_success_at"]
    if not outcome.delivered and endpoint.enabled and now - endpoint.failing_since >= _window():
        fields += _disable(endpoint, delivery, outcome, now)
    endpoint.save(update_fields=fields)


def _disable(endpoint: WebhookEndpoint, delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> list[str]:
    hours = settings.WEBHOOKS_RETRY_WINDOW_HOURS
    when = timezone.localtime(now, company_tz()).strftime("%d/%m/%Y às %H:%M")
    endpoint.enabled, endpoint.disabled_at = False, now
    endpoint.note = (f"Desativado automaticamente em {when}: nenhuma entrega aceita em {hours} horas "
                     f"(último erro: {outcome.error}) Corrija o endpoint e reative-o.")[:400]
    # What was still owed to it is dropped: re-enabling starts afresh (the test event checks it first).
    owed = WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING)
    owed.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)  # keeps its error
    owed.exclude(event_type=TEST_EVENT).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None,
                                               error="Não enviado: o webhook foi desativado após falhas seguidas.")
    log.warning("webhook_endpoint_disabled", endpoint_id=endpoint.pk)
    schema, endpoint_id = connection.schema_name, endpoint.pk
    transaction.on_commit(lambda: notify.endpoint_disabled_notify(schema=schema, endpoint_id=endpoint_id))
    return ["enabled", "disabled_at", "note"]
