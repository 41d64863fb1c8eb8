"""Where each kind of usage is counted from: the rows an app committed, in the company's schema.

Billing sits below the apps that own those rows (messages, AI calls, outreach), so it cannot
import them: each registers, in its `AppConfig.ready()`, a function that counts one kind between
two instants, grouped by local day. The roll-up and the rebuild after a Redis wipe call them
inside the company's schema; they are the source of truth the counters must agree with.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DayFact:
    quantity: int
    cost_pico: int = 0  # pico-reais (1e-12 BRL, billing/metering/prices.py)


# fn(start, end) -> {local day: DayFact}, for rows in [start, end) of the current schema.
Counter = Callable[[datetime, datetime], dict[date, DayFact]]
_sources: dict[str, Counter] = {}
_lock = threading.Lock()


def register_source(kind: str, count: Counter) -> None:
    """Count `kind` with `count` (one per kind; registering again replaces it)."""
    with _lock:
        _sources[kind] = count


def source_kinds() -> list[str]:
    with _lock:
        return sorted(_sources)


def facts_between(start: datetime, end: datetime) -> dict[str, dict[date, DayFact]]:
    """Every registered kind's facts per day, in the current schema."""
    with _lock:
        sources = dict(_sources)
    return {kind: count(start, end) for kind, count in sources.items()}


def facts_totals(start: datetime, end: datetime) -> dict[str, int]:
    """Period totals per kind, plus `ai_cost` (pico-reais), as the Redis hash holds them."""
    totals: dict[str, int] = {}
    for kind, days in facts_between(start, end).items():
        totals[kind] = sum(fact.quantity for fact in days.values())
        if kind == "ai_tokens":
            totals["ai_cost"] = sum(fact.cost_pico for fact in days.values())
    return totals


def fact_total(kind: str, start: datetime, end: datetime) -> int | None:
    """One kind's total between two instants; None when nobody counts it."""
    with _lock:
        count = _sources.get(kind)
    return None if count is None else sum(fact.quantity for fact in count(start, end).values())
