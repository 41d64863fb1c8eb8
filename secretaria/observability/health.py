"""Readiness checks: each component answers ok or fail with a reason, and its latency."""

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

from celery_app import app
from secretaria.beat import HEARTBEAT_KEY
from secretaria.observability.metrics import HEALTHCHECK_FAILURES
from secretaria.redis_client import get_redis


class CheckFailed(Exception):
    pass


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    if not get_redis().ping():
        raise CheckFailed("no PONG")


def check_celery() -> None:

    # limit=1: return as soon as one worker answers instead of waiting the full timeout.
    if not app.control.ping(timeout=1.0, limit=1):
        raise CheckFailed("no worker answered")


def check_beat() -> None:
    raw = get_redis().get(HEARTBEAT_KEY)
    if raw is None:
        raise CheckFailed("no heartbeat")
    age = time.time() - float(raw)
    if age > settings.BEAT_HEARTBEAT_MAX_AGE:
        raise CheckFailed(f"last heartbeat {age:.0f}s ago")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "celery": check_celery,
    "beat": check_beat,
}


def readiness_check_register(name: str, check: Callable[[], None]) -> None:
    """A check from an app above this floor (tenants: no schema lags behind the code's migrations),
    registered in its AppConfig.ready(). It raises CheckFailed with the reason, or returns."""
    CHECKS[name] = check


def run_checks(checks: dict[str, Callable[[], None]] | None = None) -> tuple[bool, dict]:
    results = {}
    for name, check in (checks or CHECKS).items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"status": "ok"}
        except Exception as exc:  # noqa: BLE001 - any failure is a "fail" with its reason
            results[name] = {"status": "fail", "error": f"{type(exc).__name__}: {exc}"[:300]}
            HEALTHCHECK_FAILURES.labels(component=name).inc()
        results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return all(r["status"] == "ok" for r in results.values()), results
