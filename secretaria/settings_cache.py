"""A company's settings, cached in each process and seen at once by every process after a change.

The reply pipeline and the webhooks read the same rows for every message (channels, profile,
knowledge base, language model, calendar, the service catalogue). Each process keeps them in memory, keyed by the
company's *settings version*, a random token in Redis (`secretaria:<schema>:settings-version`):

- every write to those settings calls `settings_changed()`, which sets a new token once the
  transaction commits; the next read in any process finds a different version and reloads,
  so the first message after the response to the write already uses the new settings;
- a unit of work (one webhook, one reply) reads the version once, in `settings_snapshot()`;
- Redis unreachable: the cache is bypassed (every read goes to PostgreSQL), never stale;
- Redis restarted empty: the missing version is set to a fresh token, which no process has
  cached anything under (tokens are random, never a counter that could come back).

Entries also expire after MAX_AGE, a backstop for a change whose version bump was lost.

Bounded for a fleet (docs/fleet-state.md): a process keeps the SETTINGS_CACHE_MAX_COMPANIES companies
it used most recently (an evicted company is loaded again, never served stale), and the version key
expires after SETTINGS_VERSION_TTL_SECONDS: an idle company leaves nothing in Redis, and a busy one
whose token expired gets a fresh one, which no process has cached anything under.
"""

from __future__ import annotations

import contextvars
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import redis
import structlog
from django.conf import settings
from django.db import connection, transaction

from secretaria.lru import LRU
from secretaria.redis_client import get_redis

log = structlog.get_logger(__name__)
T = TypeVar("T")
MAX_AGE = 300.0
_NO_VERSION = None
# schema -> {name: (version, loaded at, value)}: evicted a company at a time, least recently used first.
_store: LRU[str, dict[str, tuple[str, float, object]]] = LRU(lambda: settings.SETTINGS_CACHE_MAX_COMPANIES)
_lock = threading.Lock()
_last_seen: LRU[str, str] = LRU(lambda: settings.SETTINGS_CACHE_MAX_COMPANIES)  # schema -> version last read
# (schema, version) read by the enclosing settings_snapshot(), if any.
_snapshot: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar("settings_snapshot",
                                                                                             default=None)


def settings_version_key(schema: str | None = None) -> str:
    """The Redis key of the company's settings version (as tenant_key() names it): a caller that already
    makes a round trip to Redis at the start of its work may read it there (settings_snapshot(version=))."""
    return f"secretaria:{schema or connection.schema_name}:settings-version"


_version_key = settings_version_key


def settings_version() -> str | None:
    """The current company's settings version; None when Redis cannot be read."""
    snap = _snapshot.get()
    if snap is not None and snap[0] == connection.schema_name:
        return snap[1]
    return _read_version()


def _read_version() -> str | None:
    try:
        client = get_redis()
        version = client.get(_version_key())
        if version is None:  # first use, or Redis restarted empty: a token nobody cached under
            client.set(_version_key(), uuid.uuid4().hex, nx=True, ex=settings.SETTINGS_VERSION_TTL_SECONDS)
            version = client.get(_version_key())
    except redis.RedisError:
        log.warning("settings_version_unreadable")
        return _NO_VERSION
    return _seen(version)


def _seen(version: str | bytes) -> str:
    version = version.decode() if isinstance(version, bytes) else version
    _last_seen.set(connection.schema_name, version)
    return version


def settings_known_version() -> str | None:
    """The version this process last read for the current company, without asking Redis (None: never).

    For a caller that confirms it in a round trip it makes anyway (the webhook's rate limits) and
    decides again when it changed.
    """
    return _last_seen.get(connection.schema_name)


READ = object()  # settings_snapshot(): read the version now
BYPASS = object()  # settings_snapshot(): no version (Redis unreachable): every read goes to the database


@contextmanager
def settings_snapshot(*, version: str | bytes | None | object = READ) -> Iterator[None]:
    """Read the settings version once for the block (one Redis round trip per unit of work).

    `version`: the value of `settings_version_key()` the caller just read in a round trip of its own
    (None when the key was missing: then it is set here, as any read does); BYPASS to read nothing
    from the cache.
    """
    if version is READ or version is None:
        version = _read_version()
    elif version is BYPASS:
        version = _NO_VERSION
    else:
        version = _seen(version)
    token = _snapshot.set((connection.schema_name, version))
    try:
        yield
    finally:
        _snapshot.reset(token)


def cached(name: str, loader: Callable[[], T]) -> T:
    """`loader()`, kept in this process until the company's settings change."""
    schema = connection.schema_name  # read once: it goes through Django's connection proxy
    snap = _snapshot.get()
    version = snap[1] if snap is not None and snap[0] == schema else _read_version()
    if version is None:
        return loader()
    now = time.monotonic()
    entries = _store.get(schema)
    hit = entries.get(name) if entries is not None else None
    if hit is not None and hit[0] == version and now - hit[1] < MAX_AGE:
        return hit[2]
    value = loader()
    with _lock:  # two threads loading two names of one company must end up in one dict
        entries = _store.get(schema)
        if entries is None:
            entries = {}
            _store.set(schema, entries)
        entries[name] = (version, now, value)
    return value


def settings_changed() -> None:
    """Call on every write to a company's settings: all processes reload after the commit."""
    schema = connection.schema_name
    _forget_schema(schema)
    transaction.on_commit(lambda: _bump(schema))


def _bump(schema: str) -> None:
    _forget_schema(schema)  # readers of this process between the write and the commit cached the old rows
    try:
        get_redis().set(_version_key(schema), uuid.uuid4().hex, ex=settings.SETTINGS_VERSION_TTL_SECONDS)
    except redis.RedisError:
        # Other processes keep their copy until MAX_AGE; this one reloads at once.
        log.error("settings_version_not_bumped", company=schema)


def _forget_schema(schema: str) -> None:
    with _lock:
        _store.pop(schema)


def forget() -> None:
    """Forget everything this process cached (tests)."""
    with _lock:
        _store.clear()
        _last_seen.clear()
