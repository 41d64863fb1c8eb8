"""Waking the reply pipeline: one sorted set in Redis instead of a Celery message per webhook.

Why: publishing a Celery task costs the webhook about 1 ms of CPU (kombu builds the
message and a client for every publish), a third of the whole request, and the web
server's CPU is what the ack latency depends on. A ZADD is one small command.

The member is `<schema>:<contact id>` and the score is when that contact's burst is
due (its last message + the debounce window). A contact typing five messages moves
its one entry forward five times: the debounce is the data structure.

The worker's dispatcher thread (conversations/core/dispatcher.py) pops due entries
atomically, so two workers never take the same one, and answers each on a pool of
threads of its own (`dispatcher.WakeupPool`): a Celery task per reply cost the worker a publish
and a consume, about a fifth of its CPU. The same script registers the popped entries'
companies for the popping worker (secretaria/worker_heartbeat.py), so that if it dies a live
worker knows where its claims are, at no cost of a round trip. Losing an entry (Redis
restarted empty, a worker killed mid-reply) loses nothing: the messages are in PostgreSQL;
a live worker taking over the dead one's companies schedules their waiting contacts within
seconds (claims.py), and the per-minute sweeper whatever is left unanswered.
"""

import time

import structlog
from django.conf import settings
from django.db import connection

from secretaria.redis_client import get_redis

log = structlog.get_logger(__name__)

# KEYS[1] = the set, KEYS[2] (optional) = the popping worker's set of companies; ARGV = now, limit.
# Returns the members due, removed from the set, their companies added to KEYS[2].
_POP_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then
  redis.call('ZREM', KEYS[1], unpack(due))
  if KEYS[2] then
    for _, member in ipairs(due) do
      local schema = string.match(member, '^(.*):%d+$')
      if schema then redis.call('SADD', KEYS[2], schema) end
    end
  end
end
return due
"""
_scripts: dict[int, object] = {}


def wakeups_key() -> str:
    # Per queue: tests (and a second deployment on one Redis) each have their own queue.
    return f"secretaria:wakeups:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def wakeup_schedule(*, contact_ids, delay: float) -> None:
    """Answer these contacts of the current company `delay` seconds from now (later wins)."""
    due = time.time() + delay
    members = {f"{connection.schema_name}:{contact_id}": due for contact_id in contact_ids}
    if members:
        get_redis().zadd(wakeups_key(), members)


def wakeups_missing(*, contact_ids) -> set[int]:
    """Those of these contacts (current company) with no wake-up waiting: popped by a worker that died, or lost."""
    ids = sorted(contact_ids)
    if not ids:
        return set()
    scores = get_redis().zmscore(wakeups_key(), [f"{connection.schema_name}:{contact_id}" for contact_id in ids])
    return {contact_id for contact_id, score in zip(ids, scores, strict=True) if score is None}


def wakeups_pop_due(*, limit: int = 500, registry: str | None = None) -> list[tuple[str, int]]:
    """Take the entries that are due: [(schema, contact_id)]. Each is returned to one caller only.

    `registry`: a Redis set the entries' companies are added to, in the same script (the
    popping worker's, secretaria/worker_heartbeat.schemas_key()).
    """
    redis = get_redis()
    script = _scripts.get(id(redis))
    if script is None:
        script = _scripts[id(redis)] = redis.register_script(_POP_DUE)
    keys = [wakeups_key(), registry] if registry else [wakeups_key()]
    raw = script(keys=keys, args=[repr(time.time()), limit])
    due = []
    for member in raw:
        schema, _, contact_id = (member.decode() if isinstance(member, bytes) else member).rpartition(":")
        if schema and contact_id.isdigit():
            due.append((schema, int(contact_id)))
    return due
