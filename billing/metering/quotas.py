"""The quota verdicts the reply pipeline and the LLM call site ask for, without a Redis round trip.

The pipeline already makes one Redis call per reply (the contact's lock and the settings version);
`quota_read(pipe)` adds the usage hash to it, and `MeteringScope` keeps what it answered for the
reply. A verdict read at the start of a reply is exact enough: the counters can only have grown by
what other replies of the same company did in the meantime, so a quota is overshot by at most the
replies in flight (a few messages, one model answer's tokens) — and nothing is ever refused by it.

Outside a reply (an API call, a task) the verdict reads the hash itself: one call, off the hot path.

Policies: under `block_ai`, AI tokens used up -> the LLM is skipped (the offline engine and the
templates answer; booking and reminders go on); answered messages used up -> automatic replies
pause (the messages are stored, staff answer them from the inbox), each waiting contact gets one
notice a day. Under `allow_overage` nothing stops: the excess is billed per 1,000.
"""

from __future__ import annotations

import time
from datetime import date

import structlog
from django.conf import settings
from django.db import connection
from django.utils import timezone

from billing.metering import counters
from billing.metering.periods import period_bounds, period_of
from billing.metering.services import MeteringScope, _redis, _scope, company_id_of, metering_enabled, usage_live
from billing.metering.sources import fact_total
from billing.selectors import AI, ALLOWED, AUTO_REPLY, subscription_state
from secretaria.lru import LRU
from secretaria.redis_client import get_redis
from secretaria.settings_cache import cached

log = structlog.get_logger(__name__)
VERDICT_SECONDS = 60.0  # how long a confirmed "used up" stands in this process before the rows are asked again
# (schema, kind, period) -> (checked at, verdict); bounded for a fleet (an evicted verdict is checked again).
_verdicts: LRU[tuple, tuple[float, bool]] = LRU(lambda: settings.COMPANY_CACHE_MAX_ENTRIES)

BLOCK_AI = "block_ai"
# What a paused contact is told once a day: the company's template slot of this name
# (secretaria/texts.py; the default in templates/replies/slots/billing.toml).
QUOTA_NOTICE_SLOT = "quota_notice"


def quota_read(pipe) -> None:
    """Add the current period's usage hash to the caller's pipeline (its answer goes to `quota_scope`)."""
    pipe.hgetall(counters.usage_key())


def quota_scope(raw_usage) -> MeteringScope:
    """The reply's scope: verdicts from `raw_usage`, increments sent with the lock's release."""
    return MeteringScope(raw_usage)


def _values() -> dict[str, str]:
    scope = _scope.get()
    if scope is not None and scope.schema == connection.schema_name and counters.BUILT in scope.usage:
        return scope.usage
    return usage_live()


def quota_exhausted(kind: str, values: dict[str, str] | None = None) -> bool:
    """The plan's `kind` is used up and its policy blocks (never under allow_overage, never unlimited)."""
    if not metering_enabled():
        return False
    values = _values() if values is None else values
    limit = counters.limit_of(values, kind)
    if not limit or values.get("policy", BLOCK_AI) != BLOCK_AI:
        return False
    return counters.used_of(values, kind) >= limit and _confirmed(kind, limit)


def _confirmed(kind: str, limit: int) -> bool:
    """Check a block against the rows before applying it, once a minute per process.

    The counters can only lag the rows (an event lost with its process), never run ahead of them,
    unless Redis came back from an old snapshot or rows were removed (tests roll back; an erasure):
    a quota is never enforced on usage the rows do not show. A counter found ahead is dropped and
    rebuilt from the rows by the next increment.
    """
    schema, period = connection.schema_name, period_of()
    cache_key = (schema, kind, period)
    cached_at, verdict = _verdicts.get(cache_key, (0.0, False))
    if time.monotonic() - cached_at < VERDICT_SECONDS:
        return verdict
    used = fact_total(kind, *period_bounds(period))
    verdict = used is None or used >= limit
    if not verdict:
        log.warning("usage_counter_ahead_of_rows", schema=schema, kind=kind, rows=used)
        _redis(lambda: get_redis().delete(counters.usage_key(schema=schema, period=period)))
    _verdicts.set(cache_key, (time.monotonic(), verdict))
    return verdict


def ai_allowed() -> bool:
    """May this reply call the company's language model? (Not when suspended or canceled either.)"""
    return _subscription_allows(AI) and not quota_exhausted("ai_tokens")


def replies_paused() -> bool:
    """Are automatic replies paused (answered messages used up under block_ai, or the subscription
    suspended or canceled)? Messages are still stored and staff still answer."""
    return not _subscription_allows(AUTO_REPLY) or quota_exhausted("messages")


def _subscription_allows(what: str) -> bool:
    """The subscription's verdict (billing.selectors.ALLOWED) without a query per reply: its state is
    kept with the company's settings (billing's services bump their version on every change), and the
    effective status (a trial or a grace period running out) is worked out from it at each call."""
    company_id = company_id_of(connection.schema_name)
    if company_id is None:
        return True
    state = cached("billing.metering.subscription", lambda: subscription_state(company_id))
    return state is None or what in ALLOWED[state.effective_status()]


def quota_notice_key(*, contact_id: int, today: date | None = None) -> str:
    """The outbox key of the day's notice to a contact: a second one the same day is refused."""
    today = today or timezone.localdate()
    return f"quota-notice:{contact_id}:{today.isoformat()}"
