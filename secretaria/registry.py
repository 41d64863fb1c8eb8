"""A registry: things a higher layer registers, by name, for a lower one to use.

The lower layer owns the registry (the channel kinds, the turn handlers, the provisioning
hooks); the apps above fill it in their `AppConfig.ready()`. Registering a name again replaces
the entry, so a `ready()` that runs twice (tests) changes nothing.
"""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, *, key: Callable[[T], str], order: Callable[[T], object] | None = None):
        self._key, self._order = key, order
        self._items: dict[str, T] = {}
        self._lock = threading.Lock()

    def register(self, item: T) -> None:
        with self._lock:
            self._items[self._key(item)] = item

    def unregister(self, name: str) -> None:
        with self._lock:
            self._items.pop(name, None)

    def get(self, name: str) -> T | None:
        return self._items.get(name)  # a dict read is atomic: no lock on the hot path

    def all(self) -> list[T]:
        """Every entry, in `order` when one was given, else in registration order."""
        with self._lock:
            items = list(self._items.values())
        return sorted(items, key=self._order) if self._order else items
