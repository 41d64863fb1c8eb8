"""The reply wake-ups: a Redis sorted set the webhook writes and the worker's dispatcher drains."""

import threading
import time

import pytest
from django_tenants.utils import schema_context

from conversations.core import pipeline, wakeups
from conversations.core.dispatcher import WakeupPool, wakeup_run
from conversations.core.pipeline import ReplyOutcome
from conversations.core.wakeups import wakeup_schedule, wakeups_key, wakeups_pop_due
from secretaria.redis_client import get_redis


@pytest.fixture(autouse=True)
def _empty_set():
    get_redis().delete(wakeups_key())
    yield
    get_redis().delete(wakeups_key())


def test_a_contact_is_due_only_after_its_window(acme):
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[7], delay=30)
        wakeup_schedule(contact_ids=[8], delay=0)

    assert wakeups_pop_due() == [("acme", 8)]
    assert get_redis().zscore(wakeups_key(), "acme:7") > time.time() + 25


def test_a_later_message_moves_the_contacts_one_entry_forward(acme):
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[7], delay=0)
        wakeup_schedule(contact_ids=[7], delay=30)  # the customer is still typing

    assert wakeups_pop_due() == []
    assert get_redis().zcard(wakeups_key()) == 1


def test_entries_carry_their_company(acme, globex):
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[1], delay=0)
    with schema_context("globex"):
        wakeup_schedule(contact_ids=[1], delay=0)

    assert sorted(wakeups_pop_due()) == [("acme", 1), ("globex", 1)]


def test_concurrent_dispatchers_never_take_the_same_entry(acme):
    with schema_context("acme"):
        wakeup_schedule(contact_ids=range(1, 2001), delay=0)
    taken: list[tuple[str, int]] = []
    lock = threading.Lock()

    def drain():
        while batch := wakeups_pop_due(limit=50):
            with lock:
                taken.extend(batch)

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(taken) == 2000
    assert len(set(taken)) == 2000


def test_the_pool_answers_due_contacts_in_their_company(acme, monkeypatch):
    answered = []

    def fake_reply(*, contact_id):
        answered.append((wakeups.connection.schema_name, contact_id))
        return ReplyOutcome("answered")

    monkeypatch.setattr(pipeline, "conversation_reply", fake_reply)
    pool = WakeupPool(threads=4)
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[42, 43], delay=0)

    assert pool.dispatch() == 2
    pool.shutdown()
    assert sorted(answered) == [("acme", 42), ("acme", 43)]
    assert get_redis().zcard(wakeups_key()) == 0


def test_the_pool_never_pops_more_than_its_free_threads(acme, monkeypatch):
    release = threading.Event()

    def slow_reply(*, contact_id):
        release.wait(5)
        return ReplyOutcome("answered")

    monkeypatch.setattr(pipeline, "conversation_reply", slow_reply)
    pool = WakeupPool(threads=2)
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[1, 2, 3, 4, 5], delay=0)

    assert pool.dispatch() == 2
    assert pool.full
    assert pool.dispatch() == 0
    assert get_redis().zcard(wakeups_key()) == 3  # still in Redis, not in this process's memory
    release.set()
    pool.shutdown()


def test_a_contact_still_typing_is_put_back_for_later(acme, monkeypatch):
    monkeypatch.setattr(pipeline, "conversation_reply", lambda *, contact_id: ReplyOutcome("wait", retry_in=30))
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[9], delay=0)

    assert wakeups_pop_due() == [("acme", 9)]
    assert wakeup_run(schema="acme", contact_id=9) == "wait"
    assert get_redis().zscore(wakeups_key(), "acme:9") > time.time() + 25


def test_a_failing_reply_is_logged_not_raised(acme, monkeypatch):
    def broken(*, contact_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "conversation_reply", broken)

    assert wakeup_run(schema="acme", contact_id=9) == "error"


def test_a_reply_thread_whose_connection_died_reconnects_on_the_next_reply(django_db_setup, django_db_blocker):
    # Outside the test transaction (the reply thread has its own connection and must see the
    # session's committed companies); not transaction=True, whose flush would empty them.
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from django.db import connection

    def run_and_report_backend():
        status = wakeup_run(schema="acme", contact_id=424242)  # nobody: "nothing" to answer
        return status, connection.connection.info.backend_pid if connection.connection else None

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as reply_thread:
        status, backend = reply_thread.submit(run_and_report_backend).result()
        assert status == "nothing"
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [backend])

        statuses = [reply_thread.submit(run_and_report_backend).result() for _ in range(2)]
        reply_thread.submit(lambda: connection.close()).result()  # in the thread: its own wrapper

    assert statuses[0][0] == "error"  # within the check interval: this one meets the dead connection
    assert statuses[1][0] == "nothing" and statuses[1][1] != backend  # the next one reconnected
