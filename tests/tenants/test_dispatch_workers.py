"""Two dispatchers racing, two real worker processes (two "nodes") on the real broker: each company's
job runs once in the period, in its own schema, and no more companies run at once than the cadence
allows across both workers (tenants/dispatch.py)."""

import os
import uuid

import pytest
from django.db import connection

from celery_app import app
from tenants.dispatch import dispatch_cycle
from tenants.selectors import company_schemas_active
from tests.conftest import _start, _stop, _wait_until, wait_until
from tests.tenants.conftest import race

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def two_workers(django_db_setup):
    """Two worker processes on a queue of their own, each able to run the probe (`--include`)."""
    queue = f"test-periodic-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_NAME=connection.settings_dict["NAME"], CELERY_DEFAULT_QUEUE=queue,
               SECRETARIA_WAKEUP_DISPATCHER="0")
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    names = [f"{queue}-{n}@test" for n in (1, 2)]
    procs = [_start(["worker", "-Q", queue, "-n", name, "--pool", "threads", "-c", "3",
                     "--include", "tests.tenants.periodic_probe",
                     "--without-mingle", "--without-gossip", "--loglevel", "WARNING"], env) for name in names]
    try:
        for name, proc in zip(names, procs, strict=True):
            _wait_until(lambda n=name: app.control.ping(destination=[n], timeout=0.5), 90, "worker start", proc)
        yield queue
    finally:
        for proc in procs:
            _stop(proc)


def test_two_dispatchers_and_two_workers_run_each_company_once_and_no_more_than_k_at_once(
        db, cadence, probe, settings, two_workers):
    settings.TENANT_PERIODIC_QUEUE = two_workers
    settings.TENANT_PERIODIC_CADENCES[cadence].update(spread=3, concurrency=2, budget=30)
    probe.hold(1.5)
    companies = company_schemas_active()

    results = race(2, lambda: dispatch_cycle(cadence=cadence))

    assert sum(r.sent for r in results) == len(companies)
    wait_until(lambda: all(probe.count(s) >= 1 for s in companies), 120, "every company's job ran")
    wait_until(lambda: probe.running() == 0, 30, "the last jobs finished")
    assert {s: probe.count(s) for s in companies} == {s: 1 for s in companies}
    assert probe.peak() == 2  # six 1.5 s jobs within 3 s: they queued for the two slots

