"""R3: Redis (Valkey) restarted EMPTY while traffic flows.

At `at` seconds into the load the broker is stopped, its data deleted and the server
started again on the same port after `down` seconds (the embedded Valkey; with an
external REDIS_URL, FLUSHALL instead). Queued and reserved tasks, debounce timers,
locks and the beat heartbeat are all gone; PostgreSQL still has every message. Webhooks
that fail meanwhile are retried by the generator as a provider would. Beat must run:
its per-minute sweeper re-enqueues what is stuck.

Pass: 0 lost.
"""

from __future__ import annotations

import threading

from bench.replies import RunOptions, run
from bench.stack import BenchStack

DEFAULTS = {"rate": 50.0, "seconds": 60.0, "stall": 240.0, "drain_max": 900.0}


def chaos(*, at: float, down: float):
    def act(stack: BenchStack, stop: threading.Event) -> None:
        if stop.wait(at):
            stack.note("R3: the load ended before the restart point: nothing done")
            return
        stack.note("R3: restarting the broker empty")
        stack.note("R3: " + stack.restart_redis_empty(down))

    return act


def scenario(stack: BenchStack, options: RunOptions, *, at: float, down: float) -> dict:
    if not stack.options.beat:
        raise SystemExit("R3 needs beat (the sweeper): drop --no-beat")
    options.label = "R3 Redis restarted empty"
    return run(stack, options, chaos=chaos(at=at, down=down))
