"""Standing limits: how many channels, staff users and professionals a company may keep active.

The writes that add one (a channel created or enabled, a user created or reactivated, a
professional created or reactivated) live in conversations, accounts and agenda; the numbers
live in the company's plan, in billing. Accounts sits below billing, so the check is a seam
owned here and filled by billing in its `AppConfig.ready()`:

    register_limit(Limit(kind="channels", allowed=...))

A write calls `limit_check(kind, in_use=...)` inside its transaction. The check first takes a
transaction-scoped advisory lock per company and kind, then counts: two admins adding the
last seat at once are served one after the other, and the second is refused. With nothing
registered (billing not installed) every write is allowed.

Only additions are checked. A company whose plan went down below what it already has keeps
everything; it just cannot add more until it is back under the limit (docs/billing.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from secretaria.errors import LimitReached
from secretaria.registry import Registry

CHANNELS, STAFF, PROFESSIONALS = "channels", "staff", "professionals"


@dataclass(frozen=True)
class Limit:
    kind: str
    # in_use (after the addition) -> None when allowed, else the pt-BR reason.
    allowed: Callable[[int], str | None]


_limits: Registry[Limit] = Registry(key=lambda limit: limit.kind)
register_limit = _limits.register


def limit_reason(kind: str, *, in_use: int) -> str | None:
    """Why adding one more `kind` (making `in_use` active) is refused, or None. No lock: for forms,
    which show the reason next to the field; the service checks again under the lock."""
    limit = _limits.get(kind)
    return limit.allowed(in_use) if limit is not None else None


def limit_form_error(kind: str, *, adding: bool, count: Callable[[], int]) -> str | None:
    """For admin forms, whose save adds one `kind` when `adding` (a new one, or one switched back on)."""
    return limit_reason(kind, in_use=count() + 1) if adding else None


def limit_check(kind: str, *, count: Callable[[], int]) -> None:
    """Raise LimitReached unless one more `kind` fits. Call inside the write's transaction, before
    the write: `count()` is how many are active now, read after the lock is held."""
    if _limits.get(kind) is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"limit:{connection.schema_name}:{kind}"])
    reason = limit_reason(kind, in_use=count() + 1)
    if reason is not None:
        raise LimitReached(reason, kind=kind)
