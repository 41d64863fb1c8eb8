"""Redis memory per company (secretaria/observability/redis_footprint.py, `manage.py redis_footprint`):
what a company holds after a busy day, and after it idled past the TTLs (goal: at most 10 KiB).

Idling is done two ways, neither by waiting minutes: the TTLs that are settings are shortened to a second
and really run out in Redis; the ones that are constants (a rate limit's window, the breaker's day, the
usage hash's two months) are run out by `fast_forward`, which deletes exactly the keys Redis would have
expired by then (PTTL at most the idle time), and leaves every key without a TTL where it is."""

import json
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tenants.utils import schema_context

from secretaria.observability.redis_footprint import (
    company_key_patterns,
    company_redis_bytes,
    company_redis_footprint,
    fleet_redis_footprint,
)
from secretaria.redis_client import get_redis
from tests.company_day import FLOOD_LIMIT, CompanyDay, ModelServer

GOAL = 10 * 1024
HOUR, DAY = 3600, 86_400


def wipe(*schemas: str) -> None:
    client = get_redis()
    for schema in schemas:
        for pattern in company_key_patterns(schema):
            keys = list(client.scan_iter(match=pattern))
            if keys:
                client.delete(*keys)


def keys_of(schema: str) -> list[str]:
    return sorted(k.decode() for p in company_key_patterns(schema) for k in get_redis().scan_iter(match=p))


def fast_forward(schema: str, seconds: float) -> None:
    """What `seconds` of idleness does to the company's keys: those whose TTL runs out by then are gone."""
    client = get_redis()
    for key in keys_of(schema):
        ttl = client.pttl(key)
        if 0 <= ttl <= seconds * 1000:
            client.delete(key)


@pytest.fixture
def clean(acme, globex):
    wipe("acme", "globex")
    yield
    wipe("acme", "globex")


def test_a_company_is_measured_by_its_own_keys_only(clean):
    client = get_redis()
    client.set("secretaria:acme:teste:a", "x" * 1000, ex=60)
    client.set("secretaria:acme:teste:permanente", "y")
    client.set("secretaria:globex:teste:a", "z" * 5000, ex=60)
    with schema_context("acme"):
        cache.set("relatorio", "w" * 2000, 60)  # Django's cache: `acme:<prefix>:1:relatorio`

    footprint = company_redis_footprint("acme")

    expected = sum(client.memory_usage(k, samples=0) for k in keys_of("acme"))
    assert (footprint.keys, footprint.bytes) == (3, expected)
    assert footprint.bytes > 3000
    assert footprint.without_ttl == ("secretaria:acme:teste:permanente",)
    assert company_redis_bytes("acme") == expected


def test_the_fleet_is_measured_in_one_pass_with_the_same_figures(clean):
    client = get_redis()
    client.set("secretaria:acme:teste:a", "x" * 1000, ex=60)
    client.set("secretaria:globex:teste:a", "z" * 5000, ex=60)
    client.set("secretaria:global:rl:ip:10.0.0.1", "1", ex=60)  # shared by every company: nobody's

    fleet = fleet_redis_footprint(["acme", "globex", "sem-chaves"])

    by_schema = {c.schema: c for c in fleet.companies}
    assert by_schema["acme"] == company_redis_footprint("acme")
    assert by_schema["globex"] == company_redis_footprint("globex")
    assert (by_schema["sem-chaves"].keys, by_schema["sem-chaves"].bytes) == (0, 0)
    assert fleet.max.schema == "globex"
    assert fleet.mean_bytes == pytest.approx((by_schema["acme"].bytes + by_schema["globex"].bytes) / 3)


def test_the_command_prints_the_mean_the_max_and_the_keys(clean, capsys):
    get_redis().set("secretaria:acme:teste:a", "x" * 1000, ex=60)

    call_command("redis_footprint", "--company", "acme", "--company", "globex", "--json")
    figures = json.loads(capsys.readouterr().out)
    call_command("redis_footprint", "--company", "acme", "--keys")
    text = capsys.readouterr().out

    assert (figures["companies"], figures["keys"], figures["max_company"]) == (2, 1, "acme")
    assert figures["without_ttl"] == [] and figures["max_bytes"] > 1000
    assert "empresas: 1" in text and "secretaria:acme:teste:a" in text


@pytest.fixture
def busy_days(clean, acme, globex, api, settings, django_capture_on_commit_callbacks):
    settings.DEBOUNCE_SECONDS = 0
    settings.BILLING_METERING = True
    settings.RATE_LIMIT_SENDER_PER_MINUTE = FLOOD_LIMIT
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The TTLs that are settings, short enough to run out for real in this test.
    settings.CONTEXT_TTL_SECONDS = 1
    settings.SETTINGS_VERSION_TTL_SECONDS = 1
    server = ModelServer()
    try:
        for company in (acme, globex):
            CompanyDay(company=company, host=f"{company.slug}.localhost", api=api,
                       capture=django_capture_on_commit_callbacks, model_url=server.url).run()
    finally:
        server.close()


def test_companies_that_had_a_busy_day_hold_under_10_kib_once_idle(busy_days):
    schemas = ["acme", "globex"]
    busy = fleet_redis_footprint(schemas)
    assert all(c.keys >= 10 for c in busy.companies)  # the day did leave its state behind

    time.sleep(1.2)  # the shortened TTLs run out in Redis itself
    assert not [k for s in schemas for k in keys_of(s) if ":ctx:" in k or k.endswith(":settings-version")]
    for schema in schemas:
        fast_forward(schema, HOUR)
    after_an_hour = fleet_redis_footprint(schemas)
    for schema in schemas:
        fast_forward(schema, DAY)
    after_a_day = fleet_redis_footprint(schemas)

    print(f"\nredis per company: busy {busy.mean_bytes:,.0f} B (max {busy.max.bytes:,}, {busy.total_keys} keys); "
          f"idle 1 h {after_an_hour.mean_bytes:,.0f} B (max {after_an_hour.max.bytes:,}, "
          f"{after_an_hour.total_keys} keys); idle 1 day {after_a_day.mean_bytes:,.0f} B "
          f"(max {after_a_day.max.bytes:,}, {after_a_day.total_keys} keys): "
          f"{sorted({k.split(':', 3)[2] for s in schemas for k in keys_of(s) if k.startswith('secretaria:')})}")
    assert after_an_hour.max.bytes <= GOAL
    assert after_a_day.max.bytes <= after_an_hour.max.bytes < busy.max.bytes
    assert after_a_day.without_ttl == []
