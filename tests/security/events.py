"""Hearing domain events in a test (the security tests' shared helper)."""

from contextlib import contextmanager

from secretaria.events import subscribe
from secretaria.events.bus import unsubscribe


@contextmanager
def heard(event_type):
    """Collects every `event_type` delivered while the block runs."""
    got: list = []
    subscribe(event_type, got.append)
    try:
        yield got
    finally:
        unsubscribe(event_type, got.append)
