"""A bounded, thread-safe map for the per-process caches keyed by company.

Each process (a web worker, a Celery worker) keeps a few things per company in memory: its settings,
its host, its subscription. With a fleet of thousands of companies an unbounded dict grows with every
company the process ever served; an LRU keeps the companies in use and forgets the ones idle longest.
An entry that was evicted is simply loaded again on its next use, so a bound costs a reload, never a
stale answer.

Why not functools.lru_cache: the caches here are invalidated per company (a settings change, a
suspension), which lru_cache cannot do. Why not cachetools: it is not thread-safe by itself (every use
needs a lock around it anyway) and an OrderedDict with a lock is all the LRU we need.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class LRU(Generic[K, V]):
    """At most `maxsize` entries (when a function, asked at each insert: `lambda: settings.NAME` lets a
    test change the bound); reading an entry makes it the most recently used."""

    def __init__(self, maxsize: int | Callable[[], int]) -> None:
        self._maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self.evictions = 0  # how many entries the bound pushed out (tests, and for whoever wants to look)

    @property
    def maxsize(self) -> int:
        return self._maxsize() if callable(self._maxsize) else self._maxsize

    def get(self, key: K, default=None):
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._data.move_to_end(key)
            return value

    def set(self, key: K, value: V) -> None:
        bound = max(1, self.maxsize)
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > bound:
                self._data.popitem(last=False)
                self.evictions += 1

    def get_or_set(self, key: K, load: Callable[[], V]) -> V:
        """The cached value, else `load()` kept (not under the lock: loads may query the database)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = load()
            self.set(key, value)
        return value

    def pop(self, key: K, default=None):
        with self._lock:
            return self._data.pop(key, default)

    def pop_where(self, predicate: Callable[[K], bool]) -> None:
        with self._lock:
            for key in [k for k in self._data if predicate(k)]:
                del self._data[key]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def keys(self) -> list[K]:
        with self._lock:
            return list(self._data)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)
