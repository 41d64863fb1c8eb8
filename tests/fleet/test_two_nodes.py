"""Two nodes sharing one PostgreSQL and one Redis (docs/fleet-nodes.md): what each node does alone
(its wake-up dispatcher, its sweeper, its breaker reads) stays right when another node does it too.

Every test counts what reached the customers (the fake providers) and what the rows say, never
how long something took.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from celery_app import app
from conversations.assistant.llm import llm_breaker
from conversations.assistant.models import LLMCall
from conversations.channels.selectors import channel_default
from conversations.core.models import Contact, Message, Outbox
from tests.conftest import wait_until
from tests.fleet.conftest import BREAKER_FAILURES, beat_start, beat_stop, committed, meta_text, new_phone, post_meta

pytestmark = pytest.mark.worker

QUESTION = "Vocês atendem convênio? Queria saber antes de marcar."
# Longer than the debounce (1 s) and a dispatcher's idle wait: a duplicate would have arrived by now.
SETTLE_SECONDS = 3


def settled(fake_providers, phones: list[str], timeout: float = 45) -> dict[str, int]:
    """Wait until every phone received something, then a little more; {phone: sends received}."""
    wait_until(lambda: all(fake_providers.sends_to(p) for p in phones), timeout, f"replies to {len(phones)} phones")
    time.sleep(SETTLE_SECONDS)
    return {phone: len(fake_providers.sends_to(phone)) for phone in phones}


def readiness(node) -> dict[str, object]:
    """/readyz of the node's web: {"status": HTTP status, component: "ok" | "fail"}."""
    response = httpx.get(f"{node.url}/readyz", headers={"Host": "localhost"}, timeout=10)
    components = response.json()["components"]
    return {"status": response.status_code} | {name: check["status"] for name, check in components.items()}


def test_both_webs_are_ready_with_the_one_beat_on_node_a(db, nodes):
    """/readyz asks the fleet (any worker answers, the beat heartbeat in Redis), not its own node."""
    a, _ = nodes
    ready = {"status": 200, "database": "ok", "redis": "ok", "celery": "ok", "beat": "ok"}
    beat_start(a)
    try:
        for node in nodes:
            wait_until(lambda node=node: ready.items() <= readiness(node).items(), 30, f"node {node.name} ready")
    finally:
        beat_stop(a)


def test_webhooks_to_both_webs_are_answered_once_by_the_two_nodes(db, nodes, fake_providers):
    a, b = nodes
    phones = {slug: [new_phone() for _ in range(6)] for slug in ("norte", "sul")}
    before = {node.name: node.runs("conversations.reply") for node in nodes}
    # Each notification reaches both webs at once, as a provider's retry may land on the other host.
    bodies = [meta_text(slug, phone, QUESTION) for slug, numbers in phones.items() for phone in numbers]
    deliveries = [(node.url, body) for body in bodies for node in (a, b)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda delivery: post_meta(*delivery), deliveries))

    assert statuses == [200] * len(deliveries)
    every_phone = phones["norte"] + phones["sul"]
    assert settled(fake_providers, every_phone) == dict.fromkeys(every_phone, 1)
    for slug, numbers in phones.items():
        with schema_context(slug):
            inbound = Message.objects.filter(contact__phone__in=numbers, direction=Message.Direction.IN)
            assert sorted(inbound.values_list("state", flat=True)) == ["answered"] * len(numbers)
    # Both dispatchers popped from the one wake-up set (a node answering nothing would pass the above alone).
    # Counted in runs of the reply, which a contact still typing or locked by the other node adds to.
    answered = {node.name: node.runs("conversations.reply") - before[node.name] for node in nodes}
    assert answered["a"] > 0 and answered["b"] > 0, answered


def test_two_sweepers_at_once_resend_nothing_twice(db, nodes, fake_providers):
    """What the sweeper exists for, stranded rows that no wake-up or task will pick up, swept by both
    nodes at the same moment: each reply leaves once, the one tolerated resend is counted once."""
    stranded = committed(_stranded_rows, "sul")
    before = {node.name: node.runs("conversations.sweep") for node in nodes}
    resent_before = sum(node.sample("secretaria_outbox_resent_total") for node in nodes)

    with schema_context("sul"):
        for _ in range(3):
            for node in nodes:
                app.send_task("conversations.sweep", queue=node.queue)

    phones = [stranded["unanswered"], stranded["never_sent"], stranded["died_sending"]]
    assert settled(fake_providers, phones) == dict.fromkeys(phones, 1)
    for node in nodes:
        wait_until(lambda node=node: node.runs("conversations.sweep") - before[node.name] == 3,
                   30, f"three sweeps on node {node.name}")
    assert sum(node.sample("secretaria_outbox_resent_total") for node in nodes) - resent_before == 1
    with schema_context("sul"):
        assert Message.objects.get(contact__phone=stranded["unanswered"], direction="in").state == "answered"
        assert set(Outbox.objects.filter(message__contact__phone__in=phones).values_list("state", flat=True)) == {
            "sent"}


def _stranded_rows(slug: str) -> dict[str, str]:
    """Committed rows as a crash leaves them: an inbound message whose wake-up was lost, a reply
    whose send was never published, a reply whose sender died mid-send. {what: the contact's phone}."""
    phones = {what: new_phone() for what in ("unanswered", "never_sent", "died_sending")}
    now = timezone.now()
    with schema_context(slug):
        # Under --reuse-db, replies an earlier run's stopped processes left mid-send would be resent (and
        # counted) by these sweeps too: they are not this test's.
        Outbox.objects.filter(state=Outbox.State.SENDING).update(state=Outbox.State.FAILED,
                                                                 last_error="left by an earlier test run")
        channel = channel_default()
        contacts = {what: Contact.objects.create(phone=phone, last_message_at=now) for what, phone in phones.items()}
        inbound = Message.objects.create(
            contact=contacts["unanswered"], direction=Message.Direction.IN, channel=channel, provider="meta",
            provider_message_id=f"wamid.{uuid.uuid4().hex}", text=QUESTION)
        Message.objects.filter(pk=inbound.pk).update(created_at=now - timedelta(minutes=1))
        for what, attempted in (("never_sent", None), ("died_sending", now - timedelta(minutes=6))):
            message = Message.objects.create(
                contact=contacts[what], direction=Message.Direction.OUT, channel=channel, provider="meta",
                text="Seu horário está confirmado.", state=Message.State.OUTBOUND)
            outbox = Outbox.objects.create(message=message, idempotency_key=f"fleet:{uuid.uuid4().hex}")
            Outbox.objects.filter(pk=outbox.pk).update(
                created_at=now - timedelta(minutes=7), attempted_at=attempted, attempts=1 if attempted else 0,
                state=Outbox.State.SENDING if attempted else Outbox.State.PENDING)
    return phones


def test_a_breaker_opened_by_one_node_is_open_for_the_other(db, nodes, fake_providers, failing_llm):
    """Node a's worker answers until the model's failures open leste's breaker; node b's worker then
    answers without calling the model at all (the offline engine's words), from the same Redis."""
    a, b = nodes
    calls_before = failing_llm.calls
    with schema_context("leste"):
        llm_breaker().reset()
        opening = committed(_unanswered, "leste", BREAKER_FAILURES)
        for contact_id in opening.values():
            app.send_task("conversations.reply", args=[contact_id], queue=a.queue)
        settled(fake_providers, list(opening))
        assert failing_llm.calls - calls_before == BREAKER_FAILURES
        assert llm_breaker().state() == "open"

        later = committed(_unanswered, "leste", 3)
        for contact_id in later.values():
            app.send_task("conversations.reply", args=[contact_id], queue=b.queue)
        assert settled(fake_providers, list(later)) == dict.fromkeys(later, 1)
        assert failing_llm.calls - calls_before == BREAKER_FAILURES
        calls = LLMCall.objects.filter(conversation__contact__phone__in=list(later))
        assert list(calls.values_list("outcome", flat=True)) == ["breaker_open"] * len(later)
    assert b.sample("secretaria_llm_errors_total", kind="breaker_open") == len(later)
    assert a.sample("secretaria_llm_errors_total", company="leste", kind="permanent") == BREAKER_FAILURES


def _unanswered(slug: str, count: int) -> dict[str, int]:
    """`count` contacts, each with one question past its debounce and no wake-up: {phone: contact id}."""
    contacts = {}
    with schema_context(slug):
        channel = channel_default()
        for _ in range(count):
            contact = Contact.objects.create(phone=new_phone(), last_message_at=timezone.now())
            message = Message.objects.create(contact=contact, direction=Message.Direction.IN, channel=channel,
                                             provider="meta", provider_message_id=f"wamid.{uuid.uuid4().hex}",
                                             text=QUESTION)
            Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(seconds=10))
            contacts[contact.phone] = contact.pk
    return contacts


def test_a_killed_worker_leaves_its_work_to_the_other_node(db, nodes, fake_providers):
    """kill -9 of node a's worker: its web still takes webhooks, and node b's worker answers them
    (the wake-up set and the queue are shared; nothing is tied to the node that took the webhook)."""
    a, b = nodes
    a.kill_worker()
    before = b.runs("conversations.reply")
    phones = [new_phone() for _ in range(4)]

    statuses = [post_meta(a.url, meta_text("norte", phone, QUESTION)) for phone in phones]

    assert statuses == [200] * len(phones)
    assert settled(fake_providers, phones) == dict.fromkeys(phones, 1)
    assert b.runs("conversations.reply") - before >= len(phones)  # runs of the reply on b (a retried one counts twice)
    # a's web may keep its place behind the load balancer: its readiness finds a worker (b's).
    assert readiness(a)["celery"] == "ok"
    with schema_context("norte"):
        inbound = Message.objects.filter(contact__phone__in=phones, direction=Message.Direction.IN)
        assert sorted(inbound.values_list("state", flat=True)) == ["answered"] * len(phones)
