"""Every per-process cache keyed by company is bounded (secretaria/lru.py): a process serving a fleet
keeps the companies it used last, and an evicted one is loaded again, never served stale."""

import threading

import pytest

from billing import selectors as billing_selectors
from billing.metering import services as metering_services
from celery_app import app as celery_app
from secretaria.celery_task import TENANTS, TenantTask
from secretaria.lru import LRU
from tenants import selectors
from tenants.models import Domain

# --- the LRU itself ------------------------------------------------------------------------------

def test_the_least_recently_used_entry_goes_first():
    lru = LRU(2)
    lru.set("a", 1)
    lru.set("b", 2)
    assert lru.get("a") == 1  # a is used: b is now the oldest
    lru.set("c", 3)

    assert lru.keys() == ["a", "c"] and lru.evictions == 1
    assert lru.get("b", "ausente") == "ausente"


def test_the_bound_is_read_at_each_insert():
    bound = {"n": 3}
    lru = LRU(lambda: bound["n"])
    for n in range(3):
        lru.set(n, n)
    bound["n"] = 1
    lru.set("novo", 0)

    assert lru.keys() == ["novo"]


def test_threads_filling_it_at_once_never_pass_the_bound():
    lru = LRU(50)

    def fill(offset):
        for n in range(2000):
            lru.set(offset + n, n)
            lru.get(offset + n // 2)

    threads = [threading.Thread(target=fill, args=(k * 10_000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(lru) == 50 and lru.evictions == 4 * 2000 - 50


# --- the company by host -------------------------------------------------------------------------

def test_the_host_cache_is_bounded_and_an_evicted_host_is_read_again(acme, globex, settings,
                                                                     django_assert_num_queries):
    settings.COMPANY_CACHE_MAX_ENTRIES = 1
    assert selectors.company_for_host("acme.localhost") == acme
    assert selectors.company_for_host("globex.localhost") == globex  # acme's host is pushed out
    with django_assert_num_queries(0):
        selectors.company_for_host("globex.localhost")

    Domain.objects.filter(domain="acme.localhost").update(domain="acme-nova.localhost")
    with pytest.raises(Domain.DoesNotExist):  # read again: the moved host is not served from memory
        selectors.company_for_host("acme.localhost")
    assert len(selectors._HOST_CACHE) == 1


# --- tenant-schemas-celery's company per task ------------------------------------------------------

def test_every_task_looks_its_company_up_through_the_bounded_cache(acme, globex, settings):
    settings.COMPANY_CACHE_MAX_ENTRIES = 1
    TENANTS.entries.clear()
    celery_app.loader.import_default_modules()  # what a worker does at start: every app's tasks
    task = celery_app.tasks["tenants.dispatch_periodic"]

    assert isinstance(task, TenantTask)
    assert task.get_tenant_for_schema("acme") == acme
    assert task.get_tenant_for_schema("globex") == globex

    assert TENANTS.entries.keys() == ["globex"]
    assert task.get_tenant_for_schema("acme") == acme  # evicted, read again
    TENANTS.entries.clear()


def test_an_expired_company_is_read_again(acme, settings, django_assert_num_queries):
    TENANTS.entries.clear()
    TENANTS.set("acme", "empresa-antiga", expire_seconds=-1)

    assert TenantTask.get_tenant_for_schema("acme") == acme
    with django_assert_num_queries(0):
        assert TenantTask.get_tenant_for_schema("acme") == acme
    TENANTS.entries.clear()


# --- billing's lookups ---------------------------------------------------------------------------

def test_billings_company_lookups_are_bounded_and_reload(acme, globex, settings, django_assert_num_queries):
    settings.COMPANY_CACHE_MAX_ENTRIES = 1
    metering_services._company_ids.clear()
    billing_selectors._SCHEMAS.clear()

    assert [metering_services.company_id_of(s) for s in ("acme", "globex", "acme")] == [acme.pk, globex.pk, acme.pk]
    assert [billing_selectors._schema_of(c.pk) for c in (acme, globex)] == ["acme", "globex"]
    assert len(metering_services._company_ids) == 1 and len(billing_selectors._SCHEMAS) == 1
    with django_assert_num_queries(1):
        assert billing_selectors._schema_of(acme.pk) == "acme"  # evicted: one query, the right answer
