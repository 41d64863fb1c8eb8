"""A free period's KPIs from its days, when the reports have no stored summary for it.

The reports keep a summary per day, ISO week and month (exact: distinct contacts counted once,
percentiles over the period's own replies); an export may cover any range, and for one that is not
such a period its figures are rebuilt here from the days:

- counts and money are summed; rates are recomputed from the summed counts (no-shows over
  attendances + no-shows), and cost per booking from the summed cost and bookings;
- quota ratios take the period's highest day (a level reached, not a flow);
- times (percentiles) and scores are the mean of the days that have one, weighted by the day's
  conversations (times) or equally (scores): an approximation, flagged `approximate`, and so are
  distinct contacts, summed day by day (a contact seen on two days counts twice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # data.py builds its KPIs with these functions
    from analytics.exports.data import Column, Day, Value

RATES = {"handoff_rate": ("handoffs", ("conversations_opened",)),
         "no_show_rate": ("no_shows", ("attendances", "no_shows"))}
PER = {"cost_per_booking_cents": ("ai_cost_cents", "bookings")}
WEIGHTS = {"first_reply_p50_s": "conversations_opened", "first_reply_p90_s": "conversations_opened",
           "staff_response_p50_s": "handoffs"}
SUMMED_DISTINCTS = frozenset({"contacts_unique", "contacts_returning"})


def _sum(days: list[Day], key: str) -> int | float:
    return sum(day.figures.get(key) or 0 for day in days)


def total(column: Column, days: list[Day]) -> Value:
    """`column`'s figure over all of `days` (None when there is nothing to measure)."""
    key = column.key
    if key in RATES:
        numerator, parts = RATES[key]
        whole = sum(_sum(days, part) for part in parts)
        return _sum(days, numerator) / whole if whole else None
    if key in PER:
        numerator, denominator = PER[key]
        count = _sum(days, denominator)
        return round(_sum(days, numerator) / count) if count else None
    present = [(day, day.figures[key]) for day in days if day.figures.get(key) is not None]
    if key.startswith("quota_"):
        return max((value for _, value in present), default=None)
    if column.kind in ("count", "brl_cents"):
        return _sum(days, key)
    return _mean(present, WEIGHTS.get(key))


def _mean(present: list[tuple[Day, float]], weight_key: str | None) -> float | None:
    if not present:
        return None
    weights = [(day.figures.get(weight_key) or 0) if weight_key else 1 for day, _ in present]
    if not sum(weights):
        weights = [1] * len(present)
    return sum(value * weight for (_, value), weight in zip(present, weights, strict=True)) / sum(weights)


def is_approximate(column: Column) -> bool:
    return column.key in SUMMED_DISTINCTS or (
        column.kind in ("seconds", "score") or (column.kind == "ratio" and column.key not in RATES
                                                and not column.key.startswith("quota_")))


def change_of(kind: str, value: Value, previous: Value) -> float | None:
    """Relative change (0.125 = +12,5 %); for rates the difference in points; None if nothing compares."""
    if value is None or previous is None:
        return None
    if kind == "ratio":
        return value - previous
    if previous == 0:
        return 0.0 if value == 0 else None
    return (value - previous) / abs(previous)
