"""The reply wake-ups: a Redis sorted set the webhook writes and the worker's dispatcher drains."""

import threading
import time

import pytest
from django_tenants.utils import schema_context

from conversations.services import wakeups
from conversations.services.wakeups import wakeup_schedule, wakeups_key, wakeups_pop_due
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


def test_dispatch_starts_the_reply_task_in_the_entrys_company(acme, monkeypatch):
    from conversations.tasks import conversation_reply_task

    sent = []
    monkeypatch.setattr(conversation_reply_task, "apply_async",
                        lambda args: sent.append((wakeups.connection.schema_name, args)))
    with schema_context("acme"):
        wakeup_schedule(contact_ids=[42], delay=0)

    assert wakeups.wakeups_dispatch() == 1
    assert sent == [("acme", [42])]
    assert wakeups.wakeups_dispatch() == 0
