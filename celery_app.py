"""The Celery application, tenant-aware through tenant-schemas-celery.

A task sent while a company's schema is active carries that schema in a header
(taken at *send* time) and runs in it; a task sent outside any company runs in
`public`. Periodic jobs go through one dispatcher (`tenants.tasks`) that fans
out to every active company.
"""

import os
import threading
import time

import structlog
from celery import bootsteps
from celery.schedules import crontab
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun, worker_init, worker_ready
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretaria.settings")

app = CeleryApp("secretaria")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.worker_hijack_root_logger = False
app.autodiscover_tasks()


class WakeupDispatcher(bootsteps.StartStopStep):
    """A thread in each worker that answers the contacts whose debounce window has ended.

    Webhooks put contacts in a Redis sorted set (conversations/services/wakeups.py);
    this loop pops the due ones and answers them on the worker's reply threads
    (settings.REPLY_THREADS), never popping more than it has free threads for.
    """

    requires = {"celery.worker.components:Pool"}
    IDLE_SECONDS = 0.05
    ERROR_SECONDS = 1.0

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = None

    def start(self, worker):
        from django.conf import settings

        from conversations.services.wakeups import WakeupPool

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
        log = structlog.get_logger("secretaria.wakeups")
        while not self._stop.is_set():
            try:
                started = self._pool.dispatch()
            except Exception:  # noqa: BLE001 - Redis away: try again shortly; the sweeper is the safety net
                log.warning("wakeup_dispatch_failed", exc_info=True)
                self._stop.wait(self.ERROR_SECONDS)
                continue
            if not started:
                self._stop.wait(self.IDLE_SECONDS)


if os.environ.get("SECRETARIA_WAKEUP_DISPATCHER", "1") != "0":
    app.steps["worker"].add(WakeupDispatcher)


@worker_init.connect
def _yield_cpu_to_the_web(**_kwargs):
    from secretaria.priority import worker_yield_cpu

    worker_yield_cpu()


@worker_ready.connect
def _fewer_garbage_collections(**_kwargs):
    from secretaria.gc_tuning import gc_tune

    gc_tune()


@setup_logging.connect
def _keep_our_logging(**_kwargs):
    """Celery would install its own handlers; settings already configured structlog."""


@before_task_publish.connect
def _propagate_request_id(headers=None, **_kwargs):
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id


# task id -> start time, for secretaria_task_latency_seconds (one worker process).
_TASK_STARTED: dict[str, float] = {}


@task_prerun.connect
def _bind_task_context(task=None, task_id=None, **_kwargs):
    from django.db import close_old_connections, connection

    if not getattr(task.request, "is_eager", False):  # an eager task runs inside its caller's connection
        close_old_connections()  # only broken or expired ones (settings.CELERY_DB_REUSE_MAX)
    _TASK_STARTED[task_id] = time.monotonic()
    structlog.contextvars.clear_contextvars()
    request_id = (task.request.headers or {}).get("request_id") or task.request.get("request_id")
    structlog.contextvars.bind_contextvars(
        task=task.name, task_id=task_id, company=connection.schema_name,
        **({"request_id": request_id} if request_id else {}),
    )


@task_postrun.connect
def _clear_task_context(task=None, task_id=None, **_kwargs):
    from secretaria.observability.metrics import TASK_LATENCY

    # The company comes from the log context: tenant-schemas-celery has already switched
    # the connection back to public by now.
    company = structlog.contextvars.get_contextvars().get("company", "public")
    started = _TASK_STARTED.pop(task_id, None)
    if task is not None and started is not None:
        TASK_LATENCY.labels(company=company, task=task.name).observe(time.monotonic() - started)
    structlog.contextvars.clear_contextvars()


app.conf.beat_schedule = {
    "tenants-dispatch-every-minute": {
        "task": "tenants.dispatch_periodic",
        "schedule": 60.0,
        "args": ["minute"],
        "options": {"expires": 55},
    },
    "conversations-queue-size": {
        "task": "conversations.queue_size_sample",
        "schedule": 15.0,
        "options": {"expires": 14},
    },
    "tenants-dispatch-daily": {
        "task": "tenants.dispatch_periodic",
        "schedule": crontab(hour=3, minute=15),
        "args": ["daily"],
        "options": {"expires": 3600},
    },
}
