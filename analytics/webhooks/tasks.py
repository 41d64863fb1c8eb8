"""Thin tasks. Beat sends `analytics.webhooks_due` every minute and `analytics.webhooks_prune` daily to every
company, in its schema (TENANT_PERIODIC_TASKS); the subscriber, the sweeper and a failed attempt itself
queue `analytics.webhook_deliver`. Each is safe to run twice: the delivery task claims its row with a
compare-and-set (delivery.py), and a row is owed until it is recorded delivered or given up."""

import structlog
from celery import shared_task

from analytics.webhooks.delivery import delivery_attempt
from analytics.webhooks.services import deliveries_due_enqueue, deliveries_prune

log = structlog.get_logger(__name__)


# The HTTP call is bounded by WEBHOOKS_TIMEOUT_SECONDS; the hard limit stays below the claim's lease
# (services.SEND_LEASE), so a claim is only ever taken over from a task that is no longer running.
@shared_task(name="analytics.webhook_deliver", ignore_result=True, soft_time_limit=60, time_limit=75)
def webhook_deliver_task(delivery_id: int) -> str:
    attempt = delivery_attempt(delivery_id=delivery_id)
    if attempt.retry_in is not None:
        try:
            webhook_deliver_task.apply_async((delivery_id,), countdown=attempt.retry_in)
        except Exception:  # noqa: BLE001 - the row stays due: the sweeper queues it once its lease ends
            log.warning("webhook_retry_enqueue_failed", delivery_id=delivery_id)
    return attempt.result


@shared_task(name="analytics.webhooks_due", ignore_result=True)
def webhooks_due_task() -> int:
    return deliveries_due_enqueue()


@shared_task(name="analytics.webhooks_prune", ignore_result=True)
def webhooks_prune_task() -> int:
    return deliveries_prune()
