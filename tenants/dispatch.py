"""The periodic fan-out: beat's one task per cadence sends every active company its cadence's jobs.

One dispatcher cycle is one query for the companies, the lag check (cached), one Redis round trip to
claim every company for the period and one message per company, published on one broker connection.
Each message waits out the company's own offset in the period (a hash of its schema: stable, spread
evenly) and then runs all of the cadence's tasks for that company (`company_jobs_run`).

Exactly once per period, even with two beats: the period is the one whose start is nearest to now
on Redis's clock (beats fire at the start of a period, far from the half-way boundary), and a
company is sent only by the dispatcher whose `SET NX` took its claim. The job runs only while the
claim still holds the token it was sent with, and turns it to "started" (with its lease id) as it
begins, so a redelivered message does not run it again, while the same take re-sent after a lost
reply is recognised as itself.

Bounded, and a slow company never delays the others: a job first takes one of the cadence's
`concurrency` slots, shared by the whole fleet (a sorted set of leases in Redis); a lease ends after
the company's budget even if its job is still running, so a stuck company holds a slot for that long
at most. The company's own next run is skipped while its previous one is still going. Inside its
budget each task runs with a PostgreSQL statement timeout of what is left of it.
"""

import hashlib
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import redis
import structlog
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.utils import OperationalError

from celery_app import app as celery_app
from secretaria.redis_client import get_redis
from tenants.metrics import (
    PERIODIC_DISPATCH_SECONDS,
    PERIODIC_DISPATCHED,
    PERIODIC_JOB_SECONDS,
    PERIODIC_JOBS,
    PERIODIC_RUNS,
)
from tenants.migration_state import migration_lag
from tenants.selectors import company_schemas_active

log = structlog.get_logger(__name__)

RUN_TASK = "tenants.periodic_run"
SEND_BATCH = 500  # messages per pipelined round trip to the broker
TAKE_ATTEMPTS = 3  # a take whose reply timed out is sent again, as the same take
QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout (or a cancel) stopped the statement


@dataclass(frozen=True)
class Cadence:
    name: str
    period: int  # seconds
    spread: int  # the companies' offsets fall in [0, spread)
    concurrency: int  # companies' jobs of this cadence running at once, fleet-wide
    budget: int  # seconds for one company's run of all the cadence's tasks


@dataclass(frozen=True)
class DispatchResult:
    cadence: str
    period: int
    sent: int
    claimed_elsewhere: int
    lagging: int


def cadence_get(name: str) -> Cadence:
    return Cadence(name=name, **settings.TENANT_PERIODIC_CADENCES[name])


def company_offset(schema: str, spread: float) -> float:
    """Seconds after the dispatch at which the company's jobs start: the same every period."""
    digest = hashlib.blake2b(schema.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 * spread


@lru_cache(maxsize=1)
def _fleet() -> str:
    """The database's oid names this fleet's keys: two deployments sharing one Redis, or a database
    dropped and created again under the same name (tests), never see each other's claims."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
        return str(cursor.fetchone()[0])


def _key(*parts: object) -> str:
    return ":".join(["secretaria", "periodic", _fleet(), *map(str, parts)])


def claim_key(cadence: str, period: int, schema: str) -> str:
    return _key(cadence, period, schema)


def period_current(cadence: Cadence) -> tuple[int, float]:
    """(period number, now) on Redis's clock, the one every node shares."""
    seconds, micros = get_redis().time()
    now = seconds + micros / 1e6
    return int(now / cadence.period + 0.5), now


def periodic_dispatch(*, cadence: str) -> int:
    """Send each active, migrated company its `cadence` jobs once for the current period: how many were sent."""
    return dispatch_cycle(cadence=cadence).sent


def dispatch_cycle(*, cadence: str) -> DispatchResult:
    """One cycle of the dispatcher, with what it found (lagging companies, those another dispatcher took)."""
    started = time.perf_counter()
    spec = cadence_get(cadence)
    tasks = list(settings.TENANT_PERIODIC_TASKS.get(cadence, []))
    schemas = company_schemas_active() if tasks else []
    lagging = set(migration_lag().lagging)
    ready = [s for s in schemas if s not in lagging]
    period, _ = period_current(spec)
    claimed = companies_claim(spec, period, ready)
    try:
        jobs_send(spec, period, claimed, tasks)
    except Exception:
        # The broker failed mid-way: give the claims back, so that another dispatcher (or beat's next
        # attempt) can still send these companies this period. A message that did leave finds its
        # claim gone and does not run; the one sent again does.
        claims_release(spec, period, claimed)
        raise
    result = DispatchResult(cadence=cadence, period=period, sent=len(claimed),
                            claimed_elsewhere=len(ready) - len(claimed), lagging=len(schemas) - len(ready))
    _observe(result, time.perf_counter() - started)
    return result


def companies_claim(cadence: Cadence, period: int, schemas: list[str]) -> dict[str, str]:
    """schema -> token for the companies this dispatcher won for the period (one pipelined round trip)."""
    token = uuid.uuid4().hex
    pipe = get_redis().pipeline(transaction=False)
    for schema in schemas:
        pipe.set(claim_key(cadence.name, period, schema), token, nx=True, ex=2 * cadence.period)
    return {schema: token for schema, won in zip(schemas, pipe.execute(), strict=True) if won}


def claims_release(cadence: Cadence, period: int, claimed: dict[str, str]) -> None:
    if claimed:
        get_redis().delete(*(claim_key(cadence.name, period, schema) for schema in claimed))


def jobs_send(cadence: Cadence, period: int, claimed: dict[str, str], tasks: list[str]) -> None:
    """One message per company, in its schema (the header tenant-schemas-celery reads), pipelined: kombu's
    publish batch sends them in one Redis round trip per SEND_BATCH messages instead of one each."""
    if not claimed:
        return
    expires_at = time.time() + cadence.period
    with celery_app.producer_or_acquire() as producer, producer.batch(max_size=SEND_BATCH):
        for schema, token in claimed.items():
            celery_app.send_task(
                RUN_TASK,
                kwargs={"cadence": cadence.name, "period": period, "token": token, "tasks": tasks,
                        "budget": cadence.budget, "concurrency": cadence.concurrency, "expires_at": expires_at},
                headers={"_schema_name": schema},
                countdown=company_offset(schema, cadence.spread),
                expires=cadence.period,
                queue=settings.TENANT_PERIODIC_QUEUE,
                # Enforced by a prefork pool only; the thread pool relies on the leases and statement timeouts.
                soft_time_limit=cadence.budget, time_limit=cadence.budget + 10,
                # Celery would saferepr() the kwargs for its logs: a third of the cycle's CPU at 1,000 companies.
                argsrepr="()", kwargsrepr=f"{{'cadence': {cadence.name!r}, 'period': {period}}}",
                producer=producer,
            )


def _observe(result: DispatchResult, seconds: float) -> None:
    PERIODIC_DISPATCH_SECONDS.labels(cadence=result.cadence).observe(seconds)
    PERIODIC_DISPATCHED.labels(cadence=result.cadence, outcome="sent").inc(result.sent)
    PERIODIC_DISPATCHED.labels(cadence=result.cadence, outcome="claimed").inc(result.claimed_elsewhere)
    PERIODIC_DISPATCHED.labels(cadence=result.cadence, outcome="lagging").inc(result.lagging)
    log.info("periodic_dispatched", cadence=result.cadence, period=result.period, sent=result.sent,
             claimed_elsewhere=result.claimed_elsewhere, lagging=result.lagging, seconds=round(seconds, 3))


# --- running one company's jobs (in its schema, on a worker) ---------------------------------------------

# KEYS: the claim, the company's busy lease, the cadence's slots. ARGV: token, concurrency, slot ms,
# busy ms, lease id. Redis's own clock, so every node's leases expire on the same one.
# The claim becomes 'started:<lease id>': the same take sent again (its reply was lost) answers 'ok' again
# instead of finding its own mark and calling itself a duplicate.
_TAKE = """
local claim = redis.call('GET', KEYS[1])
if claim == 'started:' .. ARGV[5] then return 'ok' end
if claim ~= ARGV[1] then return 'duplicate' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'busy' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[2]) then return 'full' end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
redis.call('SET', KEYS[1], 'started:' .. ARGV[5], 'KEEPTTL')
return 'ok'
"""
# KEYS: the company's busy lease, the cadence's slots. ARGV: lease id.
_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


def _scripts():
    # Registered on whichever client get_redis() gives now (it may be replaced); the SHA is computed locally.
    client = get_redis()
    return client.register_script(_TAKE), client.register_script(_RELEASE)


def slots_key(cadence: str) -> str:
    return _key(cadence, "slots")


def busy_key(cadence: str, schema: str) -> str:
    return _key(cadence, "busy", schema)


def lease_take(*, cadence: str, period: int, schema: str, token: str, concurrency: int, budget: int) -> tuple[str, str]:
    """('ok', lease id) or (why not: 'duplicate', 'busy', 'full', ''), atomically in one round trip.

    The slot lasts the budget; the company stays busy for twice that, so a run that overstays its
    budget is not joined by the company's next one, and a worker that died frees it in the end.
    """
    lease = f"{schema}:{uuid.uuid4().hex[:12]}"
    take, _ = _scripts()
    keys = [claim_key(cadence, period, schema), busy_key(cadence, schema), slots_key(cadence)]
    for attempt in range(TAKE_ATTEMPTS):
        try:
            outcome = take(keys=keys, args=[token, concurrency, budget * 1000, budget * 2000, lease])
            break
        except redis.TimeoutError:
            # The take may have run with its reply late: the same lease id again is safe (_TAKE says 'ok'
            # to its own mark), where a new one would find the claim started and skip the company.
            if attempt == TAKE_ATTEMPTS - 1:
                raise
    outcome = outcome.decode() if isinstance(outcome, bytes) else outcome
    return outcome, lease if outcome == "ok" else ""


def lease_release(*, cadence: str, schema: str, lease: str) -> None:
    _, release = _scripts()
    release(keys=[busy_key(cadence, schema), slots_key(cadence)], args=[lease])


def company_jobs_run(*, cadence: str, period: int, token: str, tasks: list[str], budget: int,
                     concurrency: int, expires_at: float) -> str:
    """Run the cadence's tasks for the current company, once per period, within its budget.

    Returns the outcome: 'ran', or why nothing ran ('expired', 'duplicate', 'busy', 'full': the
    caller tries again shortly while the period lasts).
    """
    schema = connection.schema_name
    if time.time() > expires_at:
        outcome = "expired"
    else:
        outcome, lease = lease_take(cadence=cadence, period=period, schema=schema, token=token,
                                    concurrency=concurrency, budget=budget)
    if outcome != "ok":
        PERIODIC_RUNS.labels(cadence=cadence, outcome="retried" if outcome == "full" else outcome).inc()
        if outcome == "duplicate":
            _duplicate_log(cadence=cadence, period=period, schema=schema, token=token)
        return outcome
    try:
        deadline = time.monotonic() + budget
        for name in tasks:
            _task_run(cadence=cadence, name=name, deadline=deadline)
    finally:
        lease_release(cadence=cadence, schema=schema, lease=lease)
    PERIODIC_RUNS.labels(cadence=cadence, outcome="ran").inc()
    return "ran"


def _duplicate_log(*, cadence: str, period: int, schema: str, token: str) -> None:
    """What the claim held instead of this message's token: started by another message (a redelivery),
    another dispatcher's token (a lost race), or nothing (it expired, or was given back)."""
    held = get_redis().get(claim_key(cadence, period, schema))
    held = held.decode() if held else None
    found = "none" if held is None else "started" if held.startswith("started:") else "other_token"
    log.info("periodic_run_duplicate", cadence=cadence, period=period, schema=schema, claim=found,
             token_sent=token[:8])


def _task_run(*, cadence: str, name: str, deadline: float) -> None:
    """One task, in this thread: a failure is logged and counted, and the company's next task still runs."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        PERIODIC_JOBS.labels(task=name, outcome="timeout").inc()
        log.warning("periodic_job_skipped", cadence=cadence, job=name, reason="budget spent")
        return
    started = time.monotonic()
    outcome = "ok"
    try:
        with statement_timeout(remaining):
            celery_app.tasks[name]()
    except OperationalError as exc:
        outcome = "timeout" if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED else "failed"
        log.exception("periodic_job_failed", cadence=cadence, job=name, outcome=outcome)
    except Exception:  # noqa: BLE001 - one task's failure must not cost the company its other tasks
        outcome = "failed"
        log.exception("periodic_job_failed", cadence=cadence, job=name, outcome=outcome)
    seconds = time.monotonic() - started
    PERIODIC_JOB_SECONDS.labels(task=name).observe(seconds)
    PERIODIC_JOBS.labels(task=name, outcome=outcome).inc()
    log.info("periodic_job_finished", cadence=cadence, job=name, outcome=outcome, seconds=round(seconds, 3))


@contextmanager
def statement_timeout(seconds: float) -> Iterator[None]:
    """No statement of this connection outlives `seconds` (a session setting, reset after)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {max(1, int(seconds * 1000))}")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        except DatabaseError:
            connection.close()  # a session we cannot reset is not handed to the next task


def retry_pause() -> float:
    low, high = settings.TENANT_PERIODIC_RETRY_SECONDS
    return random.uniform(low, high)
