"""R1 in miniature: a real worker process killed with SIGKILL mid-reply, and the worker beside it
taking its work back within a few heartbeats (docs/reliability.md, "Crash recovery").

Real processes, real PostgreSQL and Redis, a real HTTP fake for the LLM and the channel that can
hold a request open: the kill lands while the dead worker waits on the model (its messages
`processing`) or on the channel (its reply `sending`). Beat does not run: the per-minute sweeper
cannot be what recovers the work.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.assistant.llm import llm_config_set
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import pipeline_schedule
from conversations.models import Message, Outbox
from tests.conversations.llm_payloads import openai_answer
from tests.conversations.test_claims import _wipe  # the same company rows to clear
from tests.json_server import FakeServer

pytestmark = pytest.mark.worker
# The tests take `db` last: it builds the test database when they run alone, and the company's rows
# are committed by its fixture before the test's transaction opens.
SLUG = "h7crash"
HEARTBEAT, DEAD_AFTER = 0.5, 2.0
# How long after the kill the claims must be back: the dead-after period plus a few of the
# survivor's watch rounds (it runs at the lowest CPU priority, on a machine shared with others).
RECLAIM_BOUND = DEAD_AFTER + 10 * HEARTBEAT


class HoldingFake(FakeServer):
    """An OpenAI-compatible model and a Whaticket send API; either can hold its requests open
    until `release()`, as a provider would while the worker waits on it."""

    def reset(self) -> None:
        self.llm_calls, self.sends = [], []
        self.hold_llm = self.hold_send = False
        self.released = threading.Event()

    def handle(self, recorded):
        if recorded.path.endswith("/chat/completions"):
            with self.lock:
                self.llm_calls.append(recorded)
                hold = self.hold_llm
            if hold:
                self.released.wait(60)
            return 200, openai_answer("A limpeza de pele custa R$ 120.")
        with self.lock:
            self.sends.append(recorded.body)
            hold = self.hold_send
        if hold:
            self.released.wait(60)
        return 200, {"message": "Message sent"}

    def release(self) -> None:
        with self.lock:
            self.hold_llm = self.hold_send = False
        self.released.set()


@pytest.fixture(scope="module")
def fake():
    server = HoldingFake()
    yield server
    server.release()
    server.shutdown()


@pytest.fixture
def crash_company(django_db_setup, django_db_blocker, fake, settings):
    """A committed company (the workers must see it) answering through the fake model and channel."""
    from tenants.models import Company
    from tests.factories import CompanyFactory

    settings.CELERY_TASK_DEFAULT_QUEUE = f"crash-{uuid.uuid4().hex[:8]}"  # this test's wake-ups and heartbeats
    settings.WORKER_HEARTBEAT_SECONDS, settings.WORKER_DEAD_AFTER_SECONDS = HEARTBEAT, DEAD_AFTER
    fake.reset()
    with django_db_blocker.unblock():
        company = Company.objects.filter(slug=SLUG).first() or CompanyFactory(name="Queda", slug=SLUG)
        with schema_context(company.schema_name):
            _wipe()
            channel_configure(kind="whaticket", base_url=fake.url, access_token="tok-queda")
            llm_config_set(provider="openai", base_url=fake.url + "/v1", model="fake", api_key="k")
        try:
            yield company
        finally:
            with schema_context(company.schema_name):
                _wipe()
            connection.set_schema_to_public()


class Worker:
    """`celery worker` in a session of its own: SIGKILL to its group kills it and its pulse."""

    def __init__(self, name: str, *, answers: bool):
        env = dict(os.environ)
        # One that does not answer (no wake-up dispatcher) still watches the others and takes them over.
        env["SECRETARIA_WAKEUP_DISPATCHER"] = "1" if answers else "0"
        env.update(DATABASE_NAME=connection.settings_dict["NAME"],
                   CELERY_DEFAULT_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE, DEBOUNCE_SECONDS="0",
                   WORKER_HEARTBEAT_SECONDS=str(HEARTBEAT),
                   WORKER_DEAD_AFTER_SECONDS=str(DEAD_AFTER), REPLY_THREADS="4")
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.name = f"{name}-{settings.CELERY_TASK_DEFAULT_QUEUE}@test"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
             "-n", self.name, "--pool", "threads", "-c", "2", "--without-mingle", "--without-gossip",
             "--loglevel", "WARNING"],
            cwd=settings.BASE_DIR, env=env, start_new_session=True)

    def wait_ready(self) -> None:
        from celery_app import app

        wait_for(lambda: self.proc.poll() is None and app.control.ping(destination=[self.name], timeout=0.5),
                 90, f"{self.name} to start")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def pulse_alive(self) -> bool:
        """Its pulse (secretaria/worker_pulse.py) is running, in its process group."""
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    group = int(stat.read().rsplit(")", 1)[1].split()[2])
                    if group == self.proc.pid and b"worker_pulse.py" in cmdline.read():
                        return True
            except (OSError, ValueError, IndexError):
                continue
        return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture
def workers():
    started: list[Worker] = []

    def start(name: str, *, answers: bool = True) -> Worker:
        worker = Worker(name, answers=answers)
        started.append(worker)
        worker.wait_ready()
        wait_for(worker.pulse_alive, 30, f"{name}'s pulse")
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise TimeoutError(what)


def customer_writes(schema: str, text: str) -> int:
    """A message stored and its contact woken, as the webhook does. Returns the message's id.

    On a thread of its own, so on a connection of its own: committed, where the test's own
    connection is inside the `db` fixture's transaction, which the workers cannot see into.
    """
    def webhook() -> int:
        try:
            with schema_context(schema):
                message = inbound_store(message=InboundMessage(
                    provider="whaticket", provider_message_id=f"crash-{uuid.uuid4().hex[:8]}",
                    sender="5511987654321", sender_name="Joana", kind=MessageKind.TEXT, text=text,
                    timestamp=timezone.now()))
                pipeline_schedule(contact_ids=[message.contact_id], delay=0)
                return message.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as web:
        return web.submit(webhook).result()


def row(schema: str, model, **filters):
    with schema_context(schema):
        return model.objects.filter(**filters).first()


def test_a_reply_killed_while_waiting_on_the_model_is_taken_back_and_answered_once(
        crash_company, workers, fake, django_db_blocker, db):
    schema = crash_company.schema_name
    with django_db_blocker.unblock():
        # Both up before the customer writes: a held request never waits on a worker's start.
        workers("survivor", answers=False)
        first = workers("first")
        fake.hold_llm = True
        message_id = customer_writes(schema, "Quanto custa a limpeza de pele?")
        wait_for(lambda: fake.llm_calls, 60, "the first worker to ask the model")
        held = row(schema, Message, pk=message_id)
        assert held.state == "processing" and held.claimed_by.startswith(f"{os.uname().nodename[:40]}:")

        first.kill()
        killed_at = time.monotonic()
        assert not first.pulse_alive()  # the pulse died with its worker: its heartbeat stops
        fake.release()
        wait_for(lambda: row(schema, Message, pk=message_id, state="received"), 60, "the message taken back")
        reclaimed_after = time.monotonic() - killed_at
        workers("restarted")  # as the compose restart policy would: it answers what was taken back
        wait_for(lambda: row(schema, Outbox, state="sent"), 60, "the reply to be sent")

    assert reclaimed_after <= RECLAIM_BOUND, f"taken back {reclaimed_after:.1f}s after the kill"
    assert row(schema, Message, pk=message_id).claimed_by not in ("", held.claimed_by)  # answered by another
    assert len(fake.sends) == 1  # the dead worker never sent: one reply reached the customer


def test_a_send_killed_in_flight_is_sent_again_once_as_its_outcome_is_unknown(
        crash_company, workers, fake, django_db_blocker, db):
    schema = crash_company.schema_name
    with django_db_blocker.unblock():
        workers("survivor", answers=False)  # it takes over, and sends what it took back itself
        first = workers("first")
        fake.hold_send = True
        customer_writes(schema, "Quanto custa a limpeza de pele?")
        wait_for(lambda: fake.sends, 60, "the first worker to post the reply")
        sending = row(schema, Outbox, state="sending")
        assert sending is not None and sending.claimed_by

        first.kill()
        killed_at = time.monotonic()
        assert not first.pulse_alive()  # the pulse died with its worker: its heartbeat stops
        fake.release()
        wait_for(lambda: row(schema, Outbox, pk=sending.pk, state="pending")
                 or row(schema, Outbox, pk=sending.pk, state="sent"), 60, "the send taken back")
        reclaimed_after = time.monotonic() - killed_at
        sent = wait_for(lambda: row(schema, Outbox, pk=sending.pk, state="sent"), 60, "the reply sent again")

    assert reclaimed_after <= RECLAIM_BOUND, f"taken back {reclaimed_after:.1f}s after the kill"
    # The request had reached the channel when the worker died: the outcome was unknown, so it was
    # sent once more (the one tolerated duplicate, counted), and only once.
    assert sent.attempts == 2 and sent.claimed_by != sending.claimed_by
    assert len(fake.sends) == 2
