"""The reports' use of the cache (Redis, keys per company schema): a help, never a need.

With Redis away a read misses and a write is dropped: the caller counts from the rows instead.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache


def cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - any cache backend error is a miss
        return None


def cache_set(key: str, value: Any, *, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001 - as above: the next read counts again
        pass
