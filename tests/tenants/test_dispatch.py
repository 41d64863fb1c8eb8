"""The fleet's periodic dispatcher (tenants/dispatch.py), against the real Redis and the real queue:
what one cycle sends, to whom and when, and how a company's run is bounded once it starts."""

import base64
import json
import threading
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from secretaria.redis_client import get_redis, redis_client_for
from tenants import dispatch
from tenants.dispatch import (
    cadence_get,
    companies_claim,
    company_jobs_run,
    company_offset,
    dispatch_cycle,
    jobs_send,
    period_current,
    slots_key,
)
from tenants.metrics import PERIODIC_JOB_SECONDS
from tenants.migration_state import code_state, migration_marker_clear
from tenants.models import Company
from tenants.selectors import company_schemas_active
from tests.tenants import periodic_probe
from tests.tenants.conftest import race

CAST = ["acme", "globex", "hooli", "initech", "umbrella", "wayne"]


def queued(queue: str) -> list[dict]:
    """The messages waiting in the real queue: the schema each runs in, its kwargs and ETA."""
    messages = []
    for raw in get_redis().lrange(queue, 0, -1):
        message = json.loads(raw)
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        headers = message["headers"]
        messages.append({"schema": headers["_schema_name"], "task": headers["task"], "kwargs": kwargs,
                         "eta": headers["eta"], "expires": headers["expires"]})
    return messages


def schemas_sent(queue: str) -> list[str]:
    return sorted(m["schema"] for m in queued(queue))


def drop_latest_migration_record(schema: str) -> None:
    app, name = next(leaf for leaf in code_state().leaves if leaf[0] == "agenda")
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name])
    migration_marker_clear(schema_name=schema)  # as a migration run taking it back would


# --- when each company's jobs start -----------------------------------------------------------------------

def test_each_company_starts_at_the_same_offset_every_period_spread_over_the_window():
    schemas = [f"empresa_{n}" for n in range(1000)]
    offsets = [company_offset(s, 40) for s in schemas]

    assert offsets == [company_offset(s, 40) for s in schemas]
    assert all(0 <= o < 40 for o in offsets)
    per_tenth = [sum(1 for o in offsets if k * 4 <= o < (k + 1) * 4) for k in range(10)]
    assert min(per_tenth) > 60 and max(per_tenth) < 140  # about 100 companies in each tenth of the window


def test_the_period_is_the_one_whose_start_is_nearest_on_redis_s_clock(cadence):
    spec = cadence_get(cadence)

    period, now = period_current(spec)

    assert abs(now - period * spec.period) <= spec.period / 2
    assert abs(now - time.time()) < 5  # the same machine: Redis's clock is ours


# --- one cycle ----------------------------------------------------------------------------------------------

def test_a_cycle_sends_every_active_company_one_job_in_its_schema(db, cadence, settings):
    result = dispatch_cycle(cadence=cadence)

    messages = queued(settings.TENANT_PERIODIC_QUEUE)
    assert sorted(m["schema"] for m in messages) == company_schemas_active()
    assert set(CAST) <= {m["schema"] for m in messages}
    assert "tenant_template" not in {m["schema"] for m in messages}
    assert result.sent == len(messages)
    assert {m["task"] for m in messages} == {"tenants.periodic_run"}
    assert all(m["kwargs"]["tasks"] == ["tests.periodic_probe"] and m["kwargs"]["concurrency"] == 4
               for m in messages)


def test_each_job_waits_its_company_s_offset_and_expires_with_the_period(db, cadence, settings):
    from datetime import datetime

    before = time.time()
    dispatch_cycle(cadence=cadence)

    for message in queued(settings.TENANT_PERIODIC_QUEUE):
        eta = datetime.fromisoformat(message["eta"]).timestamp()
        expires = datetime.fromisoformat(message["expires"]).timestamp()
        assert eta - before == pytest.approx(company_offset(message["schema"], 10), abs=2)
        assert expires - before == pytest.approx(60, abs=2)


def test_suspended_and_lagging_companies_are_not_sent(db, cadence, settings):
    Company.objects.filter(schema_name="globex").update(status=Company.Status.SUSPENDED)
    drop_latest_migration_record("acme")

    result = dispatch_cycle(cadence=cadence)

    sent = schemas_sent(settings.TENANT_PERIODIC_QUEUE)
    assert "globex" not in sent and "acme" not in sent
    assert {"hooli", "initech", "umbrella", "wayne"} <= set(sent)
    assert result.lagging == 1


def test_a_second_cycle_in_the_same_period_sends_nothing(db, cadence, settings):
    """Beat restarted mid-minute, or a second beat: the period's claims are taken."""
    first = dispatch_cycle(cadence=cadence)
    second = dispatch_cycle(cadence=cadence)

    assert second.period == first.period
    assert (second.sent, second.claimed_elsewhere) == (0, first.sent)
    assert len(queued(settings.TENANT_PERIODIC_QUEUE)) == first.sent


def test_a_cadence_with_no_tasks_sends_nothing(db, cadence, settings):
    settings.TENANT_PERIODIC_TASKS = {**settings.TENANT_PERIODIC_TASKS, cadence: []}

    assert dispatch_cycle(cadence=cadence).sent == 0
    assert queued(settings.TENANT_PERIODIC_QUEUE) == []


# --- two dispatchers racing -----------------------------------------------------------------------------

def test_two_dispatchers_racing_over_a_thousand_companies_send_each_one_once(db, cadence, settings):
    spec = cadence_get(cadence)
    schemas = [f"empresa_{n:04d}" for n in range(1000)]
    dispatch.claim_key(cadence, 0, "warm")  # the fleet's key prefix, read once from the database

    def dispatcher():
        period, _ = period_current(spec)
        claimed = companies_claim(spec, period, schemas)
        jobs_send(spec, period, claimed, ["tests.periodic_probe"])
        return len(claimed)

    sent = race(2, dispatcher)

    assert sum(sent) == 1000
    assert schemas_sent(settings.TENANT_PERIODIC_QUEUE) == schemas


def test_two_whole_cycles_racing_send_each_active_company_once(db, cadence, settings):
    results = race(2, lambda: dispatch_cycle(cadence=cadence))

    assert sum(r.sent for r in results) == len(company_schemas_active())
    assert schemas_sent(settings.TENANT_PERIODIC_QUEUE) == company_schemas_active()


# --- one company's run ------------------------------------------------------------------------------------

def claim(cadence: str, schema: str, *, period_shift: int = 0) -> dict:
    """What a message for `schema` carries, as the dispatcher would have sent it."""
    spec = cadence_get(cadence)
    period = period_current(spec)[0] + period_shift
    token = companies_claim(spec, period, [schema])[schema]
    return {"cadence": cadence, "period": period, "token": token, "budget": spec.budget,
            "concurrency": spec.concurrency, "expires_at": time.time() + spec.period}


def run_in(schema: str, job: dict, tasks=("tests.periodic_probe",)) -> str:
    with schema_context(schema):
        return company_jobs_run(tasks=list(tasks), **job)


def test_a_company_runs_its_jobs_once_per_period_however_often_the_message_comes(db, cadence, probe):
    job = claim(cadence, "acme")

    assert run_in("acme", job) == "ran"
    assert run_in("acme", job) == "duplicate"
    assert probe.count("acme") == 1


def test_a_take_whose_reply_came_late_runs_the_company_once(db, cadence, probe, monkeypatch, slow_redis):
    """The take ran but its reply timed out: sent again as itself, it is 'ok', not its own duplicate."""
    client = redis_client_for(slow_redis.url, timeout=0.3)
    client.ping()
    monkeypatch.setattr(dispatch, "get_redis", lambda: client)
    job = claim(cadence, "acme")
    slow_redis.hold_next_replies(0.8)

    assert run_in("acme", job) == "ran"
    assert probe.count("acme") == 1
    assert run_in("acme", job) == "duplicate"  # a redelivered message still is one
    assert get_redis().zcard(slots_key(cadence)) == 0  # the lease taken by the late take was given back


def test_a_message_from_a_dispatcher_that_lost_the_claim_does_not_run(db, cadence, probe):
    job = claim(cadence, "acme")

    assert run_in("acme", {**job, "token": "someone-else"}) == "duplicate"
    assert probe.count("acme") == 0


def test_a_message_past_its_period_does_not_run(db, cadence, probe):
    job = claim(cadence, "acme")

    assert run_in("acme", {**job, "expires_at": time.time() - 1}) == "expired"
    assert probe.count("acme") == 0


def test_no_more_companies_run_at_once_than_the_cadence_allows(db, cadence, probe, settings):
    settings.TENANT_PERIODIC_CADENCES[cadence]["concurrency"] = 2
    probe.hold(0.3)
    jobs = {schema: claim(cadence, schema) for schema in CAST}
    retries = []

    def one(schema):
        def attempt():
            while (outcome := run_in(schema, jobs[schema])) == "full":
                retries.append(schema)
                time.sleep(0.05)
            return outcome
        return attempt

    outcomes = []
    threads = [threading.Thread(target=lambda s=s: (outcomes.append(one(s)()), connection.close())) for s in CAST]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["ran"] * len(CAST)
    assert [probe.count(s) for s in CAST] == [1] * len(CAST)
    assert probe.peak() == 2
    assert retries  # some waited for a slot


def test_a_stuck_company_holds_a_slot_no_longer_than_its_budget(db, cadence, probe, settings):
    settings.TENANT_PERIODIC_CADENCES[cadence].update(concurrency=1, budget=1)
    periodic_probe.ENTERED.clear()
    periodic_probe.RELEASE.clear()
    stuck = threading.Thread(target=lambda: (run_in("acme", claim(cadence, "acme"), ["tests.periodic_stuck"]),
                                             connection.close()))
    stuck.start()
    try:
        assert periodic_probe.ENTERED.wait(10)
        # Its next period's run is skipped while this one goes on...
        assert run_in("acme", claim(cadence, "acme", period_shift=1)) == "busy"
        # ...and the only slot is free again once acme's budget is spent, though acme still runs.
        job = claim(cadence, "globex")
        while (outcome := run_in("globex", job)) == "full":
            time.sleep(0.1)
        assert outcome == "ran"
        assert stuck.is_alive() and not periodic_probe.RELEASE.is_set()
    finally:
        periodic_probe.RELEASE.set()
        stuck.join()
    assert probe.count("globex") == 1


def test_a_statement_that_outlives_the_budget_is_cancelled_and_the_session_reset(db, cadence, settings):
    settings.TENANT_PERIODIC_CADENCES[cadence]["budget"] = 1
    before = jobs("tests.periodic_pg_sleep", "timeout")
    seen = {}

    def run():
        seen["outcome"] = run_in("acme", claim(cadence, "acme"), ["tests.periodic_pg_sleep"])
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen["timeout"] = cursor.fetchone()[0]
        connection.close()

    thread = threading.Thread(target=run)  # its own connection, in autocommit as on a worker
    thread.start()
    thread.join()

    assert seen == {"outcome": "ran", "timeout": "0"}
    assert jobs("tests.periodic_pg_sleep", "timeout") == before + 1


def jobs(task: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("secretaria_periodic_jobs_total", {"task": task, "outcome": outcome}) or 0


def test_a_failing_task_does_not_cost_the_company_its_other_tasks(db, cadence, probe):
    failed = jobs("tests.periodic_fail", "failed")

    outcome = run_in("acme", claim(cadence, "acme"), ["tests.periodic_fail", "tests.periodic_probe"])

    assert outcome == "ran"
    assert probe.count("acme") == 1
    assert jobs("tests.periodic_fail", "failed") == failed + 1


def test_each_task_s_runtime_is_one_histogram_for_every_company(db, cadence, probe):
    def runs() -> float:
        return REGISTRY.get_sample_value("secretaria_periodic_job_seconds_count", {"task": "tests.periodic_probe"}) or 0

    before = runs()
    for schema in ("acme", "globex"):
        run_in(schema, claim(cadence, schema))

    assert PERIODIC_JOB_SECONDS._labelnames == ("task",)  # no company: 1,000 x buckets series per task
    assert runs() == before + 2


def test_claims_taken_by_a_cycle_whose_broker_failed_are_given_back(db, cadence, settings):
    queue = settings.TENANT_PERIODIC_QUEUE
    get_redis().set(queue, "não é uma lista")  # the broker's LPUSH now fails (WRONGTYPE)
    with pytest.raises(Exception, match="WRONGTYPE"):
        dispatch_cycle(cadence=cadence)
    get_redis().delete(queue)

    assert dispatch_cycle(cadence=cadence).sent == len(company_schemas_active())
