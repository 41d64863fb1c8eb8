"""Every Redis key a company writes expires, unless secretaria/redis_client.py lists it (with its reason)
in KEYS_WITHOUT_TTL: a fleet of idle companies must not keep Redis growing (docs/fleet-state.md).

A representative day of acme runs against the real Redis; then every key of acme is SCANned."""

from fnmatch import fnmatchcase

import pytest
from django_tenants.utils import schema_context

from billing.metering import counters
from billing.metering.services import quota_limits_refresh
from secretaria.observability.redis_footprint import company_key_patterns, company_redis_footprint, key_owner
from secretaria.redis_client import KEYS_WITHOUT_TTL, get_redis
from secretaria.settings_cache import settings_version_key
from tests.company_day import FLOOD_LIMIT, CompanyDay, ModelServer


@pytest.fixture
def model_server():
    server = ModelServer()
    yield server
    server.close()


def wipe(schema: str) -> None:
    client = get_redis()
    for pattern in company_key_patterns(schema):
        keys = list(client.scan_iter(match=pattern))
        if keys:
            client.delete(*keys)


@pytest.fixture
def day(acme, api, settings, django_capture_on_commit_callbacks, model_server):
    settings.DEBOUNCE_SECONDS = 0
    settings.BILLING_METERING = True
    settings.RATE_LIMIT_SENDER_PER_MINUTE = FLOOD_LIMIT
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    wipe(acme.schema_name)  # what earlier tests left (some write keys by hand) is not this day's
    yield CompanyDay(company=acme, host="acme.localhost", api=api, capture=django_capture_on_commit_callbacks,
                     model_url=model_server.url)
    wipe(acme.schema_name)


def family(key: str, schema: str) -> str:
    """`secretaria:acme:rl:sender:55...` -> `rl`; a Django cache key -> `cache`."""
    if key.startswith(f"secretaria:{schema}:"):
        return key.split(":")[2]
    return "cache"


def allowed_without_ttl(key: str, schema: str) -> bool:
    rest = key.removeprefix(f"secretaria:{schema}:")
    return any(fnmatchcase(rest, pattern) for pattern in KEYS_WITHOUT_TTL)


def test_after_a_busy_day_every_key_of_the_company_has_a_ttl(day):
    day.run()

    footprint = company_redis_footprint("acme")
    keys = [k.decode() for p in company_key_patterns("acme") for k in get_redis().scan_iter(match=p)]
    # The day did write what a day writes: otherwise this test would pass on an empty Redis.
    assert {"settings-version", "usage", "rl", "ctx", "jwt", "breaker", "cache"} <= {family(k, "acme") for k in keys}
    assert [key for key in footprint.without_ttl if not allowed_without_ttl(key, "acme")] == []


def test_every_key_the_day_wrote_is_the_companys_by_name(day, globex):
    wipe(globex.schema_name)
    day.run()

    client = get_redis()
    assert list(client.scan_iter(match="secretaria:globex:*")) == []
    owners = {key_owner(k.decode()) for p in company_key_patterns("acme") for k in client.scan_iter(match=p)}
    assert owners == {"acme"}


def test_the_settings_version_expires_and_so_does_a_new_one(acme, settings, django_capture_on_commit_callbacks):
    from secretaria.settings_cache import cached, settings_changed

    client = get_redis()
    with schema_context("acme"):
        client.delete(settings_version_key())
        cached("x", lambda: 1)  # the first read sets a version
        first = client.ttl(settings_version_key())
        with django_capture_on_commit_callbacks(execute=True):
            settings_changed()
        second = client.ttl(settings_version_key())

    assert 0 < first <= settings.SETTINGS_VERSION_TTL_SECONDS
    assert 0 < second <= settings.SETTINGS_VERSION_TTL_SECONDS


def test_a_plan_change_before_the_months_first_message_leaves_an_expiring_hash(
        acme, django_capture_on_commit_callbacks):
    client = get_redis()
    key = counters.usage_key(schema="acme")
    client.delete(key)

    with django_capture_on_commit_callbacks(execute=True):
        quota_limits_refresh(company=acme)

    assert client.hget(key, "limit:messages") is not None  # the hash was made by HSET alone...
    assert 0 < client.ttl(key) <= counters.TTL_SECONDS  # ...and still expires
