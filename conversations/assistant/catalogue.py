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

from rapidfuzz import fuzz

from conversations.assistant.engine.normalize import normalize

# rapidfuzz partial_ratio of a service's name (or keyword) against the best-aligned stretch of the
# customer's text, after the text's words were corrected against the catalogue's own words: 90 lets
# one letter slip in a long name ("limpesa de pele" 93) and keeps others apart ("peeling quimico"
# in "quero agendar limpeza de pele" is 40).
SERVICE_CUTOFF = 90


@dataclass(frozen=True)
class CatalogueItem:
    """One active service, as plain data: the engine never touches the database."""

    id: int | None
    name: str
    description: str = ""  # answers "o que é X?"
    keywords: str = ""  # comma-separated: how customers call it
    price_cents: int | None = None
    duration_minutes: int | None = None
    professionals: tuple[str, ...] = ()  # who does it, for "quem faz a limpeza?"


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


def services_named(items: list[CatalogueItem], text: str, cutoff: float = SERVICE_CUTOFF) -> list[CatalogueItem]:
    """The services a customer's text names, by name or keyword, best first, typos forgiven:
    "quero agnd uma limpesa de pele" -> [Limpeza de pele]; "vou fazer o bottox" -> [Botox]."""
    names = {item: _names(item) for item in items}
    vocabulary = {word for forms in names.values() for form in forms for word in form.split() if len(word) >= 5}
    norm = normalize(text, vocabulary)
    scored = [(max((_named(form, norm) for form in forms), default=0.0), item) for item, forms in names.items()]
    return [item for score, item in sorted(scored, key=lambda s: -s[0]) if score >= cutoff]


def _names(item: CatalogueItem) -> list[str]:
    return [normalize(n) for n in (item.name, *(item.keywords or "").split(",")) if n.strip()]


def _named(form: str, norm: str) -> float:
    # A text shorter than the name ("pele") does not name "limpeza de pele": partial_ratio would align it inside.
    return fuzz.partial_ratio(form, norm) if len(form) <= len(norm) else 0.0
