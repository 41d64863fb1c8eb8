"""Thin tasks: beat sends `billing.subscription_tick` once a day to every active company, in its schema
(TENANT_PERIODIC_TASKS); the service is idempotent (a compare-and-set on the status), so a rerun or two
workers racing record each step once."""

from celery import shared_task
from django.db import connection

from billing.services import subscription_tick


@shared_task(name="billing.subscription_tick", ignore_result=True)
def subscription_tick_task() -> str:
    """Record the lifecycle steps due for the current company (ended trial, grace run out, new period)."""
    subscription = subscription_tick(company=connection.tenant)
    return subscription.status if subscription is not None else ""
