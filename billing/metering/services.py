"""Writes of usage: counting into Redis (hot path), building a period from the facts, the daily roll-up."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from datetime import date, datetime, timedelta

import redis
import structlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.metering import counters
from billing.metering.models import UsageDaily
from billing.metering.periods import day_start, period_bounds, period_of
from billing.metering.prices import PICO_PER_CENT
from billing.metering.sources import facts_between, facts_totals
from billing.models import Subscription
from secretaria.lru import LRU
from secretaria.redis_client import get_redis
from tenants.models import Company

log = structlog.get_logger(__name__)
# Increments waiting for the reply pipeline's last Redis call (see MeteringScope).
_scope: contextvars.ContextVar[MeteringScope | None] = contextvars.ContextVar("metering_scope", default=None)
# schema -> company id, which never changes for a schema; bounded for a fleet (an evicted one is read again).
_company_ids: LRU[str, int] = LRU(lambda: settings.COMPANY_CACHE_MAX_ENTRIES)


def metering_enabled() -> bool:
    return bool(settings.BILLING_METERING)


def company_id_of(schema: str) -> int | None:
    found = _company_ids.get(schema)
    if found is None:
        found = Company.objects.filter(schema_name=schema).values_list("pk", flat=True).first()
        if found is None:
            return None
        _company_ids.set(schema, found)
    return found


# --- Limits --------------------------------------------------------------------------------

def plan_limits(*, schema: str) -> dict[str, int | str]:
    """The plan's limits as the usage hash keeps them (0: unlimited)."""
    subscription = Subscription.objects.select_related("plan").filter(company__schema_name=schema).first()
    plan = subscription.plan if subscription else None
    if plan is None:
        return {"limit:messages": 0, "limit:ai_tokens": 0, "limit:outreach": 0, "policy": "block_ai"}
    return {
        "limit:messages": plan.monthly_messages,
        "limit:ai_tokens": plan.monthly_llm_tokens,
        "limit:outreach": plan.monthly_outreach,
        "policy": plan.overage_policy,
    }


def quota_limits_refresh(*, company: Company) -> None:
    """Put the company's current plan limits in its live counters (call after a plan change).

    A hash not built yet gets them when it is built; limits change at once, usage carries over.
    """
    key = counters.usage_key(schema=company.schema_name)
    limits = plan_limits(schema=company.schema_name)
    transaction.on_commit(lambda: usage_fields_set(key, limits))


def usage_fields_set(key: str, fields: dict) -> None:
    """HSET on a usage hash with its TTL in the same transaction: the hash may not exist yet (a plan
    changed before the month's first message), and a key made by HSET alone would never expire."""
    def write():
        pipe = get_redis().pipeline(transaction=True)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, counters.TTL_SECONDS)
        return pipe.execute()

    _redis(write)


# --- Counting ------------------------------------------------------------------------------

class MeteringScope:
    """One reply's metering: the counters read with its lock, and the increments it caused.

    The subscribers hear the reply's events (ReplySent, LLMCallMade...) while the reply runs;
    inside a scope they queue their increments, and the pipeline sends them with the Redis call
    that releases the contact's lock — one round trip it makes anyway.
    """

    def __init__(self, raw_usage=None) -> None:
        self.usage = counters.as_dict(raw_usage)
        self.schema = connection.schema_name
        self.pending: list[tuple[date, dict[str, int]]] = []
        self._token = None

    def __enter__(self) -> MeteringScope:
        self._token = _scope.set(self)
        return self

    def __exit__(self, *exc) -> None:
        _scope.reset(self._token)

    def queue(self, pipe) -> Callable[[list], None]:
        """Add the queued increments to `pipe`; answers the function to call with their results."""
        batch, self.pending = self.pending, []
        for period, deltas in batch:
            key = counters.usage_key(schema=self.schema, period=period)
            pipe.eval(counters.ADD, 1, key, *counters.add_args(deltas))
        def counted(results: list) -> None:
            for (period, deltas), result in zip(batch, results, strict=False):
                try:
                    _after_add(self.schema, period, deltas, result)
                except Exception:  # noqa: BLE001 - the reply is sent; metering must not turn it into an error
                    log.exception("usage_after_count_failed", schema=self.schema)

        return counted


def usage_add(deltas: dict[str, int], *, at: datetime | None = None) -> None:
    """Count `deltas` (kind -> amount) for the current company in the period of `at` (default now)."""
    deltas = {kind: amount for kind, amount in deltas.items() if amount}
    if not deltas or not metering_enabled():
        return
    period = period_of(at)
    scope = _scope.get()
    if scope is not None and scope.schema == connection.schema_name:
        scope.pending.append((period, deltas))
        return
    schema = connection.schema_name
    key = counters.usage_key(schema=schema, period=period)
    result = _redis(lambda: get_redis().eval(counters.ADD, 1, key, *counters.add_args(deltas)))
    _after_add(schema, period, deltas, result)


def _after_add(schema: str, period: date, deltas: dict[str, int], result) -> None:
    if isinstance(result, Exception):
        log.warning("usage_count_failed", schema=schema, error=type(result).__name__)
        return
    if not result:  # the hash is not built (wiped, or a new month): build it from the facts
        result = usage_build(schema=schema, period=period, deltas=deltas)
    if result:
        from billing.metering.alerts import alerts_check  # alerts build on services: imported late

        alerts_check(schema=schema, period=period, values=counters.as_dict(result), deltas=deltas)


def usage_build(*, schema: str, period: date, deltas: dict[str, int] | None = None):
    """Build the period's hash from the facts (they already hold the rows behind `deltas`).

    Runs in the company's schema. Answers the hash (flat list), or None if Redis failed.
    """
    start, end = period_bounds(period)
    totals = facts_totals(start, min(end, timezone.now() + timedelta(seconds=1)))
    absolute = {kind: totals.get(kind, 0) for kind in counters.COUNTED} | plan_limits(schema=schema)
    key = counters.usage_key(schema=schema, period=period)
    args = counters.build_args(absolute, deltas or {})
    result = _redis(lambda: get_redis().eval(counters.BUILD, 1, key, *args))
    if isinstance(result, Exception):
        return None
    log.info("usage_built", schema=schema, period=str(period))
    return result


def usage_live(*, schema: str | None = None, period: date | None = None) -> dict[str, str]:
    """The period's hash, built from the facts first if Redis lost it. {} if Redis is away."""
    schema = schema or connection.schema_name
    period = period or period_of()
    raw = _redis(lambda: get_redis().hgetall(counters.usage_key(schema=schema, period=period)))
    values = counters.as_dict(raw) if not isinstance(raw, Exception) else {}
    if counters.BUILT not in values and not isinstance(raw, Exception):
        values = counters.as_dict(usage_build(schema=schema, period=period))
    return values


# --- The daily roll-up ---------------------------------------------------------------------

def usage_rollup(*, company: Company, first_day: date, last_day: date) -> int:
    """Recompute UsageDaily for [first_day, last_day] from the facts; idempotent. Runs in the company's schema.

    Answers the number of rows written.
    """
    facts = facts_between(day_start(first_day), day_start(last_day + timedelta(days=1)))
    rows = [UsageDaily(company=company, day=day, kind=kind, quantity=fact.quantity,
                       cost_cents=round(fact.cost_pico / PICO_PER_CENT))
            for kind, days in facts.items() for day, fact in days.items()]
    with transaction.atomic():
        # A day whose facts vanished (erased) must read 0, not keep its old figure.
        UsageDaily.objects.filter(company=company, day__range=(first_day, last_day)).update(
            quantity=0, cost_cents=0)
        UsageDaily.objects.bulk_create(rows, update_conflicts=True, unique_fields=["company", "day", "kind"],
                                       update_fields=["quantity", "cost_cents", "updated_at"])
    return len(rows)


def usage_rollup_recent(*, company: Company, now: datetime | None = None) -> int:
    """The beat's roll-up: today and yesterday (a late fact of yesterday's last minute lands there)."""
    today = timezone.localtime(now or timezone.now()).date()
    return usage_rollup(company=company, first_day=today - timedelta(days=1), last_day=today)


def _redis(action):
    """The action's result, or the RedisError itself: with Redis away metering waits (the rows
    stay, a later build counts them) and the reply goes on."""
    try:
        return action()
    except redis.RedisError as exc:
        return exc
