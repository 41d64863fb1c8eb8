"""A per-company circuit breaker kept in Redis, shared by every worker process.

Why Redis and not memory: a company's calls are spread over many workers; an
in-process breaker would let each of them hammer a failing provider on its own.
Why per company: each company brings its own key and endpoint, so one company's
dead Ollama or revoked key must not silence the others (keys via `tenant_key`).

States: *closed* (calls go through; failures are counted in a sliding window),
*open* (no calls until `open_seconds` have passed), *half-open* (exactly one probe
call goes through; its success closes the breaker, its failure opens it again).

Every transition is one Lua script, so concurrent workers never race between
reading and writing. The clock is passed into the scripts (wall time by default,
since processes on different hosts share it; tests inject a fake one). Real Redis
TTLs are used only to collect garbage and to free a probe whose worker died.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Literal

import redis

from secretaria.redis_client import get_redis, tenant_key

State = Literal["closed", "open", "half_open"]

# KEYS: opened_at, probe. ARGV: now, open_seconds, probe_ttl_ms, token.
# Returns 1 when the call may go ahead (closed, or this caller won the probe), else 0.
_ALLOW = """
local opened = redis.call('GET', KEYS[1])
if not opened then return 1 end
if tonumber(ARGV[1]) < tonumber(opened) + tonumber(ARGV[2]) then return 0 end
if redis.call('SET', KEYS[2], ARGV[4], 'NX', 'PX', ARGV[3]) then return 1 end
return 0
"""

# KEYS: opened_at, probe, failures. ARGV: now, open_seconds, window_seconds, threshold, token, gc_seconds.
# Returns 1 when this failure opened (or re-opened) the breaker, else 0.
_FAILURE = """
local now = tonumber(ARGV[1])
local opened = redis.call('GET', KEYS[1])
if opened then
  if now < tonumber(opened) + tonumber(ARGV[2]) then return 0 end
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[6])
  redis.call('DEL', KEYS[2])
  return 1
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[3]))
redis.call('ZADD', KEYS[3], now, ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
if redis.call('ZCARD', KEYS[3]) < tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[6])
redis.call('DEL', KEYS[2], KEYS[3])
return 1
"""

# KEYS: opened_at, probe, failures. Returns 1 when the breaker was open or half-open.
_SUCCESS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
"""

# How long a breaker's keys outlive their last write: a breaker nobody uses for a
# day is forgotten (closed), which is the state it would be probed into anyway.
_GC_SECONDS = 86_400


class CircuitBreaker:
    """One breaker named `name` for the company whose schema is active at construction."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        window_seconds: float = 60,
        open_seconds: float = 30,
        probe_timeout_seconds: float = 120,
        clock: Callable[[], float] = time.time,
        client: redis.Redis | None = None,
    ):
        """`probe_timeout_seconds` (real time) frees the half-open slot if the probing
        worker dies before reporting; it must outlast one call with all its retries."""
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.name = name
        self.failure_threshold = failure_threshold
        self.window_seconds = window_seconds
        self.open_seconds = open_seconds
        self.probe_ttl_ms = int(probe_timeout_seconds * 1000)
        self.clock = clock
        self._redis = client or get_redis()
        # Scripts run by SHA (EVALSHA), falling back to loading them once per server.
        self._allow = self._redis.register_script(_ALLOW)
        self._failure = self._redis.register_script(_FAILURE)
        self._success = self._redis.register_script(_SUCCESS)
        # Bound now: the schema active when the breaker is made is the company it guards.
        self.keys = [tenant_key("breaker", name, part) for part in ("opened", "probe", "failures")]

    def __repr__(self) -> str:
        return f"CircuitBreaker({self.keys[0].rsplit(':', 1)[0]!r})"

    def allow(self) -> bool:
        """Whether a call may go ahead now; in half-open only the one caller that wins the probe."""
        args = [self._now(), self.open_seconds, self.probe_ttl_ms, uuid.uuid4().hex]
        return bool(self._allow(keys=self.keys[:2], args=args))

    def record_success(self) -> bool:
        """The provider answered: close the breaker. True when it was open or half-open."""
        return bool(self._success(keys=self.keys))

    def record_failure(self) -> bool:
        """Count a failure; True when this one opened the breaker (or re-opened it after a failed probe).

        Failures reported while already open (slow calls that started before it opened)
        are ignored, so they cannot keep pushing the re-probe further away.
        """
        args = [self._now(), self.open_seconds, self.window_seconds, self.failure_threshold,
                uuid.uuid4().hex, _GC_SECONDS]
        return bool(self._failure(keys=self.keys, args=args))

    def state(self) -> State:
        opened = self._redis.get(self.keys[0])
        if opened is None:
            return "closed"
        return "open" if self._now() < float(opened) + self.open_seconds else "half_open"

    def reset(self) -> None:
        """Forget everything (an admin's "try again now", and tests)."""
        self._redis.delete(*self.keys)

    def _now(self) -> float:
        return float(self.clock())  # redis-py sends floats with repr(): full precision for Lua
