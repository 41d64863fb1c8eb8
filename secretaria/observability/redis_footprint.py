"""How much Redis each company holds: its keys, their bytes (MEMORY USAGE) and those without a TTL.

A company's keys are the ones it owns by name (docs/fleet-state.md):

- `secretaria:<schema>:...`, written directly (`tenant_key()`, the settings version, usage counters);
- `<schema>:<CACHE KEY_PREFIX>:...`, Django's cache (django_tenants.cache.make_key puts the schema first).

Not counted: what is shared by every company and sized by traffic rather than by the number of companies
(the Celery queues, the wake-up set, the global IP limits, beat's heartbeat).

One company: SCAN MATCH on its two patterns. The fleet: one SCAN of the whole keyspace, each key given to
its company, so measuring 1,000 companies costs one pass rather than 1,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import redis
from django.core.cache import cache

from secretaria.redis_client import get_redis

BATCH = 500  # keys per pipelined round trip of MEMORY USAGE + PTTL
NO_TTL = -1  # PTTL of a key that never expires (-2: gone meanwhile)


@dataclass(frozen=True)
class CompanyFootprint:
    schema: str
    keys: int
    bytes: int
    without_ttl: tuple[str, ...] = ()


@dataclass(frozen=True)
class FleetFootprint:
    companies: list[CompanyFootprint] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.companies)

    @property
    def total_bytes(self) -> int:
        return sum(c.bytes for c in self.companies)

    @property
    def total_keys(self) -> int:
        return sum(c.keys for c in self.companies)

    @property
    def mean_bytes(self) -> float:
        return self.total_bytes / self.count if self.companies else 0.0

    @property
    def max(self) -> CompanyFootprint | None:
        return max(self.companies, key=lambda c: c.bytes, default=None)

    @property
    def without_ttl(self) -> list[str]:
        return [key for company in self.companies for key in company.without_ttl]


def company_redis_bytes(schema: str) -> int:
    """Bytes of Redis memory held by the company's keys."""
    return company_redis_footprint(schema).bytes


def company_redis_footprint(schema: str, *, client: redis.Redis | None = None) -> CompanyFootprint:
    client = client or get_redis()
    keys = [key for pattern in company_key_patterns(schema) for key in client.scan_iter(match=pattern, count=1000)]
    return _measure(client, schema, keys)


def fleet_redis_footprint(schemas: Iterable[str], *, client: redis.Redis | None = None) -> FleetFootprint:
    """Every company in `schemas` (those with no key count as 0 bytes), in one pass over the keyspace."""
    client = client or get_redis()
    owned: dict[str, list[bytes]] = {schema: [] for schema in schemas}
    for key in client.scan_iter(count=1000):
        schema = key_owner(key.decode(errors="replace"))
        if schema in owned:
            owned[schema].append(key)
    return FleetFootprint([_measure(client, schema, keys) for schema, keys in owned.items()])


def company_key_patterns(schema: str) -> list[str]:
    name = _glob_escape(schema)
    return [f"secretaria:{name}:*", f"{name}:{_glob_escape(_cache_prefix())}:*"]


def key_owner(key: str) -> str | None:
    """The schema a key belongs to by its name, or None (a shared key). May name a non-company
    (`secretaria:global:...`): callers keep only the schemas they know."""
    parts = key.split(":", 2)
    if len(parts) < 3:
        return None
    if parts[0] == "secretaria":
        return parts[1]
    if parts[1] == _cache_prefix():
        return parts[0]
    return None


def _measure(client: redis.Redis, schema: str, keys: list[bytes]) -> CompanyFootprint:
    size, found, permanent = 0, 0, []
    for batch in _batches(keys):
        pipe = client.pipeline(transaction=False)
        for key in batch:
            pipe.memory_usage(key, samples=0)  # 0: every element of a collection, not a sample
            pipe.pttl(key)
        answers = pipe.execute()
        for key, used, ttl in zip(batch, answers[0::2], answers[1::2], strict=True):
            if used is None:  # expired or deleted between the SCAN and now
                continue
            found, size = found + 1, size + used
            if ttl == NO_TTL:
                permanent.append(key.decode(errors="replace"))
    return CompanyFootprint(schema=schema, keys=found, bytes=size, without_ttl=tuple(sorted(permanent)))


def _batches(keys: list[bytes]) -> Iterator[list[bytes]]:
    for start in range(0, len(keys), BATCH):
        yield keys[start:start + BATCH]


def _cache_prefix() -> str:
    # The cache's own prefix: it read CACHES["default"]["KEY_PREFIX"] when it was made.
    return cache.key_prefix


def _glob_escape(text: str) -> str:
    return "".join(f"\\{ch}" if ch in "*?[]\\" else ch for ch in text)
