"""Loaded by the fleet bench's workers (`celery worker --include bench.fleet_probe`): when each task ran.

The dispatcher's cycle is judged by when every company's job started and finished. The
workers' own metrics say how long a task took, not when it started nor for which company
once labels are aggregated, so each worker process appends one JSON line per task run to
`$BENCH_FLEET_PROBE_DIR/<pid>.jsonl`: task name, schema (tenant-schemas-celery's header),
the ETA it was sent with (the dispatcher's jitter), start and end (Unix seconds), its state
and its return value when short.
A file, not Redis: the bench measures Redis per company and must not add to it.
Nothing happens when the variable is unset.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun

_DIR = os.environ.get("BENCH_FLEET_PROBE_DIR", "")
_started: dict[str, float] = {}
_out = None


def _file():
    global _out
    if _out is None:
        # One file per process (pool children included): appends never interleave.
        _out = open(Path(_DIR) / f"{os.getpid()}.jsonl", "a", buffering=1)  # noqa: SIM115 - lives with the process
    return _out


def _schema(task) -> str:
    request = task.request
    return (request.headers or {}).get("_schema_name") or request.get("_schema_name") or "public"


def _on_prerun(task_id=None, **_kwargs):
    _started[task_id] = time.time()


def _on_postrun(task=None, task_id=None, state=None, retval=None, **_kwargs):
    started = _started.pop(task_id, None)
    if started is None or task is None:
        return
    eta = task.request.eta
    line = {"task": task.name, "schema": _schema(task), "start": started, "end": time.time(), "state": state,
            "eta": eta if isinstance(eta, str) else (eta.isoformat() if eta else None),
            # What the task answered, when short (a dispatcher's count, a company run's outcome).
            "retval": retval if isinstance(retval, int | float | str) and len(str(retval)) <= 40 else None}
    _file().write(json.dumps(line) + "\n")


if _DIR:
    task_prerun.connect(_on_prerun, weak=False, dispatch_uid="bench.fleet_probe.prerun")
    task_postrun.connect(_on_postrun, weak=False, dispatch_uid="bench.fleet_probe.postrun")
