"""Rate limits in Redis: per contact, per source IP, and per contact's LLM spend (S6).

A flooding contact must not drown the others nor burn the company's LLM budget;
its messages are still stored (and marked `limited`), never dropped.

Algorithm: a sliding-window log in one sorted set per key, updated by a single Lua
script (atomic, one round trip). The script trims entries older than the window,
counts the rest and records the new hit only if it is under the limit. Denied hits
are not recorded, so a set never holds more than `limit` members: memory and time
are O(limit) and O(log limit). Unlike a fixed window it cannot let 2x the limit
through around a window boundary. Keys expire one window after their last hit.

Timestamps come from this host's clock (`_now`, replaceable in tests); hosts are
NTP-synced and a few milliseconds of skew are irrelevant for 60 s windows.

Redis down: sender and IP limits fail OPEN (answering customers matters more than
strictness, and the webhook must still store the message); the LLM budget fails
CLOSED (an unmetered LLM is an unbounded bill; the customer gets the offline reply).
"""

import time
import uuid
from dataclasses import dataclass

import redis
import structlog
from django.conf import settings
from django.db import connection
from django_tenants.utils import get_public_schema_name

from secretaria.observability.metrics import MESSAGES_LIMITED
from secretaria.redis_client import get_redis, tenant_key

log = structlog.get_logger(__name__)

MINUTE = 60.0
HOUR = 3600.0

# One sliding-window log per key, for one key or several in one round trip (a webhook's IP
# and sender limits). KEYS = the sets, then keys only to read back (the company's settings
# version: the webhook confirms it here instead of in a round trip of its own); ARGV = now,
# unique member, how many KEYS are limits, then window and limit per limit key. Returns 1/0 per
# limit key, then each read key's value ('' when missing). Checking stops at the first denial, so
# a refused request counts against no later key (a flooding IP does not also use up its contacts'
# allowances).
_SLIDING_WINDOWS = """
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[3])
local result = {}
for i = 1, count do result[i] = 0 end
for i = 1, count do
  local key, window = KEYS[i], tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + 2 * i]) then
    break
  end
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  result[i] = 1
end
for i = count + 1, #KEYS do result[i] = redis.call('GET', KEYS[i]) or '' end
return result
"""


def _now() -> float:
    return time.time()


_scripts: dict[int, object] = {}  # one registered script per Redis client (its SHA is computed once)


@dataclass(frozen=True)
class Limit:
    scope: str  # the metric's label: "ip", "sender", "llm"
    key: str
    limit: int
    window: float


def _hits(limits: list[Limit], read: tuple[str, ...] = ()) -> tuple[list[bool], list[str]]:
    """Record one hit on each key that had fewer than its limit in its window, and read the `read` keys,
    in one round trip: (allowed per limit, value per read key, "" when missing)."""
    client = get_redis()
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_SLIDING_WINDOWS)
    args = [repr(_now()), uuid.uuid4().hex, len(limits)]
    for limit in limits:
        args += [repr(limit.window), limit.limit]
    result = script(keys=[limit.key for limit in limits] + list(read), args=args)
    values = [v.decode() if isinstance(v, bytes) else str(v) for v in result[len(limits):]]
    return [bool(hit) for hit in result[:len(limits)]], values


def _allow_each(limits: list[Limit], *, fail_open: bool, read: tuple[str, ...] = ()) -> tuple[list[bool], list]:
    """Per limit, whether this request is within it (the first refusal is counted in the metric), and
    the `read` keys' values (None each when Redis could not be reached)."""
    try:
        allowed, values = _hits(limits, read)
    except redis.RedisError as exc:
        log.warning("rate_limit_unavailable", scope="+".join(limit.scope for limit in limits),
                    fail_open=fail_open, error=str(exc))
        allowed, values = [fail_open] * len(limits), [None] * len(read)
    for limit, ok in zip(limits, allowed, strict=True):
        if not ok:
            MESSAGES_LIMITED.labels(scope=limit.scope).inc()
            break  # the ones after a refusal were not checked
    return allowed, values


def _allow(scope: str, key: str, *, limit: int, window: float, fail_open: bool) -> bool:
    [allowed], _ = _allow_each([Limit(scope, key, limit, window)], fail_open=fail_open)
    return allowed


def sender_allow(*, phone: str) -> bool:
    """May this contact's message go on to the pipeline? Per company, per minute; fails open."""
    limit = settings.RATE_LIMIT_SENDER_PER_MINUTE
    return _allow("sender", tenant_key("rl", "sender", phone), limit=limit, window=MINUTE, fail_open=True)


def ip_allow(*, ip: str) -> bool:
    """May this webhook request be processed? Per source IP, per minute; fails open.

    On a company's host (Whaticket, sandbox) the counter is that company's, so an
    abusive caller of one company cannot lock out a shared Whaticket server for the
    others. On the public host (Meta's single webhook for every company) there is no
    company yet when the request arrives: the key is global, shared by all companies.
    """
    limit = settings.RATE_LIMIT_IP_PER_MINUTE
    return _allow("ip", _ip_key(ip), limit=limit, window=MINUTE, fail_open=True)


@dataclass(frozen=True)
class WebhookAllowance:
    ip: bool
    sender: bool
    settings_version: str | None  # what Redis holds now ("" missing, None unreachable)


def webhook_allow(*, ip: str, sender: str | None, settings_version_key: str) -> WebhookAllowance:
    """The IP and sender limits for one inbound message, and the company's settings version, in one
    round trip to Redis.

    What `ip_allow` and then `sender_allow` would answer (same keys, limits and failure modes), for
    the webhook that carries one message: every round trip the webhook waits on shows in its ack
    latency. `sender=None` (a message that is never answered, a refusal) checks the IP only; when the
    IP is refused the sender is not counted.
    """
    limits = [Limit("ip", _ip_key(ip), settings.RATE_LIMIT_IP_PER_MINUTE, MINUTE)]
    if sender is not None:
        limits.append(Limit("sender", tenant_key("rl", "sender", sender),
                            settings.RATE_LIMIT_SENDER_PER_MINUTE, MINUTE))
    # Both fail open, as ip_allow and sender_allow do.
    allowed, [version] = _allow_each(limits, fail_open=True, read=(settings_version_key,))
    return WebhookAllowance(ip=allowed[0], sender=allowed[-1] if sender is not None else True,
                            settings_version=version)


def _ip_key(ip: str) -> str:
    if connection.schema_name == get_public_schema_name():
        return f"secretaria:global:rl:ip:{ip}"
    return tenant_key("rl", "ip", ip)


def llm_budget_allow(*, phone: str) -> bool:
    """May this contact's burst be answered by the LLM? Per company, per hour; fails CLOSED.

    Call once per burst about to reach the LLM; when False, answer offline (or not at all).
    """
    limit = settings.RATE_LIMIT_LLM_PER_CONTACT_HOUR
    return _allow("llm", tenant_key("rl", "llm", phone), limit=limit, window=HOUR, fail_open=False)
