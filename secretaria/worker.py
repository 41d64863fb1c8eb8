"""What a Celery worker process does besides running tasks, connected in SecretariaConfig.ready().

- It yields the CPU to the web server (secretaria/priority.py) and collects garbage less often.
- Every task runs with its log context bound (task, id, company, the request id of whoever
  sent it) and its duration observed in `secretaria_task_latency_seconds`.
"""

import time

import structlog
from celery.signals import task_postrun, task_prerun, worker_init, worker_ready
from django.db import close_old_connections, connection

from secretaria.gc_tuning import gc_tune
from secretaria.observability.metrics import TASK_LATENCY
from secretaria.priority import worker_yield_cpu

# task id -> start time, for secretaria_task_latency_seconds (one worker process).
_TASK_STARTED: dict[str, float] = {}


def _yield_cpu_to_the_web(**_kwargs):
    worker_yield_cpu()


def _fewer_garbage_collections(**_kwargs):
    gc_tune()


def _bind_task_context(task=None, task_id=None, **_kwargs):
    if not getattr(task.request, "is_eager", False):  # an eager task runs inside its caller's connection
        close_old_connections()  # only broken or expired ones (settings.CELERY_DB_REUSE_MAX)
    _TASK_STARTED[task_id] = time.monotonic()
    structlog.contextvars.clear_contextvars()
    request_id = (task.request.headers or {}).get("request_id") or task.request.get("request_id")
    structlog.contextvars.bind_contextvars(
        task=task.name, task_id=task_id, company=connection.schema_name,
        **({"request_id": request_id} if request_id else {}),
    )


def _clear_task_context(task=None, task_id=None, **_kwargs):
    started = _TASK_STARTED.pop(task_id, None)
    if task is not None and started is not None:
        TASK_LATENCY.labels(task=task.name).observe(time.monotonic() - started)
    structlog.contextvars.clear_contextvars()


def worker_signals_connect() -> None:
    """Idempotent: Celery's signals ignore a receiver connected twice (weak references by id)."""
    worker_init.connect(_yield_cpu_to_the_web, weak=False, dispatch_uid="secretaria.worker_init")
    worker_ready.connect(_fewer_garbage_collections, weak=False, dispatch_uid="secretaria.worker_ready")
    task_prerun.connect(_bind_task_context, weak=False, dispatch_uid="secretaria.task_prerun")
    task_postrun.connect(_clear_task_context, weak=False, dispatch_uid="secretaria.task_postrun")
