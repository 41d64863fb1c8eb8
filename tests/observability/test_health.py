import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from secretaria.beat import HEARTBEAT_KEY
from secretaria.observability import health
from secretaria.redis_client import get_redis

COMPONENTS = {"database", "redis", "celery", "beat", "migrations"}  # migrations: tenants registers it


def readyz():
    return APIClient(HTTP_HOST="localhost").get("/readyz")


@pytest.mark.parametrize("host", ["localhost", "acme.localhost", "unknown.localhost"])
def test_healthz_answers_200_on_public_company_and_unknown_hosts(db, host):
    response = APIClient(HTTP_HOST=host).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("host", ["acme.localhost", "unknown.localhost"])
def test_readyz_answers_on_company_and_unknown_hosts(db, host):
    response = APIClient(HTTP_HOST=host).get("/readyz")
    assert response.status_code in (200, 503)
    assert set(response.json()["components"]) == COMPONENTS


def test_readyz_reports_each_component_with_status_and_latency(db):
    components = readyz().json()["components"]
    assert set(components) == COMPONENTS
    for result in components.values():
        assert result["status"] in ("ok", "fail")
        assert isinstance(result["latency_ms"], (int, float))
        assert result["latency_ms"] >= 0


def test_readyz_is_503_naming_celery_when_no_worker_runs(db):
    response = readyz()
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["components"]["celery"]["status"] == "fail"
    assert "no worker answered" in body["components"]["celery"]["error"]
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["redis"]["status"] == "ok"


def test_readyz_is_503_with_redis_and_beat_failing_when_redis_is_down(db, redis_down):
    response = readyz()
    components = response.json()["components"]
    assert response.status_code == 503
    assert components["redis"]["status"] == "fail"
    assert "ConnectionError" in components["redis"]["error"]
    assert components["beat"]["status"] == "fail"
    assert components["database"]["status"] == "ok"


def test_a_stale_beat_heartbeat_fails_beat(db, heartbeat):
    heartbeat(time.time() - settings.BEAT_HEARTBEAT_MAX_AGE - 120)
    beat = readyz().json()["components"]["beat"]
    assert beat["status"] == "fail"
    assert "last heartbeat" in beat["error"]


def test_a_fresh_beat_heartbeat_passes_beat(db, heartbeat):
    heartbeat(time.time())
    assert readyz().json()["components"]["beat"]["status"] == "ok"


def test_a_missing_beat_heartbeat_fails_beat(db, heartbeat):
    get_redis().delete(HEARTBEAT_KEY)
    beat = readyz().json()["components"]["beat"]
    assert (beat["status"], beat["error"]) == ("fail", "CheckFailed: no heartbeat")


def test_run_checks_is_ok_when_every_given_check_passes(db):
    ok, results = health.run_checks({"database": health.check_database, "redis": health.check_redis})
    assert ok is True
    assert {name: r["status"] for name, r in results.items()} == {"database": "ok", "redis": "ok"}


def test_run_checks_fails_and_keeps_the_reason_when_one_check_raises(db):
    def broken():
        raise health.CheckFailed("disk full")

    ok, results = health.run_checks({"database": health.check_database, "broken": broken})
    assert ok is False
    assert results["database"]["status"] == "ok"
    assert results["broken"]["status"] == "fail"
    assert results["broken"]["error"] == "CheckFailed: disk full"
