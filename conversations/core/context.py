"""Short conversation context: the last turns, cached in Redis, rebuilt from PostgreSQL.

PostgreSQL (Message rows) is the system of record; Redis only saves the query on
every reply. The cache is a capped list per conversation (last MAX_TURNS turns,
JSON items) that expires after the session's idle limit. When the key is gone
(expired, evicted, Redis restarted empty) or Redis is unreachable, the turns are
read back from PostgreSQL, so losing Redis never loses context.

Appends use RPUSHX: they only extend a list that exists. Appending to a missing key
would start a list holding only the newest turn and hide the older ones; leaving it
missing makes the next read rebuild the whole context instead. A turn committed
between a rebuild's read and its write may be missing from that cache until it
expires; the per-contact reply lock makes one worker read and append in sequence,
so in practice it does not happen.
"""

import json

import redis
import structlog
from django.conf import settings

from conversations.core.models import Message
from conversations.core.selectors import recent_turns
from secretaria.redis_client import get_redis, tenant_key

log = structlog.get_logger(__name__)

ROLES = ("user", "assistant")
ROLE_OF_DIRECTION = {Message.Direction.IN: "user", Message.Direction.OUT: "assistant"}


def _ttl() -> int:
    return settings.CONTEXT_TTL_SECONDS


def _max_turns() -> int:
    return settings.CONTEXT_MAX_TURNS


def _key(conversation_id: int) -> str:
    return tenant_key("ctx", str(conversation_id))


def _encode(role: str, text: str) -> str:
    return json.dumps({"role": role, "text": text}, ensure_ascii=False)


def _decode(item: bytes) -> tuple[str, str]:
    turn = json.loads(item)
    return turn["role"], turn["text"]


def context_append(*, conversation_id: int, role: str, text: str) -> None:
    """Add one turn to a cached context (capped, TTL refreshed). Best effort: PostgreSQL has it too."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    key = _key(conversation_id)
    try:
        pipe = get_redis().pipeline(transaction=True)
        pipe.rpushx(key, _encode(role, text))
        pipe.ltrim(key, -_max_turns(), -1)
        pipe.expire(key, _ttl())
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("context_append_failed", conversation_id=conversation_id, error=str(exc))


def context_get(*, conversation_id: int) -> list[tuple[str, str]]:
    """The conversation's last turns as (role, text), oldest first."""
    try:
        cached = get_redis().lrange(_key(conversation_id), 0, -1)
    except redis.RedisError as exc:
        log.warning("context_cache_unavailable", conversation_id=conversation_id, error=str(exc))
        return context_from_database(conversation_id=conversation_id)
    if cached:
        return [_decode(item) for item in cached]
    turns = context_from_database(conversation_id=conversation_id)
    _cache(conversation_id, turns)
    return turns


def context_from_database(*, conversation_id: int) -> list[tuple[str, str]]:
    """The last turns with text, from the Message rows (twice as many fetched: media have none)."""
    messages = recent_turns(conversation_id=conversation_id, limit=_max_turns() * 2)
    turns = [(ROLE_OF_DIRECTION[m.direction], m.text) for m in messages if m.text and m.direction in ROLE_OF_DIRECTION]
    return turns[-_max_turns():]


def _cache(conversation_id: int, turns: list[tuple[str, str]]) -> None:
    """Store a rebuilt context in one transaction, replacing whatever raced in meanwhile."""
    if not turns:
        return  # Redis cannot hold an empty list; the next read simply asks PostgreSQL again
    key = _key(conversation_id)
    try:
        pipe = get_redis().pipeline(transaction=True)
        pipe.delete(key)
        pipe.rpush(key, *(_encode(role, text) for role, text in turns))
        pipe.expire(key, _ttl())
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("context_cache_failed", conversation_id=conversation_id, error=str(exc))
