"""Reads of usage against the plan's limits."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class UsageFigure:
    kind: str
    used: int
    limit: int  # 0 means unlimited
    ratio: float  # used / limit, 0.0 when unlimited
    cost: Decimal  # BRL


def usage_for_period(company_id: int, period: date | None = None) -> dict[str, UsageFigure]:
    """Usage of each kind in the billing period containing `period` (default: the current one)."""
    raise NotImplementedError  # filled in the next commit


def usage_ratio(company_id: int, kind: str) -> float:
    """Share of the plan's limit of `kind` used in the current period (0.0 when unlimited)."""
    raise NotImplementedError  # filled in the next commit
