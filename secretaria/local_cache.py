"""A few seconds of per-process memory for a company's settings rows.

The reply pipeline reads the same rows (channel, profile, knowledge base, LLM config)
for every message; keeping them for a few seconds per process spares several queries
and a decryption per message. Writers clear this process's copy at once; other
processes see a change within the TTL. Keys always start with the schema name.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")
_store: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()
DEFAULT_TTL = 5.0


def cached(name: str, loader: Callable[[], T], *, ttl: float = DEFAULT_TTL) -> T:
    key = (connection.schema_name, name)
    now = time.monotonic()
    with _lock:
        hit = _store.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = loader()
    with _lock:
        _store[key] = (now + ttl, value)
    return value


def forget(name: str | None = None) -> None:
    """Forget `name` for the current schema, or everything when no name is given."""
    with _lock:
        if name is None:
            _store.clear()
        else:
            _store.pop((connection.schema_name, name), None)
