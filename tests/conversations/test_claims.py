"""Claims and heartbeats (conversations/core/claims.py, secretaria/worker_heartbeat.py), run in-process
against the real PostgreSQL and Redis: what a dead worker held is taken back once, what a live
one holds is left alone, and with the heartbeats wiped the sweeper still recovers everything.

The crash itself (a worker process killed with SIGKILL mid-reply) is test_claims_crash.py.
"""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core import pipeline
from conversations.core.claims import claims_dead_holders, claims_reclaim, claims_take_over, reply_lock_key
from conversations.core.ingest import inbound_store
from conversations.core.outbox import reply_create
from conversations.core.wakeups import wakeups_key
from conversations.models import Contact, Message, Outbox
from secretaria import worker_heartbeat
from secretaria.redis_client import get_redis
from secretaria.worker_heartbeat import Heartbeat, beats_key, schemas_key, since_key


@pytest.fixture(autouse=True)
def own_registry(settings):
    """A heartbeat registry and wake-up set of this test's own (both are named after the queue)."""
    settings.CELERY_TASK_DEFAULT_QUEUE = f"claims-{uuid.uuid4().hex[:8]}"
    settings.DEBOUNCE_SECONDS = 0
    worker_heartbeat.takeover_register(claims_take_over)
    yield settings
    keys = list(get_redis().scan_iter(match=f"secretaria:*{settings.CELERY_TASK_DEFAULT_QUEUE}*"))
    if keys:
        get_redis().delete(*keys)


@pytest.fixture
def in_acme(acme):
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        yield acme


def receive(text: str, id: str, phone: str = "5511912345678") -> Message:
    return inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=id, sender=phone, sender_name="Maria Souza",
        kind=MessageKind.TEXT, text=text, timestamp=timezone.now(),
    ))


def seconds_ago(seconds: float):
    return timezone.now() - timedelta(seconds=seconds)


def worker_was_seen(worker: str, *, seconds_ago: float, schemas=("acme",)) -> None:
    """`worker` beat last `seconds_ago` seconds ago and registered `schemas`; the registry is old enough to trust."""
    redis = get_redis()
    redis.set(since_key(), repr(time.time() - 3600), nx=True)
    redis.zadd(beats_key(), {worker: time.time() - seconds_ago})
    if schemas:
        redis.sadd(schemas_key(worker), *schemas)


def held_by(worker: str, *, claimed_seconds_ago: float = 30, phone: str = "5511912345678", tag: str = "") -> dict:
    """A reply in flight when `worker` stopped: one message in `processing`, one send in `sending`,
    a send whose retry it held, and its reply lock on the contact."""
    processing = receive("Quanto custa a limpeza de pele?", f"p{tag}{phone}", phone)
    Message.objects.filter(pk=processing.pk).update(state="processing", claimed_by=worker,
                                                    processed_at=seconds_ago(claimed_seconds_ago))
    contact = Contact.objects.get(pk=processing.contact_id)
    sending = reply_create(contact=contact, conversation=None, text="Custa R$ 120.", idempotency_key=f"s{tag}{phone}")
    Outbox.objects.filter(pk=sending.pk).update(state="sending", claimed_by=worker, attempts=1,
                                                attempted_at=seconds_ago(claimed_seconds_ago))
    retry = reply_create(contact=contact, conversation=None, text="Até amanhã!", idempotency_key=f"r{tag}{phone}")
    Outbox.objects.filter(pk=retry.pk).update(state="pending", claimed_by=worker, attempts=2,
                                              attempted_at=seconds_ago(claimed_seconds_ago))
    get_redis().set(reply_lock_key(contact.pk), f"{worker}/{uuid.uuid4().hex}", ex=120)
    return {"message": processing.pk, "sending": sending.pk, "retry": retry.pk, "contact": contact.pk}


def resent_count() -> float:
    return REGISTRY.get_sample_value("secretaria_outbox_resent_total") or 0


def state(model, pk: int) -> tuple[str, str]:
    row = model.objects.get(pk=pk)
    return row.state, row.claimed_by


def due_now(contact_id: int) -> bool:
    score = get_redis().zscore(wakeups_key(), f"{connection.schema_name}:{contact_id}")
    return score is not None and score <= time.time()


def test_a_live_worker_takes_back_what_a_dead_one_held_and_counts_only_the_unknown_send(in_acme):
    rows = held_by("dead-1")
    worker_was_seen("dead-1", seconds_ago=60)
    resent_before = resent_count()

    silent = Heartbeat("live-1").beat()
    taken = Heartbeat("live-1").take_over("dead-1")

    assert silent == ["dead-1"] and taken == ["acme"]
    assert state(Message, rows["message"]) == ("received", "")
    # Sent again by the live worker itself (a second attempt): the provider may have had the first.
    assert state(Outbox, rows["sending"])[0] == "sent"
    assert Outbox.objects.get(pk=rows["sending"]).attempts == 2
    assert Outbox.objects.get(pk=rows["retry"]).state == "sent"  # its retry died with the worker: sent now
    assert resent_count() - resent_before == 1  # only the send whose outcome is truly unknown is counted
    assert get_redis().get(reply_lock_key(rows["contact"])) is None  # the dead worker's lock is gone
    assert due_now(rows["contact"])  # and the contact is answered at once
    assert get_redis().zscore(beats_key(), "dead-1") is None
    assert not get_redis().exists(schemas_key("dead-1"))


def test_a_contact_whose_wake_up_a_dead_worker_popped_is_woken_again(in_acme):
    # Popped, not yet started: nothing is claimed, the messages are simply still `received`.
    message = receive("Vocês atendem aos sábados?", "popped")
    Message.objects.filter(pk=message.pk).update(created_at=seconds_ago(20))

    claims_reclaim(workers={"dead-2"})

    assert due_now(message.contact_id)


def test_a_reply_committed_whose_inline_send_never_started_is_sent_without_counting(in_acme):
    message = receive("Oi", "never-sent")
    contact = Contact.objects.get(pk=message.contact_id)
    never = reply_create(contact=contact, conversation=None, text="Olá!", idempotency_key="never-sent")
    Outbox.objects.filter(pk=never.pk).update(created_at=seconds_ago(10))
    resent_before = resent_count()

    reclaimed = claims_reclaim(workers={"dead-3"})

    assert reclaimed.requeued == 1 and reclaimed.unknown_resent == 0
    assert Outbox.objects.get(pk=never.pk).state == "sent"
    assert resent_count() == resent_before


def test_a_live_slow_workers_claims_are_left_alone(in_acme):
    rows = held_by("slow-1", claimed_seconds_ago=60)  # a minute on one reply: slow, but beating
    worker_was_seen("slow-1", seconds_ago=0.5)

    silent = Heartbeat("live-2").beat()
    pipeline.pipeline_sweep()

    assert silent == []
    assert claims_dead_holders() == set()
    assert state(Message, rows["message"]) == ("processing", "slow-1")
    assert state(Outbox, rows["sending"]) == ("sending", "slow-1")
    assert get_redis().get(reply_lock_key(rows["contact"])).decode().startswith("slow-1/")


def test_with_the_heartbeats_wiped_the_sweeper_still_takes_back_every_claim(in_acme):
    rows = held_by("wiped-1")
    worker_was_seen("wiped-1", seconds_ago=1)
    get_redis().delete(beats_key(), schemas_key("wiped-1"))  # Redis restarted empty...
    get_redis().set(since_key(), repr(time.time() - 60))  # ...a minute ago: the live workers have all beaten since

    pipeline.pipeline_sweep()

    assert state(Message, rows["message"]) == ("received", "")
    assert Outbox.objects.get(pk=rows["sending"]).state == "sent"
    assert due_now(rows["contact"])


def test_right_after_a_wipe_the_sweeper_does_not_believe_the_silence(in_acme):
    rows = held_by("unknown-1", claimed_seconds_ago=30)
    stuck = held_by("unknown-1", claimed_seconds_ago=600, phone="5511900000000")
    get_redis().set(since_key(), repr(time.time()))  # wiped a moment ago: live workers may not have beaten yet

    pipeline.pipeline_sweep()

    assert state(Message, rows["message"]) == ("processing", "unknown-1")
    assert state(Outbox, rows["sending"]) == ("sending", "unknown-1")
    # The fixed ages still apply, heartbeat or not.
    assert state(Message, stuck["message"])[0] == "received"
    assert state(Outbox, stuck["sending"])[0] == "pending"


def test_a_reply_whose_claim_was_taken_back_meanwhile_is_not_sent(in_acme, monkeypatch):
    # A worker stalled past its heartbeat: another took its messages back while it composed.
    monkeypatch.setattr(worker_heartbeat, "_identity", "stalled-1")
    message = receive("Quanto custa a limpeza de pele?", "stalled")
    draft = pipeline.reply_draft

    def stalled_draft(**kwargs):
        claims_reclaim(workers={"stalled-1"})
        return draft(**kwargs)

    monkeypatch.setattr(pipeline, "reply_draft", stalled_draft)

    assert pipeline.conversation_reply(contact_id=message.contact_id).status == "lost"
    assert Message.objects.get(pk=message.pk).state == "received"  # the other worker's to answer
    assert not Outbox.objects.exists()


def test_what_a_reclaimer_took_back_is_its_own_claim_until_sent(in_acme, monkeypatch):
    from conversations.core import claims

    rows = held_by("dead-5")
    monkeypatch.setattr(worker_heartbeat, "_identity", "taker-1")
    monkeypatch.setattr(claims, "outbox_deliver", lambda outbox_id: None)  # the taker dies before sending

    claims_reclaim(workers={"dead-5"})

    assert state(Outbox, rows["sending"]) == ("pending", "taker-1")
    assert state(Outbox, rows["retry"]) == ("pending", "taker-1")
    monkeypatch.undo()
    claims_reclaim(workers={"taker-1"})  # ...and the taker's own taker sends them
    assert state(Outbox, rows["sending"])[0] == state(Outbox, rows["retry"])[0] == "sent"


def test_a_reply_lock_left_by_a_dead_worker_is_broken_by_the_next_wake_up(in_acme):
    # It died after its reply was sent, before releasing the lock: no claim is left to find it by.
    message = receive("Vocês atendem aos sábados?", "after-lock")
    get_redis().set(reply_lock_key(message.contact_id), "dead-4/abc", ex=120)
    worker_was_seen("dead-4", seconds_ago=60)

    assert pipeline.conversation_reply(contact_id=message.contact_id).status == "answered"


def test_a_live_workers_reply_lock_is_respected(in_acme):
    message = receive("Vocês atendem aos sábados?", "live-lock")
    get_redis().set(reply_lock_key(message.contact_id), "slow-2/abc", ex=120)
    worker_was_seen("slow-2", seconds_ago=0.5)

    assert pipeline.conversation_reply(contact_id=message.contact_id).status == "busy"
    assert get_redis().get(reply_lock_key(message.contact_id)) == b"slow-2/abc"


# --- racing: rows committed, reclaimers on connections of their own ---------------------------

RACE_SLUG = "h7claims"
PHONES = [f"55119{n:08d}" for n in range(12)]


@pytest.fixture
def race_company(django_db_setup, django_db_blocker, own_registry):
    """A committed company (not transaction=True: its flush would empty the session's companies)."""
    from tenants.models import Company
    from tests.factories import CompanyFactory

    with django_db_blocker.unblock():
        company = Company.objects.filter(slug=RACE_SLUG).first() or CompanyFactory(name="Corrida", slug=RACE_SLUG)
        with schema_context(company.schema_name):
            channel_configure(kind="sandbox")
            _wipe()
        try:
            yield company
        finally:
            with schema_context(company.schema_name):
                _wipe()
            connection.set_schema_to_public()


def _wipe() -> None:
    Outbox.objects.all().delete()
    Message.objects.all().delete()
    Contact.objects.all().delete()


def test_two_live_workers_racing_for_a_dead_one_take_each_row_once(race_company, django_db_blocker):
    # No `db` fixture: its transaction would hide the rows from the racers' connections.
    schema = race_company.schema_name
    with django_db_blocker.unblock():
        with schema_context(schema):
            held = [held_by("dead-race", phone=phone, tag="race") for phone in PHONES]
        worker_was_seen("dead-race", seconds_ago=60, schemas=[schema])
        barrier = threading.Barrier(2)
        taken_by: dict[str, list] = {}

        def live_worker(name: str):
            try:
                barrier.wait()
                taken_by[name] = Heartbeat(name).take_over("dead-race")
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(live_worker, ["live-a", "live-b"]))
        with schema_context(schema):
            messages = states_of(Message, [h["message"] for h in held])
            sends = states_of(Outbox, [h["sending"] for h in held])
            attempts = set(Outbox.objects.filter(pk__in=[h["sending"] for h in held])
                           .values_list("attempts", flat=True))

    assert sorted(v is None for v in taken_by.values()) == [False, True]  # one of them won the dead worker
    assert messages == {"received": len(PHONES)} and sends == {"sent": len(PHONES)}
    assert attempts == {2}  # each sent again once, by the one that won


def test_two_sweepers_racing_over_one_company_take_each_row_once(race_company, django_db_blocker):
    schema = race_company.schema_name
    with django_db_blocker.unblock():
        with schema_context(schema):
            for phone in PHONES:
                held_by("dead-sweep", phone=phone, tag="sweep")
        worker_was_seen("dead-sweep", seconds_ago=60, schemas=[])
        barrier = threading.Barrier(2)

        def sweeper(_n):
            try:
                with schema_context(schema):
                    barrier.wait()
                    return claims_reclaim(workers={"dead-sweep"})
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(sweeper, range(2)))
        with schema_context(schema):
            left = states_of(Message, list(Message.objects.filter(direction="in").values_list("pk", flat=True)))

    assert sum(r.messages for r in results) == len(PHONES)  # each message taken back by one sweeper
    assert sum(r.unknown_resent for r in results) == len(PHONES)  # each unknown send counted once
    assert left == {"received": len(PHONES)}


def states_of(model, pks: list[int]) -> dict[str, int]:
    from collections import Counter

    return dict(Counter(model.objects.filter(pk__in=pks).values_list("state", flat=True)))
