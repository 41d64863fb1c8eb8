import os
import subprocess
import sys

import pytest
from django.db import connection, connections
from django_prometheus.db.backends.postgresql.base import DatabaseWrapper as PrometheusDatabaseWrapper
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from rest_framework.test import APIClient

from tests.observability.helpers import families, samples

API_ME_OK = ("secretaria_http_requests_total", (("method", "GET"), ("route", "api"), ("status", "200")))


@pytest.fixture
def scraper(db):
    return APIClient(HTTP_HOST="localhost")


def test_metrics_answers_prometheus_text(scraper):
    response = scraper.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "secretaria_http_requests" in families(scraper)


def test_metrics_answers_on_a_company_host_too(acme, api):
    assert api(acme).get("/metrics").status_code == 200


def test_a_request_is_counted_under_its_route_and_not_its_company(acme, api, scraper):
    before = samples(scraper).get(API_ME_OK, 0)
    assert api(acme, "owner").get("/api/me").status_code == 200
    assert samples(scraper)[API_ME_OK] == before + 1
    assert not [labels for name, labels in samples(scraper) if name.startswith("secretaria_http_")
                and "company" in dict(labels)]


def test_request_latency_is_observed_per_route(acme, api, scraper):
    key = ("secretaria_http_request_duration_seconds_count", (("route", "api"),))
    before = samples(scraper).get(key, 0)
    api(acme, "owner").get("/api/me")
    assert samples(scraper)[key] == before + 1


def test_an_unknown_method_is_counted_as_other(acme, api, scraper):
    key = ("secretaria_http_requests_total", (("method", "other"), ("route", "api"), ("status", "405")))
    before = samples(scraper).get(key, 0)
    api(acme, "owner").generic("BREW", "/api/me")
    assert samples(scraper)[key] == before + 1


def test_django_prometheus_request_metrics_are_exported(scraper):
    scraper.get("/healthz")
    names = {name for name, _labels in samples(scraper)}
    assert "django_http_requests_total_by_method_total" in names


def test_database_queries_are_not_counted_by_default(acme, api, scraper):
    """Our ENGINE (django-tenants' plus a saved SET) sits on Django's backend: no per-query metrics, whose
    per-process lock queued a worker's threads (settings.DB_QUERY_METRICS, docs/alerts.md)."""
    api(acme, "owner").get("/api/me")
    assert not {name for name, _labels in samples(scraper) if name.startswith("django_db_execute")}
    wrapper = connections["default"]
    assert type(wrapper).__module__ == "secretaria.db_backend.base"
    assert isinstance(wrapper, TenantDatabaseWrapper)
    assert not isinstance(wrapper, PrometheusDatabaseWrapper)


def test_db_query_metrics_put_django_prometheus_backend_back_under_the_tenants_one():
    code = ("import django; django.setup(); from django.db import connections; "
            "from django_prometheus.db.common import DatabaseWrapperMixin as M; "
            "print(isinstance(connections['default'], M))")
    env = {**os.environ, "DB_QUERY_METRICS": "1", "DJANGO_SETTINGS_MODULE": "secretaria.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True", done.stderr


def test_provisioning_histogram_is_exported(scraper):
    family = families(scraper)["secretaria_tenant_provisioning_seconds"]
    assert family.type == "histogram"
    assert {s.name for s in family.samples} >= {
        "secretaria_tenant_provisioning_seconds_bucket",
        "secretaria_tenant_provisioning_seconds_count",
        "secretaria_tenant_provisioning_seconds_sum",
    }


def test_provisioning_a_company_observes_the_histogram(scraper, unique):
    from tenants.services import company_provision

    key = ("secretaria_tenant_provisioning_seconds_count", ())
    before = samples(scraper)[key]
    company_provision(
        name="Obs",
        slug=f"obs-{unique}",
        domain=f"obs-{unique}.localhost",
        plan="free",
        owner_email=f"owner@obs-{unique}.test",
        owner_password="Senha-de-teste-9",
    )
    connection.set_schema_to_public()
    assert samples(scraper)[key] == before + 1
