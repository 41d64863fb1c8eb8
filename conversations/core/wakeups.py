"""Waking the reply pipeline: one sorted set in Redis instead of a Celery message per webhook.

Why: publishing a Celery task costs the webhook about 1 ms of CPU (kombu builds the
message and a client for every publish), a third of the whole request, and the web
server's CPU is what the ack latency depends on. A ZADD is one small command.

The member is `<schema>:<contact id>` and the score is when that contact's burst is
due (its last message + the debounce window). A contact typing five messages moves
its one entry forward five times: the debounce is the data structure.

The worker's dispatcher thread (conversations/core/dispatcher.py) pops due entries
atomically, so two workers never take the same one, and answers each on a pool of
threads of its own (`WakeupPool`): a Celery task per reply cost the worker a publish
and a consume, about a fifth of its CPU. Losing an entry (Redis restarted empty, a
worker killed mid-reply) loses nothing: the messages are in PostgreSQL and the
per-minute sweeper schedules whatever is left unanswered.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import structlog
from django.conf import settings
from django.db import close_old_connections, connection
from django_tenants.utils import schema_context

from secretaria.observability.metrics import TASK_LATENCY
from secretaria.redis_client import get_redis

log = structlog.get_logger(__name__)

# KEYS[1] = the set; ARGV = now, limit. Returns the members due, removed from the set.
_POP_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then
  redis.call('ZREM', KEYS[1], unpack(due))
end
return due
"""
_scripts: dict[int, object] = {}


def wakeups_key() -> str:
    # Per queue: tests (and a second deployment on one Redis) each have their own queue.
    return f"secretaria:wakeups:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def wakeup_schedule(*, contact_ids, delay: float) -> None:
    """Answer these contacts of the current company `delay` seconds from now (later wins)."""
    due = time.time() + delay
    members = {f"{connection.schema_name}:{contact_id}": due for contact_id in contact_ids}
    if members:
        get_redis().zadd(wakeups_key(), members)


def wakeups_pop_due(*, limit: int = 500) -> list[tuple[str, int]]:
    """Take the entries that are due: [(schema, contact_id)]. Each is returned to one caller only."""
    redis = get_redis()
    script = _scripts.get(id(redis))
    if script is None:
        script = _scripts[id(redis)] = redis.register_script(_POP_DUE)
    raw = script(keys=[wakeups_key()], args=[repr(time.time()), limit])
    due = []
    for member in raw:
        schema, _, contact_id = (member.decode() if isinstance(member, bytes) else member).rpartition(":")
        if schema and contact_id.isdigit():
            due.append((schema, int(contact_id)))
    return due


def wakeup_run(*, schema: str, contact_id: int) -> str:
    """Answer one due contact, in this thread (the dispatcher's pool): what the reply task does,
    without a broker round trip. Returns the outcome's status."""
    from conversations.core.pipeline import conversation_answer_due

    _check_connection()
    started = time.monotonic()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task="conversations.reply", company=schema, contact_id=contact_id)
    try:
        with schema_context(schema):
            return conversation_answer_due(contact_id=contact_id).status
    except Exception:  # noqa: BLE001 - the messages stay unanswered in PostgreSQL: the sweeper retries them
        log.exception("wakeup_failed")
        return "error"
    finally:
        TASK_LATENCY.labels(company=schema, task="conversations.reply").observe(time.monotonic() - started)
        structlog.contextvars.clear_contextvars()


# How often a reply thread re-checks its database connection (expired by CONN_MAX_AGE, or
# dead: a `SELECT 1` when CONN_HEALTH_CHECKS is on). Django does it around every request;
# per reply it was one more round trip than the reply itself needed.
CONNECTION_CHECK_SECONDS = 5.0
_thread = threading.local()


def _check_connection() -> None:
    """Drop this thread's broken or expired connection, at most every few seconds.

    After an error it is checked at once: a reply that failed on a dead connection is
    followed by one that reconnects (the failed one's messages wait for the sweeper).
    """
    now = time.monotonic()
    last = getattr(_thread, "checked_at", None)
    if connection.errors_occurred or last is None or now - last >= CONNECTION_CHECK_SECONDS:
        close_old_connections()
        _thread.checked_at = now


class WakeupPool:
    """Runs due replies on a bounded pool of threads inside the worker process.

    Only as many entries are popped as there are free threads, so nothing waits in
    memory where a crash would hide it: what is not popped stays in Redis, what is
    popped is being answered (and a killed worker leaves it to the sweeper).
    """

    def __init__(self, threads: int):
        self.threads = threads
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="reply")
        self._in_flight = 0
        self._lock = threading.Lock()

    def dispatch(self) -> int:
        """Start what is due, up to the free threads; returns how many were started."""
        with self._lock:
            free = self.threads - self._in_flight
        if free <= 0:
            return 0
        due = wakeups_pop_due(limit=free)
        for schema, contact_id in due:
            with self._lock:
                self._in_flight += 1
            self._executor.submit(wakeup_run, schema=schema, contact_id=contact_id).add_done_callback(self._done)
        return len(due)

    def _done(self, _future) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def full(self) -> bool:
        with self._lock:
            return self._in_flight >= self.threads

    def shutdown(self) -> None:
        """Let the replies in flight finish (a warm shutdown)."""
        self._executor.shutdown(wait=True)
