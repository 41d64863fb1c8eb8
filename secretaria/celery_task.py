"""The base class of every Celery task: tenant-schemas-celery's, with its company cache bounded.

tenant-schemas-celery looks up the company of each task's schema and keeps it for
CELERY_TASK_TENANT_CACHE_SECONDS in a module-level dict that is never pruned: an expired entry stays
until the same schema comes again, so a worker serving a fleet ends up holding every company it ever
ran a task for. Here the same cache is an LRU of COMPANY_CACHE_MAX_ENTRIES companies (an evicted or
expired one is read again, as before). celery_app.py names this class by its dotted path.
"""

from __future__ import annotations

import time

from django.conf import settings
from tenant_schemas_celery.task import TenantTask as LibraryTenantTask

from secretaria.lru import LRU


class BoundedTenantCache:
    """The interface tenant-schemas-celery expects of its cache (get/set with seconds), on an LRU."""

    def __init__(self) -> None:
        self.entries: LRU[str, tuple[float, object]] = LRU(lambda: settings.COMPANY_CACHE_MAX_ENTRIES)

    def get(self, key: str, default):
        hit = self.entries.get(key)
        if hit is None or hit[0] < time.monotonic():
            return default
        return hit[1]

    def set(self, key: str, value, expire_seconds: float) -> None:
        self.entries.set(key, (time.monotonic() + expire_seconds, value))


TENANTS = BoundedTenantCache()


class TenantTask(LibraryTenantTask):
    abstract = True

    @classmethod
    def tenant_cache(cls) -> BoundedTenantCache:
        return TENANTS
