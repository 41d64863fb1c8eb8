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
        get_redis().set(settings_cache._version_key(), "set-by-another-process")

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
