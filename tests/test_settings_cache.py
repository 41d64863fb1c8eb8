"""A company's settings are cached per process until they change, and every process sees a change at
once: the cache is keyed by a per-company version in Redis (secretaria/settings_cache.py)."""

import pytest
import redis
from django_tenants.utils import schema_context

from secretaria import settings_cache
from secretaria.redis_client import get_redis
from secretaria.settings_cache import cached, settings_changed, settings_snapshot


@pytest.fixture
def loads():
    count = {"n": 0}

    def loader():
        count["n"] += 1
        return count["n"]

    return count, loader


def test_a_value_is_loaded_once_until_the_settings_change(acme, loads, django_capture_on_commit_callbacks):
    count, loader = loads
    with schema_context("acme"):
        assert [cached("x", loader), cached("x", loader)] == [1, 1]
        with django_capture_on_commit_callbacks(execute=True):
            settings_changed()
        assert cached("x", loader) == 2


def test_another_process_changing_the_settings_is_seen_at_the_next_read(acme, loads):
    count, loader = loads
    with schema_context("acme"):
        cached("x", loader)
        # What another process's settings_changed() does once its transaction commits:
        get_redis().set(settings_cache._version_key(), "set-by-another-process", ex=60)

        assert cached("x", loader) == 2


def test_a_redis_restarted_empty_gets_a_new_version_nobody_cached_under(acme, loads):
    count, loader = loads
    with schema_context("acme"):
        cached("x", loader)
        get_redis().delete(settings_cache._version_key())

        assert cached("x", loader) == 2
        assert cached("x", loader) == 2


def test_without_redis_the_cache_is_bypassed_never_stale(acme, loads, monkeypatch):
    count, loader = loads
    with schema_context("acme"):
        cached("x", loader)

        def unreachable(*_args, **_kwargs):
            raise redis.ConnectionError("down")

        monkeypatch.setattr(settings_cache, "get_redis", lambda: type("R", (), {"get": unreachable})())

        assert [cached("x", loader), cached("x", loader)] == [2, 3]


def test_a_unit_of_work_reads_the_version_once(acme, loads, monkeypatch):
    count, loader = loads
    reads = []
    real = settings_cache._read_version
    monkeypatch.setattr(settings_cache, "_read_version", lambda: reads.append(1) or real())
    with schema_context("acme"), settings_snapshot():
        for _ in range(5):
            cached("x", loader)

    assert len(reads) == 1


def test_each_company_has_its_own_version_and_values(acme, globex, loads, django_capture_on_commit_callbacks):
    count, loader = loads
    with schema_context("acme"):
        acme_value = cached("x", loader)
    with schema_context("globex"):
        globex_value = cached("x", loader)
        with django_capture_on_commit_callbacks(execute=True):
            settings_changed()
    with schema_context("acme"):
        assert cached("x", loader) == acme_value  # globex's change left acme's cache alone
    assert acme_value != globex_value


# --- bounded for a fleet: an LRU of companies, a version that expires -------------------------------

def test_the_process_keeps_only_the_companies_used_last_and_reloads_an_evicted_one(acme, globex, loads, settings):
    count, loader = loads
    settings.SETTINGS_CACHE_MAX_COMPANIES = 1
    with schema_context("acme"):
        first = cached("x", loader)
    with schema_context("globex"):
        cached("x", loader)  # acme is pushed out

    assert settings_cache._store.keys() == ["globex"]
    with schema_context("acme"):
        assert cached("x", loader) == 3 != first  # loaded again, not lost and not stale
        assert cached("x", loader) == 3
    assert len(settings_cache._store) == 1 and len(settings_cache._last_seen) == 1


def test_a_company_used_again_is_the_last_to_be_evicted(acme, globex, loads, settings):
    from tenants.models import Company

    count, loader = loads
    settings.SETTINGS_CACHE_MAX_COMPANIES = 2
    third = Company.objects.exclude(schema_name__in=["public", "acme", "globex"]).first().schema_name
    with schema_context("acme"):
        cached("x", loader)
    with schema_context("globex"):
        cached("x", loader)
    with schema_context("acme"):
        cached("x", loader)  # acme is used again: globex is now the oldest
    with schema_context(third):
        cached("x", loader)

    assert sorted(settings_cache._store.keys()) == sorted(["acme", third])


def test_an_evicted_company_changed_meanwhile_is_read_at_its_new_version(acme, globex, loads, settings):
    count, loader = loads
    settings.SETTINGS_CACHE_MAX_COMPANIES = 1
    with schema_context("acme"):
        cached("x", loader)
        get_redis().set(settings_cache._version_key(), "nova-versao", ex=60)  # another process changed acme
    with schema_context("globex"):
        cached("x", loader)
    with schema_context("acme"):
        assert cached("x", loader) == 3
        assert settings_cache.settings_known_version() == "nova-versao"


def test_the_version_expires_and_its_expiry_reloads_the_settings(acme, loads, settings):
    import time

    count, loader = loads
    settings.SETTINGS_VERSION_TTL_SECONDS = 1
    with schema_context("acme"):
        get_redis().delete(settings_cache._version_key())
        cached("x", loader)
        assert 0 < get_redis().pttl(settings_cache._version_key()) <= 1000
        time.sleep(1.1)  # the TTL runs out in Redis itself
        assert get_redis().exists(settings_cache._version_key()) == 0

        assert cached("x", loader) == 2  # a fresh token, under which nothing was cached
        assert cached("x", loader) == 2
