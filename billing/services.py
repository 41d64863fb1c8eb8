"""Writes of plans and subscriptions: the lifecycle, plan changes, provider states.

Every change of status or plan goes through `_apply`, which (in one transaction, with the
subscription's row locked) saves it, records a SubscriptionChange with its cause and actor, and
publishes a SettingsChanged in the company's schema (the company's audit trail hears it, and
every process reloads what it cached of the subscription). django-auditlog keeps the field diff
of the row itself, in the public schema.

    trialing -> active -> past_due -> suspended -> canceled   (docs/billing.md)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.metering.periods import period_bounds, period_of
from billing.metering.services import quota_limits_refresh
from billing.models import Plan, Subscription, SubscriptionChange
from billing.selectors import plan_get_active, subscription_next_step
from secretaria.events import SettingsChanged, publish
from secretaria.settings_cache import settings_changed
from tenants.models import PUBLIC_SCHEMA

log = structlog.get_logger(__name__)

Status = Subscription.Status
Cause = SubscriptionChange.Cause


@dataclass(frozen=True)
class _Change:
    """What one write does to a subscription, and why."""

    cause: str
    status: str | None = None  # None: keep
    plan: Plan | None = None  # None: keep
    actor: str = ""
    provider: str = ""
    reference: str = ""
    note: str = ""
    occurred_at: datetime | None = None


def subscription_start(*, company, plan: Plan) -> Subscription:
    """Subscribe a new company to `plan`: in trial for the plan's trial days, else active."""
    now = timezone.now()
    trial_end = now + timedelta(days=plan.trial_days) if plan.trial_days else None
    start, end = _month_of(now)
    subscription = Subscription.objects.create(
        company=company, plan=plan, status=Status.TRIALING if trial_end else Status.ACTIVE,
        trial_ends_at=trial_end, current_period_start=start, current_period_end=end,
    )
    SubscriptionChange.objects.create(
        subscription=subscription, from_status="", to_status=subscription.status, to_plan=plan,
        cause=Cause.SYSTEM, note="Empresa criada.", occurred_at=now,
    )
    return subscription


def plan_change(*, company, plan_code: str, cause: str, actor=None) -> Subscription:
    """Move `company` to the plan `plan_code`, at once: its limits apply from the next message.

    The period and its usage carry over (metering counts per period, not per plan); a downgrade
    below what is already used is allowed and takes effect, and metering's alerts fire when they
    next check. Raises ValidationError (pt-BR) for an unknown or unavailable plan.
    """
    plan = plan_get_active(code=plan_code)
    if plan is None:
        raise ValidationError({"plan": [f"Plano desconhecido: {plan_code}."]})
    return _apply(company, _Change(cause=cause, plan=plan, actor=_actor(actor)))


def subscription_suspend(*, company, cause: str, actor=None, note: str = "") -> Subscription:
    """Suspend by hand (platform admin) or by the system: automatic replies and outreach stop."""
    return _apply(company, _Change(cause=cause, status=Status.SUSPENDED, actor=_actor(actor), note=note))


def subscription_reactivate(*, company, cause: str, actor=None, note: str = "") -> Subscription:
    """Back to active for a fresh period (the platform admin's "reactivate", a payment settled by hand)."""
    return _apply(company, _Change(cause=cause, status=Status.ACTIVE, actor=_actor(actor), note=note))


def subscription_cancel(*, company, cause: str, actor=None, note: str = "") -> Subscription:
    return _apply(company, _Change(cause=cause, status=Status.CANCELED, actor=_actor(actor), note=note))


def subscription_sync(
    *, company, status: str, plan_code: str | None, period_end: datetime | None, cause: str,
    occurred_at: datetime, provider: str = "", reference: str = "",
) -> Subscription:
    """Apply a payment provider's newest state of the company's subscription.

    A state older than the last one applied (`Subscription.state_at`) is ignored: providers deliver
    out of order. An unknown plan code keeps the current plan (the state is still applied, and the
    history says so). Equal states record nothing.
    """
    if status not in Status.values:
        raise ValidationError({"status": [f"Situação desconhecida: {status}."]})
    plan = plan_get_active(code=plan_code) if plan_code else None
    note = f"Plano desconhecido no provedor: {plan_code}." if plan_code and plan is None else ""
    change = _Change(cause=cause, status=status, plan=plan, provider=provider, reference=reference,
                     note=note, occurred_at=occurred_at)
    return _apply(company, change, period_end=period_end)


def subscription_tick(*, company, now: datetime | None = None) -> Subscription | None:
    """The daily look at one company's subscription (beat): idempotent, safe to run twice.

    - a trial that ended: a free plan goes on active; a paid one waits for its payment (past_due);
    - past_due beyond the plan's grace days: suspended;
    - a period that ended on a subscription no provider manages: the next period starts (the
      provider's own renewal event moves it for the others).
    Each step is recorded at the moment it became due, not when the task ran.
    """
    now = now or timezone.now()
    subscription = Subscription.objects.select_related("plan").filter(company=company).first()
    if subscription is None:
        return None
    for _ in range(3):  # at most trialing -> past_due -> suspended
        step = subscription_next_step(subscription, now=now)
        if step is None:
            break
        status, due_at = step
        note = "Fim do período de teste." if subscription.status == Status.TRIALING else "Fim da tolerância."
        subscription = _apply(company, _Change(cause=Cause.SYSTEM, status=status, note=note, occurred_at=due_at),
                              expect_status=subscription.status)
    if _period_lapsed(subscription, now):
        return _period_roll(subscription, now)
    return subscription


# --- the one write path ------------------------------------------------------------------------


def _apply(company, change: _Change, *, period_end: datetime | None = None,
           expect_status: str | None = None) -> Subscription:
    """`expect_status`: apply only if the status is still this one once the row is locked (a
    compare-and-set, so two beat runs racing record the step once)."""
    # Subscriptions live in public; the audit event goes to the company's own schema.
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        subscription = Subscription.objects.select_for_update().select_related("plan").filter(company=company).first()
        if subscription is None:  # provisioning gives every company one; a row deleted by hand is said plainly
            raise Subscription.DoesNotExist(f"A empresa {company} não tem assinatura.")
        if expect_status is not None and subscription.status != expect_status:
            return subscription
        occurred_at = change.occurred_at or timezone.now()
        if change.cause == Cause.PROVIDER and subscription.state_at and occurred_at < subscription.state_at:
            log.info("subscription_state_older_ignored", company=company.schema_name, reference=change.reference)
            return subscription
        before_status, before_plan = subscription.status, subscription.plan
        fields = _changed_fields(subscription, change, occurred_at, period_end)
        if not fields:
            return subscription
        subscription.save(update_fields=fields)
        if subscription.status != before_status or subscription.plan_id != before_plan.pk:
            _record(subscription, change, before_status, before_plan, occurred_at)
    return subscription


def _changed_fields(subscription: Subscription, change: _Change, occurred_at, period_end) -> list[str]:
    fields: list[str] = []
    if change.plan is not None and change.plan.pk != subscription.plan_id:
        subscription.plan = change.plan
        fields.append("plan")
    if change.status is not None and change.status != subscription.status:
        fields += _status_fields(subscription, change.status, occurred_at)
    if period_end is not None and period_end != subscription.current_period_end:
        if subscription.current_period_end and subscription.current_period_end <= occurred_at < period_end:
            subscription.current_period_start = subscription.current_period_end  # a renewal: a new period
            fields.append("current_period_start")
        subscription.current_period_end = period_end
        fields.append("current_period_end")
    if change.cause == Cause.PROVIDER:
        subscription.state_at, subscription.provider = occurred_at, change.provider or subscription.provider
        fields += ["state_at", "provider"]
    return fields


def _status_fields(subscription: Subscription, status: str, occurred_at: datetime) -> list[str]:
    """Set the new status and the dates it brings with it."""
    previous, subscription.status = subscription.status, status
    fields = ["status"]
    if status == Status.PAST_DUE:
        subscription.past_due_since = occurred_at
        fields.append("past_due_since")
    elif subscription.past_due_since is not None and status in (Status.ACTIVE, Status.TRIALING):
        subscription.past_due_since = None
        fields.append("past_due_since")
    if status == Status.CANCELED:
        subscription.canceled_at = occurred_at
        fields.append("canceled_at")
    if status == Status.ACTIVE and previous != Status.PAST_DUE:
        # From a trial, a suspension or a cancellation: served again from the period containing now.
        subscription.current_period_start, subscription.current_period_end = _month_of(occurred_at)
        subscription.canceled_at = None
        fields += ["current_period_start", "current_period_end", "canceled_at"]
    return fields


def _record(subscription: Subscription, change: _Change, before_status: str, before_plan: Plan, occurred_at) -> None:
    SubscriptionChange.objects.create(
        subscription=subscription, from_status=before_status, to_status=subscription.status,
        from_plan=before_plan, to_plan=subscription.plan, cause=change.cause, actor=change.actor,
        provider=change.provider, reference=change.reference[:255], note=change.note, occurred_at=occurred_at,
    )
    company = subscription.company
    if subscription.plan_id != before_plan.pk:
        quota_limits_refresh(company=company)  # the live counters take the new limits at once; usage stays
    if not company.is_internal:
        with schema_context(company.schema_name):
            publish(SettingsChanged(
                area="billing", action="billing.subscription_changed", actor=change.actor or change.cause,
                target=f"subscription:{subscription.pk}",
                data={"from_status": before_status, "to_status": subscription.status,
                      "from_plan": before_plan.code, "to_plan": subscription.plan.code, "cause": change.cause,
                      "provider": change.provider, "reference": change.reference[:255]},
            ))
            settings_changed()  # what the reply pipeline cached of the subscription is reloaded everywhere
    log.info("subscription_changed", company=company.schema_name, status=subscription.status,
             plan=subscription.plan.code, cause=change.cause)


def _period_lapsed(subscription: Subscription, now: datetime) -> bool:
    return (not subscription.provider and subscription.status == Status.ACTIVE
            and subscription.current_period_end is not None and subscription.current_period_end <= now)


def _period_roll(subscription: Subscription, now: datetime) -> Subscription:
    """Start the period containing `now` (a missed day changes nothing)."""
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not _period_lapsed(locked, now):
            return locked
        locked.current_period_start, locked.current_period_end = _month_of(now)
        locked.save(update_fields=["current_period_start", "current_period_end"])
    return locked


def _month_of(moment: datetime) -> tuple[datetime, datetime]:
    """Without a provider, periods are the calendar months metering counts by (billing/metering/periods.py);
    a provider's own period dates replace them when its events arrive."""
    return period_bounds(period_of(moment))


def _actor(actor) -> str:
    """Who acted, as the history keeps it: a user's e-mail, or a text as given."""
    if actor is None:
        return ""
    return str(getattr(actor, "email", actor))[:254]
