"""R1: `kill -9` the Celery worker (its pool children too) repeatedly while traffic flows.

Every `every` seconds, while webhooks keep arriving, every worker process group gets
SIGKILL: whatever it was doing (composing a reply, waiting on the LLM, posting to the
channel, committing) stops dead, and the tasks it had reserved stay unacknowledged in
Redis. After `down` seconds the worker is started again. Once the load is over the run
drains: PostgreSQL is the system of record and beat's per-minute sweeper must bring back
what the kills left behind.

Pass: 0 lost. Duplicates are counted, not failed: the one tolerated duplicate is a kill
between the channel's 200 and our commit (docs/reliability.md).
"""

from __future__ import annotations

import threading
import time

from bench.load import get_json
from bench.replies import RunOptions, run
from bench.stack import SLUG, BenchStack

DEFAULTS = {"rate": 50.0, "seconds": 60.0, "stall": 240.0, "drain_max": 900.0}


def chaos(*, kills: int, every: float, down: float):
    def act(stack: BenchStack, stop: threading.Event) -> None:
        for number in range(1, kills + 1):
            if stop.wait(every):
                return
            in_work = _in_work(stack)
            pids = [w.pid for w in stack.workers]
            stack.kill_workers()
            stack.note(f"R1 kill -9 #{number}: worker process groups {pids}; at that moment {in_work}")
            time.sleep(down)  # not interruptible: the worker must always come back
            stack.start_workers()
            stack.note(f"R1 worker started again after {down:g}s")

    return act


def _in_work(stack: BenchStack) -> str:
    """What was in flight when the kill landed: evidence it hit mid-work."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from conversations.models import Message, Outbox

    try:
        with schema_context(SLUG):
            processing = Message.objects.filter(state=Message.State.PROCESSING).count()
            sending = Outbox.objects.filter(state=Outbox.State.SENDING).count()
        llm = get_json(stack.urls["llm"] + "/stats")["in_flight"]
        return f"{processing} messages processing, {sending} replies sending, {llm} LLM calls in flight"
    except Exception as exc:  # noqa: BLE001 - evidence only
        return f"(could not tell: {exc})"
    finally:
        connection.close()


def scenario(stack: BenchStack, options: RunOptions, *, kills: int, every: float, down: float) -> dict:
    options.label = "R1 kill -9 worker"
    return run(stack, options, chaos=chaos(kills=kills, every=every, down=down))
