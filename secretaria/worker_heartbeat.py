"""Which worker processes are alive: an identity per worker, a heartbeat in Redis, and the
take-over of a dead worker's companies by a live one.

Work a worker takes from shared state (messages to answer, replies to send) is marked in
PostgreSQL with the worker's identity (`claimed_by`, see conversations/core/claims.py). A
claim is only as good as its owner's heartbeat: a small process beside each worker, its pulse
(secretaria/worker_pulse.py), writes it every WORKER_HEARTBEAT_SECONDS while the worker
exists, and a worker silent for WORKER_DEAD_AFTER_SECONDS is dead. A thread in each worker
watches the others: a dead worker's claims are taken back by whichever live worker notices
first, within seconds, instead of after fixed ages (minutes) that had to be long enough for
the slowest live reply.

Keys (one set per queue, like the wake-ups: a test session or a second deployment on the
same Redis has its own):

- `...:beats`   sorted set, worker -> time of its last beat;
- `...:since`   when this registry was started: one younger than the dead-after period has
                just been wiped (Redis restarted empty), and its silence proves nothing;
- `...:schemas:<worker>`  the companies the worker claimed work in, so the taker-over knows
                where to look without visiting every schema (expires a day after its
                last beat: a dead worker nobody took over leaves nothing behind).

A worker registers a company before it claims anything there, and without a round trip of
its own: the wake-up pop adds it in the same script (conversations/core/wakeups.py), a
Celery task adds it once per worker and company (later tasks find it in memory). If Redis
loses all of it, nothing is lost: the per-minute sweeper checks every company's claims
against the heartbeats, and falls back to the fixed ages while the registry is too young
to be believed.

Prefork children inherit their parent's identity (assigned before the pool forks): a child
killed alone leaves its claims to the sweeper's fixed ages, its parent still beating.
"""

from __future__ import annotations

import atexit
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import structlog
from celery import bootsteps
from celery.signals import task_prerun
from django.conf import settings
from django.db import connection

from celery_app import app
from secretaria.redis_client import get_redis

log = structlog.get_logger("secretaria.heartbeat")
SCHEMAS_TTL = 24 * 3600

# This process's identity when it is a Celery worker (or one of its prefork children); "" elsewhere.
_identity = ""
_known: set[str] = set()  # companies registered for this worker in Redis
_known_lock = threading.Lock()
# Called as handler(worker=..., schemas=[...]) once per dead worker, by the live worker that took it over.
_takeover_handlers: list[Callable[..., None]] = []


def worker_identity() -> str:
    """Who claims work in this process: `<host>:<pid>:<random>`, or "" outside a worker."""
    return _identity


def identity_assign() -> str:
    """Give this process a worker identity (once; a new one after every start, so a reused
    pid is never taken for the dead process that had it)."""
    global _identity
    if not _identity:
        _identity = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        with _known_lock:
            _known.clear()
    return _identity


def _prefix() -> str:
    return f"secretaria:workers:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def beats_key() -> str:
    return f"{_prefix()}:beats"


def since_key() -> str:
    return f"{_prefix()}:since"


def schemas_key(worker: str | None = None) -> str:
    return f"{_prefix()}:schemas:{worker if worker is not None else _identity}"


def takeover_register(handler: Callable[..., None]) -> None:
    """What to do for each company of a dead worker (idempotent)."""
    if handler not in _takeover_handlers:
        _takeover_handlers.append(handler)


# --- registering the companies a worker claims work in ------------------------------------

def schema_registered(schemas: Iterable[str]) -> None:
    """Note companies that Redis already has for this worker (the wake-up pop added them)."""
    with _known_lock:
        _known.update(schemas)


def schema_register(schema: str) -> None:
    """Register a company for this worker before claiming work there: one SADD the first
    time per worker and company, nothing afterwards."""
    if not _identity or schema == "public" or schema in _known:
        return
    get_redis().sadd(schemas_key(), schema)
    with _known_lock:
        _known.add(schema)


def _register_task_schema(**_kwargs) -> None:
    try:
        schema_register(connection.schema_name)
    except Exception:  # noqa: BLE001 - Redis away: the sweeper's fixed ages cover this task's claims
        log.warning("schema_register_failed", schema=connection.schema_name)


# --- liveness --------------------------------------------------------------------------------

def workers_alive(workers: Iterable[str]) -> set[str] | None:
    """Those of `workers` with a live heartbeat, or None when the registry cannot tell
    (unreachable, or wiped less than the dead-after period ago: live workers have not all
    beaten again yet, so silence proves nothing)."""
    workers = sorted(set(workers))
    now = time.time()
    pipe = get_redis().pipeline(transaction=False)
    pipe.get(since_key())
    for worker in workers:
        pipe.zscore(beats_key(), worker)
    since, *scores = pipe.execute()
    if since is None or now - float(since) < settings.WORKER_DEAD_AFTER_SECONDS:
        return None
    return {w for w, score in zip(workers, scores, strict=True)
            if score is not None and now - score <= settings.WORKER_DEAD_AFTER_SECONDS}


# --- the heartbeat ---------------------------------------------------------------------------

# Moves a silent worker's beat (ARGV[1]) to now (ARGV[3]) if it is still older than ARGV[2]:
# the one caller that gets 1 holds the take-over until that "beat" turns silent in its turn.
_LEASE = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
"""
_scripts: dict[int, object] = {}


class Heartbeat:
    """One worker's beat and its watch over the others (one Redis round trip per beat)."""

    def __init__(self, identity: str):
        self.identity = identity

    def beat(self) -> list[str]:
        """Say we are alive (what the pulse does), and look around (`watch`)."""
        return self.watch(beat=True)

    def watch(self, *, beat: bool = False) -> list[str]:
        """The workers silent for longer than the dead-after period; our registrations written
        again if Redis lost them. One round trip."""
        now = time.time()
        pipe = get_redis().pipeline(transaction=False)
        if beat:
            pipe.zadd(beats_key(), {self.identity: now})
            pipe.set(since_key(), repr(now), nx=True)
            pipe.expire(schemas_key(self.identity), SCHEMAS_TTL)
        pipe.scard(schemas_key(self.identity))
        pipe.zrangebyscore(beats_key(), "-inf", now - settings.WORKER_DEAD_AFTER_SECONDS)
        *_, registered, silent = pipe.execute()
        with _known_lock:
            known = sorted(_known)
        if registered < len(known):  # Redis lost our registrations (restarted empty): write them again
            get_redis().sadd(schemas_key(self.identity), *known)
        silent = [w.decode() if isinstance(w, bytes) else w for w in silent]
        return [w for w in silent if w != self.identity]

    def take_over(self, worker: str) -> list[str] | None:
        """Take a dead worker's companies: returns them to the one caller that won the worker, None to the others.

        Winning is a lease, not a removal: the dead worker's beat is moved to now, so it turns
        silent again (and another live worker takes it over, again) only if we die before the
        end. Each company renews the lease; the entry and its registrations go at the end.
        """
        if not self._lease(worker, silent_since=time.time() - settings.WORKER_DEAD_AFTER_SECONDS):
            return None  # another live worker holds it (or it beat again meanwhile and is not dead)
        schemas = sorted(s.decode() for s in get_redis().smembers(schemas_key(worker)))
        log.warning("worker_dead_taken_over", dead_worker=worker, companies=len(schemas))
        for schema in schemas:
            for handler in list(_takeover_handlers):
                handler(worker=worker, schemas=[schema])
            get_redis().zadd(beats_key(), {worker: time.time()}, xx=True)  # renew the lease
        pipe = get_redis().pipeline(transaction=False)
        pipe.zrem(beats_key(), worker)
        pipe.delete(schemas_key(worker))
        pipe.execute()
        return schemas

    def _lease(self, worker: str, *, silent_since: float) -> bool:
        script = _scripts.get(id(get_redis()))
        if script is None:
            script = _scripts[id(get_redis())] = get_redis().register_script(_LEASE)
        return bool(script(keys=[beats_key()], args=[worker, repr(silent_since), repr(time.time())]))

    def leave(self) -> None:
        """A clean exit: nothing of ours is left to take back."""
        pipe = get_redis().pipeline(transaction=False)
        pipe.zrem(beats_key(), self.identity)
        pipe.delete(schemas_key(self.identity))
        pipe.execute()


class HeartbeatStep(bootsteps.StartStopStep):
    """The worker's pulse (a process, see worker_pulse.py) beats every WORKER_HEARTBEAT_SECONDS;
    a thread watches for dead workers and takes each over on a thread of its own."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        # Here, not in start(): before the prefork pool forks, so its children inherit it.
        self.heartbeat = Heartbeat(identity_assign())
        self._stop = threading.Event()
        self._taking_over: set[str] = set()
        self._pulse: subprocess.Popen | None = None

    def start(self, worker):
        try:
            self.heartbeat.beat()  # before the first claim: a worker never works unannounced
        except Exception:  # noqa: BLE001 - Redis away at start: the pulse keeps trying
            log.warning("heartbeat_failed", exc_info=True)
        # Not stopped with the step: a warm shutdown finishing its replies keeps beating until
        # the process exits, so nobody takes its work from under it.
        self._pulse = pulse_start(self.heartbeat.identity)
        threading.Thread(target=self._run, name="heartbeat-watch", daemon=True).start()
        atexit.register(self._leave)

    def _run(self) -> None:
        while not self._stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            try:
                # Without a pulse (it could not start, or died) this thread beats itself.
                alive = self._pulse is not None and self._pulse.poll() is None
                silent = self.heartbeat.watch(beat=not alive)
            except Exception:  # noqa: BLE001 - Redis away: beat again next time
                log.warning("heartbeat_failed", exc_info=True)
                continue
            for worker in silent:
                if worker not in self._taking_over:
                    self._taking_over.add(worker)
                    threading.Thread(target=self._take_over, args=(worker,), name="takeover", daemon=True).start()

    def _take_over(self, worker: str) -> None:
        try:
            self.heartbeat.take_over(worker)
        except Exception:  # noqa: BLE001 - what is left is the sweeper's (claims of a worker with no heartbeat)
            log.exception("takeover_failed", dead_worker=worker)
        finally:
            self._taking_over.discard(worker)
            connection.close()

    def _leave(self) -> None:
        self._stop.set()
        if self._pulse is not None:
            self._pulse.terminate()
        try:
            self.heartbeat.leave()
        except Exception:  # noqa: BLE001 - the entry goes stale and is taken over, finding nothing
            pass


def pulse_start(identity: str) -> subprocess.Popen | None:
    """The pulse process (worker_pulse.py, run by path: no Django, no Celery), in our process group."""
    script = Path(__file__).with_name("worker_pulse.py")
    args = [settings.REDIS_URL, beats_key(), since_key(), schemas_key(identity), identity,
            str(settings.WORKER_HEARTBEAT_SECONDS), str(SCHEMAS_TTL)]
    try:
        # -I: the script's folder (secretaria/, whose queue.py would shadow the standard library's) stays off sys.path.
        return subprocess.Popen([sys.executable, "-I", str(script), *args], stdin=subprocess.DEVNULL, close_fds=True)
    except OSError:
        log.warning("pulse_not_started", exc_info=True)
        return None


def heartbeat_install() -> None:
    """Every worker this process starts beats, and registers the companies of its tasks."""
    app.steps["worker"].add(HeartbeatStep)
    task_prerun.connect(_register_task_schema, weak=False, dispatch_uid="secretaria.heartbeat.task_prerun")
