"""A worker's pulse: a tiny process that writes its worker's heartbeat while that worker exists.

Started by secretaria/worker_heartbeat.py (HeartbeatStep) as `python <this file> ...`, by path so
that it imports neither Django nor Celery (a few MiB, a few ms of CPU an hour), and deliberately
not a thread of the worker. The worker runs at the lowest CPU priority (SCHED_IDLE, nice 19:
secretaria/priority.py) and its threads share one GIL: on a saturated machine a thread of its
own could not beat for many seconds, and a live worker would look dead and lose its claims.
Here the pulse leaves SCHED_IDLE (allowed without privileges) and beats on time.

What it proves is that the worker process exists, which is what a claim needs: a worker that
exists but makes no progress keeps its claims until the sweeper's fixed ages. It stops as soon
as its parent is gone (`kill -9` of the worker alone reparents it), or when killed with it
(the worker's process group).
"""

import os
import sys
import time


def _normal_priority() -> None:
    try:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0)  # only with the privilege to (CAP_SYS_NICE / RLIMIT_NICE)
    except (AttributeError, OSError):
        pass


def main(argv: list[str]) -> int:
    _normal_priority()  # first: even the import below must not wait behind a saturated machine
    redis_url, beats, since, schemas, identity, period, schemas_ttl = argv
    period_s = float(period)
    parent = os.getppid()
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    while os.getppid() == parent:
        now = time.time()
        try:
            pipe = client.pipeline(transaction=False)
            pipe.zadd(beats, {identity: now})
            pipe.set(since, repr(now), nx=True)
            pipe.expire(schemas, int(schemas_ttl))
            pipe.execute()
        except redis.RedisError:
            pass  # Redis away: beat again next time (claims meanwhile fall back to the sweeper's view)
        time.sleep(max(0.0, period_s - (time.time() - now)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
