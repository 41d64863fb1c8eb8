"""Personal data kept by apps the LGPD erasure cannot import (compliance and analytics are siblings).

compliance/lgpd/erasure.py erases what the floors below it keep (conversations, agenda) by itself;
an app beside or above it that copies a customer's name or phone somewhere (the outgoing webhooks'
delivery bodies) registers an eraser here in its `AppConfig.ready()`:

    register_eraser(Eraser(name="webhook_deliveries", erase=deliveries_scrub))

`erase(contact_id, phone)` runs inside the erasure's transaction, in the company's schema, and
returns how many rows it changed (reported in the erasure request's result).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from secretaria.registry import Registry


@dataclass(frozen=True)
class Eraser:
    name: str
    erase: Callable[[int, str], int]


_erasers: Registry[Eraser] = Registry(key=lambda eraser: eraser.name)
register_eraser = _erasers.register


def personal_data_erase(*, contact_id: int, phone: str) -> dict[str, int]:
    """Run every registered eraser for the customer: {eraser name: rows changed}."""
    return {eraser.name: eraser.erase(contact_id, phone) for eraser in _erasers.all()}
