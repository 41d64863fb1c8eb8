"""Every task runs in its message's schema or not at all (secretaria/celery_task.py)."""

import pytest
from celery.exceptions import MaxRetriesExceededError
from django.db import connection
from django.db.utils import OperationalError

from celery_app import app as celery_app
from secretaria.celery_task import TENANTS, TenantTask

RAN_IN: list[str] = []


@celery_app.task(bind=True, name="tests.schema_probe", max_retries=2)
def schema_probe(self) -> str:
    RAN_IN.append(connection.schema_name)
    return connection.schema_name


@pytest.fixture(autouse=True)
def _fresh():
    RAN_IN.clear()
    TENANTS.entries.clear()
    yield
    connection.set_schema_to_public()


def refusing(times: int):
    """The company lookup fails `times` times as PostgreSQL does when its connections are all taken."""
    real = TenantTask.get_tenant_for_schema.__func__
    calls = {"n": 0}

    def lookup(cls, schema_name):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("connection failed: FATAL:  sorry, too many clients already")
        return real(cls, schema_name)

    return classmethod(lookup)


def test_a_task_runs_in_its_message_s_schema(acme):
    assert schema_probe.apply(headers={"_schema_name": "acme"}).get() == "acme"


def test_a_failed_switch_retries_the_task_in_its_schema_instead_of_running_it_in_public(acme, monkeypatch):
    monkeypatch.setattr(TenantTask, "get_tenant_for_schema", refusing(times=2))

    result = schema_probe.apply(headers={"_schema_name": "acme"})

    assert result.get() == "acme"
    assert RAN_IN == ["acme"]  # once, and never in public


def test_a_task_whose_switch_keeps_failing_never_runs(acme, monkeypatch):
    monkeypatch.setattr(TenantTask, "get_tenant_for_schema", refusing(times=10))

    with pytest.raises((OperationalError, MaxRetriesExceededError)):
        schema_probe.apply(headers={"_schema_name": "acme"}).get()
    assert RAN_IN == []


def test_a_task_for_a_company_that_no_longer_exists_does_not_run(db):
    result = schema_probe.apply(headers={"_schema_name": "no_such_company"})

    assert result.state == "IGNORED"
    assert RAN_IN == []
