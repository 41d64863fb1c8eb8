"""The base class of every Celery task: tenant-schemas-celery's, with its company cache bounded, and
never run outside its message's schema.

tenant-schemas-celery looks up the company of each task's schema and keeps it for
CELERY_TASK_TENANT_CACHE_SECONDS in a module-level dict that is never pruned: an expired entry stays
until the same schema comes again, so a worker serving a fleet ends up holding every company it ever
ran a task for. Here the same cache is an LRU of COMPANY_CACHE_MAX_ENTRIES companies (an evicted or
expired one is read again, as before). celery_app.py names this class by its dotted path.

The library switches to the message's schema in a `task_prerun` handler, and Celery only *logs* a
handler's exception. When the switch fails — PostgreSQL refusing a connection ("too many clients"), the
company's row gone — the task used to run anyway, in `public`: seen at 1,000 companies, when 538 of a
cycle's runs looked for their claim under the wrong schema and skipped their company as a duplicate.
`before_start` (run by the tracer after the handlers, where an exception does stop the task) checks
the schema and switches again: a database error retries the task later, in its own schema; a company
that no longer exists ends it (nothing to do for it).
"""

from __future__ import annotations

import time

import structlog
from celery.exceptions import Ignore
from django.conf import settings
from django.db import DatabaseError, connection
from django_tenants.utils import get_public_schema_name, get_tenant_model
from tenant_schemas_celery.app import get_schema_name_from_task, switch_schema
from tenant_schemas_celery.task import TenantTask as LibraryTenantTask

from secretaria.lru import LRU

log = structlog.get_logger(__name__)

SCHEMA_RETRY_SECONDS = 5  # after a failed switch: the database was refusing connections a moment ago


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

    def before_start(self, task_id, args, kwargs) -> None:
        schema_ensure(self, kwargs)


def schema_ensure(task, kwargs) -> None:
    """The connection is in the message's schema when the task body starts, or the body does not run."""
    wanted = get_schema_name_from_task(task, kwargs) or get_public_schema_name()
    if connection.schema_name == wanted:
        return
    log.warning("task_schema_switch_failed", task=task.name, wanted=wanted, found=connection.schema_name)
    try:
        switch_schema(task, kwargs)  # the prerun handler's work again, whose errors now reach us
    except get_tenant_model().DoesNotExist:
        log.warning("task_company_gone", task=task.name, schema=wanted)
        raise Ignore() from None
    except DatabaseError as exc:
        raise task.retry(exc=exc, countdown=SCHEMA_RETRY_SECONDS, headers={"_schema_name": wanted}) from exc
    if connection.schema_name != wanted:
        raise RuntimeError(f"task {task.name} could not switch to schema {wanted!r}")
