"""The company's services, prices and durations, as the assistant reads them.

A price lives in one row: the agenda's `Service`, which booking, the panel and the reports
read too. `conversations` sits below `agenda` and cannot import it, so the agenda registers
a loader in its `AppConfig.ready()`:

    register_catalogue(service_catalogue)

and the reply pipeline reads `catalogue_items()` (cached per company until its settings
change). With nothing registered (an installation without the agenda) the catalogue is empty
and the assistant answers from the knowledge base's FAQs alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueItem:
    """One active service, as plain data: the engine never touches the database."""

    id: int | None
    name: str
    description: str = ""  # answers "o que é X?"
    keywords: str = ""  # comma-separated: how customers call it
    price_cents: int | None = None
    duration_minutes: int | None = None


CatalogueLoader = Callable[[], list[CatalogueItem]]

_loader: CatalogueLoader | None = None
_lock = threading.Lock()


def register_catalogue(loader: CatalogueLoader) -> None:
    """Make `loader` the source of the services (one source: a second registration replaces the first)."""
    global _loader
    with _lock:
        _loader = loader


def unregister_catalogue() -> None:
    global _loader
    with _lock:
        _loader = None


def catalogue_items() -> list[CatalogueItem]:
    """The current company's active services; empty when no catalogue is registered."""
    with _lock:
        loader = _loader
    return list(loader()) if loader is not None else []
