"""The worker's side of the wake-ups: a Celery bootstep that answers contacts whose debounce ended,
on a pool of reply threads (the webhook's side, the sorted set in Redis, is wakeups.py).

Added to the worker by ConversationsConfig.ready() (Django is set up before Celery builds
the worker's steps), so the Celery app itself knows nothing of conversations.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import structlog
from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections, connection
from django_tenants.utils import schema_context

from celery_app import app
from conversations.core.pipeline import conversation_answer_due
from conversations.core.wakeups import wakeups_pop_due
from secretaria.observability.metrics import TASK_LATENCY

log = structlog.get_logger("secretaria.wakeups")


def wakeup_run(*, schema: str, contact_id: int) -> str:
    """Answer one due contact, in this thread (the dispatcher's pool): what the reply task does,
    without a broker round trip. Returns the outcome's status."""
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
        TASK_LATENCY.labels(task="conversations.reply").observe(time.monotonic() - started)
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


class WakeupDispatcher(bootsteps.StartStopStep):
    """A thread in each worker that answers the contacts whose debounce window has ended.

    Webhooks put contacts in a Redis sorted set (conversations/core/wakeups.py); this
    loop pops the due ones and answers them on the worker's reply threads
    (settings.REPLY_THREADS), never popping more than it has free threads for.
    """

    requires = {"celery.worker.components:Pool"}
    IDLE_SECONDS = 0.05
    ERROR_SECONDS = 1.0

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: WakeupPool | None = None

    def start(self, worker):
        self._pool = WakeupPool(threads=settings.REPLY_THREADS)
        self._thread = threading.Thread(target=self._run, name="wakeup-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, worker):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._pool is not None:
            self._pool.shutdown()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                started = self._pool.dispatch()
            except Exception:  # noqa: BLE001 - Redis away: try again shortly; the sweeper is the safety net
                log.warning("wakeup_dispatch_failed", exc_info=True)
                self._stop.wait(self.ERROR_SECONDS)
                continue
            if not started:
                self._stop.wait(self.IDLE_SECONDS)


def dispatcher_install() -> None:
    """Run the dispatcher in every worker this process starts (unless WAKEUP_DISPATCHER is off)."""
    if settings.WAKEUP_DISPATCHER:
        app.steps["worker"].add(WakeupDispatcher)
