"""Reads of plans and subscriptions, and what a company's subscription lets it do.

`subscription_allows(company_id, what)` is what the other apps ask (the reply pipeline, outreach,
the inbox). It reads the subscription through the settings cache (secretaria/settings_cache.py),
so on the hot path it costs no database query and no Redis round trip beyond the one the reply
already makes; every subscription change bumps the company's settings version.

A subscription's *effective* status is its stored status plus the steps already due and not yet
recorded by the daily beat task (a trial that ended, a grace period that ran out), so a company
is never served a day longer than its plan says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from billing.metering.periods import period_bounds, period_of
from billing.models import Plan, Subscription, SubscriptionChange
from billing.payments.providers import payments_enabled
from secretaria.lru import LRU
from secretaria.settings_cache import cached
from tenants.models import Company

Status = Subscription.Status

# What each effective status allows. Conservative: customer messages are always stored and the
# staff always reach their inbox and answer from it; what runs on its own (automatic replies, the
# AI) stops while the subscription is suspended or canceled. Outreach (reminders of appointments
# already booked, follow-ups) is metered and held to the plan's outreach quota, but not stopped by
# the status: a clinic behind on its bill must not have its patients miss their appointments.
STORE_MESSAGE, STAFF_REPLY, STAFF_ACCESS = "store_message", "staff_reply", "staff_access"
AUTO_REPLY, AI, OUTREACH = "auto_reply", "ai", "outreach"
ALWAYS = frozenset({STORE_MESSAGE, STAFF_REPLY, STAFF_ACCESS})
SERVING = ALWAYS | {AUTO_REPLY, AI, OUTREACH}
ALLOWED: dict[str, frozenset[str]] = {
    Status.TRIALING: SERVING,
    Status.ACTIVE: SERVING,
    Status.PAST_DUE: SERVING,  # within the grace period the company is served as before
    Status.SUSPENDED: ALWAYS | {OUTREACH},
    Status.CANCELED: ALWAYS | {OUTREACH},
}
CAPABILITIES = SERVING


@dataclass(frozen=True)
class SubscriptionState:
    """What the hot path needs of a subscription: plain values, safe to cache in the process."""

    company_id: int
    plan_code: str
    status: str
    trial_ends_at: datetime | None
    past_due_since: datetime | None
    grace_days: int
    plan_is_free: bool
    current_period_start: datetime | None
    current_period_end: datetime | None

    def effective_status(self, now: datetime | None = None) -> str:
        return _effective(self, now or timezone.now())[0]


def plan_get_active(*, code: str) -> Plan | None:
    return Plan.objects.filter(code=code, is_active=True).first()


def plan_list_active() -> list[Plan]:
    return list(Plan.objects.filter(is_active=True))


def subscription_get(*, company_id: int) -> Subscription | None:
    return Subscription.objects.select_related("plan", "company").filter(company_id=company_id).first()


def subscription_history(*, subscription: Subscription, limit: int = 50) -> list[SubscriptionChange]:
    return list(subscription.changes.select_related("from_plan", "to_plan")[:limit])


def subscription_state(company_id: int) -> SubscriptionState | None:
    """The company's subscription as plain values; cached per process while in the company's own schema
    (the settings cache is per schema: the reply dispatcher's schema_context counts as well as a request's)."""
    if connection.schema_name != "public" and connection.schema_name == _schema_of(company_id):
        return cached("billing.subscription", lambda: _state_load(company_id))
    return _state_load(company_id)


# company id -> schema name, which never changes; bounded for a fleet (an evicted one is read again).
_SCHEMAS: LRU[int, str] = LRU(lambda: settings.COMPANY_CACHE_MAX_ENTRIES)


def _schema_of(company_id: int) -> str:
    schema = _SCHEMAS.get(company_id)
    if schema is None:
        schema = Company.objects.filter(pk=company_id).values_list("schema_name", flat=True).first()
        if schema is None:
            return ""  # not cached: a company being provisioned may appear
        _SCHEMAS.set(company_id, schema)
    return schema


def subscription_allows(company_id: int, what: str) -> bool:
    """Whether the company's subscription allows `what` now (see ALLOWED); no subscription allows all.

    `what`: "auto_reply", "ai", "outreach" (stop when suspended or canceled), "store_message",
    "staff_reply", "staff_access" (always).
    """
    if what not in CAPABILITIES:
        raise ValueError(f"unknown capability: {what}")
    state = subscription_state(company_id)
    if state is None:  # the platform's own rows, a company mid-provisioning
        return True
    return what in ALLOWED[state.effective_status()]


def subscription_effective_status(subscription: Subscription, *, now: datetime | None = None) -> str:
    return _effective(_state_of(subscription), now or timezone.now())[0]


def subscription_next_step(subscription: Subscription, *, now: datetime | None = None) -> tuple[str, datetime] | None:
    """The lifecycle step already due and not recorded yet: (new status, when it became due), or None."""
    return _step(_state_of(subscription), now or timezone.now())


def subscription_grace_ends_at(subscription: Subscription) -> datetime | None:
    if subscription.status != Status.PAST_DUE or subscription.past_due_since is None:
        return None
    return subscription.past_due_since + timedelta(days=subscription.plan.grace_days)


def subscription_period(company_id: int, *, now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """The billing period containing `now`: the stored one, or, once it ended and nothing renewed it
    yet (the beat rolls periods daily), the calendar month containing `now`."""
    state = subscription_state(company_id)
    if state is None or state.current_period_start is None or state.current_period_end is None:
        return None
    now = now or timezone.now()
    if state.current_period_start <= now < state.current_period_end:
        return state.current_period_start, state.current_period_end
    return period_bounds(period_of(now))


# --- internals -------------------------------------------------------------------------------------


def _state_load(company_id: int) -> SubscriptionState | None:
    subscription = Subscription.objects.select_related("plan").filter(company_id=company_id).first()
    return _state_of(subscription) if subscription is not None else None


def _state_of(subscription: Subscription) -> SubscriptionState:
    plan = subscription.plan
    return SubscriptionState(
        company_id=subscription.company_id, plan_code=plan.code, status=subscription.status,
        trial_ends_at=subscription.trial_ends_at, past_due_since=subscription.past_due_since,
        grace_days=plan.grace_days, plan_is_free=plan.is_free,
        current_period_start=subscription.current_period_start, current_period_end=subscription.current_period_end,
    )


def _step(state: SubscriptionState, now: datetime) -> tuple[str, datetime] | None:
    if state.status == Status.TRIALING and state.trial_ends_at is not None and state.trial_ends_at <= now:
        # A free plan needs no payment, nor does any plan where no provider takes payments (self-hosting:
        # the platform admin assigns plans by hand); a paid one has not been paid for (else the provider
        # would have said active).
        paid_for_outside = state.plan_is_free or not payments_enabled()
        return (Status.ACTIVE if paid_for_outside else Status.PAST_DUE), state.trial_ends_at
    if state.status == Status.PAST_DUE and state.past_due_since is not None:
        grace_end = state.past_due_since + timedelta(days=state.grace_days)
        if grace_end <= now:
            return Status.SUSPENDED, grace_end
    return None


def _effective(state: SubscriptionState, now: datetime) -> tuple[str, datetime | None]:
    """Walk the due steps (at most trialing -> past_due -> suspended) without writing anything."""
    at = None
    for _ in range(3):
        step = _step(state, now)
        if step is None:
            break
        status, at = step
        state = _advance(state, status, at)
    return state.status, at


def _advance(state: SubscriptionState, status: str, at: datetime) -> SubscriptionState:
    return replace(state, status=status, past_due_since=at if status == Status.PAST_DUE else state.past_due_since)
