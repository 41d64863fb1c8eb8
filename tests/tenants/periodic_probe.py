"""Periodic tasks for the dispatcher's tests. Imported by the tests, and by the real worker they start
(`celery worker --include tests.tenants.periodic_probe`).

`tests.periodic_probe` counts each run in Redis, per company (the schema it ran in), and how many ran
at once across every process, holding for `hold` seconds; the run's keys are named by the test.
"""

import threading
import time

from celery import shared_task
from django.db import connection

from secretaria.redis_client import get_redis

RUN_KEY = "secretaria:test-probe:run"  # the current test's run id, set by the test

# Keeps the highest value `running` reached (an atomic max across processes).
_ENTER = """
local n = redis.call('INCR', KEYS[1])
if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n, 'EX', 600) end
redis.call('EXPIRE', KEYS[1], 600)
return n
"""


def probe_key(run: str, *parts: str) -> str:
    return ":".join(["secretaria", "test-probe", run, *parts])


@shared_task(name="tests.periodic_probe")
def periodic_probe_task() -> None:
    client = get_redis()
    run = client.get(RUN_KEY).decode()
    client.incr(probe_key(run, "count", connection.schema_name))
    client.expire(probe_key(run, "count", connection.schema_name), 600)
    client.register_script(_ENTER)(keys=[probe_key(run, "running"), probe_key(run, "max")])
    try:
        time.sleep(float(client.get(probe_key(run, "hold")) or 0))
    finally:
        client.decr(probe_key(run, "running"))


# In-process only: a task that holds until the test lets it go, one that fails, one that waits in PostgreSQL.
RELEASE = threading.Event()
ENTERED = threading.Event()


@shared_task(name="tests.periodic_stuck")
def periodic_stuck_task() -> None:
    ENTERED.set()
    RELEASE.wait(timeout=30)


@shared_task(name="tests.periodic_fail")
def periodic_fail_task() -> None:
    raise RuntimeError("falhou de propósito")


@shared_task(name="tests.periodic_pg_sleep")
def periodic_pg_sleep_task() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
