"""Usage metering: live counters in Redis, the daily roll-up, the rebuild after a wipe, 0 drift."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.metering import counters, quotas
from billing.metering.models import UsageDaily
from billing.metering.periods import period_bounds, period_of
from billing.metering.prices import cost_pico_brl
from billing.metering.services import MeteringScope, usage_add, usage_live, usage_rollup
from billing.metering.sources import facts_totals
from billing.models import Plan, Subscription
from conversations.assistant.llm import llm_config_set
from conversations.assistant.models import LLMCall
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.handoff import conversation_handoff
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import _release, conversation_reply
from conversations.core.sessions import conversation_current
from conversations.models import Contact, Message
from conversations.outreach.services import Outreach, outreach_send
from secretaria.redis_client import get_redis

PROMPT_TOKENS, COMPLETION_TOKENS = 40, 10


class _OpenAIHandler(BaseHTTPRequestHandler):
    """Speaks OpenAI's chat completions (POST /v1/chat/completions) with fixed usage figures."""

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.server.calls += 1
        body = json.dumps({
            "id": f"chatcmpl-{self.server.calls}", "object": "chat.completion", "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Olá! Como posso ajudar?"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS,
                      "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS},
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def llm_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenAIHandler)
    server.calls = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _clear_usage(schema: str) -> None:
    client = get_redis()
    for key in client.scan_iter(match=f"secretaria:{schema}:usage:*"):
        client.delete(key)
    quotas._verdicts.clear()


def plan_set(company, **limits) -> Plan:
    plan = Plan.objects.create(code=f"teste-{'-'.join(map(str, limits.values()))}", name="Plano de teste",
                               **limits)
    Subscription.objects.filter(company=company).update(plan=plan)
    return plan


@pytest.fixture
def metered(acme, settings, django_capture_on_commit_callbacks):
    """acme on the sandbox channel with clean counters; every commit's callbacks run (events delivered)."""
    settings.DEBOUNCE_SECONDS = 0
    settings.BILLING_METERING = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _clear_usage("acme")
    _capture.append(django_capture_on_commit_callbacks)
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        yield acme
    _capture.clear()
    _clear_usage("acme")


_capture: list = []


def delivered():
    """Run what the action left for its commit (the test's transaction never commits): the events."""
    return _capture[-1](execute=True)


def receive(text: str, id: str, phone: str = "5511912345678") -> Message:
    with delivered():
        return inbound_store(message=InboundMessage(
            provider="sandbox", provider_message_id=id, sender=phone, sender_name="Maria Souza",
            kind=MessageKind.TEXT, text=text, timestamp=timezone.now(),
        ))


def answer(text: str, id: str, phone: str = "5511912345678") -> Message:
    message = receive(text, id, phone)
    with delivered():
        conversation_reply(contact_id=message.contact_id)
    return message


def live() -> dict[str, int]:
    values = usage_live()
    return {kind: counters.used_of(values, kind) for kind in counters.COUNTED}


def rows_now() -> dict[str, int]:
    start, end = period_bounds(period_of())
    return facts_totals(start, end + timedelta(days=1))


def rolled_up(company) -> dict[str, int]:
    today = timezone.localdate()
    usage_rollup(company=company, first_day=period_of(), last_day=today)
    totals: dict[str, int] = {}
    for row in UsageDaily.objects.filter(company=company, day__gte=period_of()):
        totals[row.kind] = totals.get(row.kind, 0) + row.quantity
        if row.kind == "ai_tokens":
            totals["ai_cost_cents"] = totals.get("ai_cost_cents", 0) + row.cost_cents
    return totals


def mixed_workload(company, llm_server) -> None:
    """Replies by the engine and by a model, outreach, a handoff: every kind metered at least once."""
    answer("Oi, bom dia!", "w1")
    answer("Oi, tudo bem?", "w2", phone="5511900000002")
    llm_config_set(provider="openai", model="gpt-4o-mini", api_key="sk-teste",
                   base_url=f"http://127.0.0.1:{llm_server.server_port}/v1")
    answer("Vocês abrem no sábado?", "w3", phone="5511900000003")
    contact = Contact.objects.get(phone="5511912345678")
    with delivered():
        outreach_send(Outreach(contact=contact, text="Lembrete: sua consulta é amanhã.", kind="reminder", key="r:1"))
        outreach_send(Outreach(contact=contact, text="Como foi o atendimento?", kind="followup", key="f:1"))
        conversation_handoff(conversation=conversation_current(contact=contact), reason="pedido do cliente")


def test_a_mixed_workload_leaves_redis_the_rollup_and_the_rows_equal(metered, llm_server):
    mixed_workload(metered, llm_server)

    counted, rows, daily = live(), rows_now(), rolled_up(metered)

    assert llm_server.calls == 1
    assert counted["messages"] == rows["messages"] == daily["messages"] == 3
    assert counted["ai_tokens"] == rows["ai_tokens"] == daily["ai_tokens"] == PROMPT_TOKENS + COMPLETION_TOKENS
    assert counted["outreach"] == rows["outreach"] == daily["outreach"] == 2
    assert counted["handoffs"] == rows["handoffs"] == daily["handoffs"] == 1
    assert counted["ai_cost"] == rows["ai_cost"] == cost_pico_brl(
        model="gpt-4o-mini", input_tokens=PROMPT_TOKENS, output_tokens=COMPLETION_TOKENS)
    assert daily["inbound"] == Message.objects.filter(direction="in").count() == 3


def test_after_a_redis_wipe_the_period_is_rebuilt_from_the_rows_not_from_zero(metered):
    answer("Oi", "a1")
    answer("Olá", "a2", phone="5511900000002")
    _clear_usage("acme")  # Redis restarted empty

    answer("Bom dia", "a3", phone="5511900000003")

    assert live()["messages"] == rows_now()["messages"] == 3


def test_the_rollup_is_idempotent_and_follows_the_rows(metered):
    answer("Oi", "i1")
    first = rolled_up(metered)
    again = rolled_up(metered)
    Message.objects.filter(direction="in").delete()  # an erasure: the day must read 0, not keep 1

    assert first == again and first["messages"] == 1
    assert rolled_up(metered).get("messages", 0) == 0


def test_an_llm_call_is_priced_per_model_prompt_and_completion_apart():
    # pico-reais (1e-12 BRL): US$ 0.15 and US$ 0.60 per 1M tokens at R$ 5,50
    assert cost_pico_brl(model="gpt-4o-mini", input_tokens=1_000_000, output_tokens=0) == 825_000_000_000
    assert cost_pico_brl(model="gpt-4o-mini-2024-07-18", input_tokens=0, output_tokens=1_000_000) == 3_300_000_000_000
    assert cost_pico_brl(model="gemini-2.0-flash-lite", input_tokens=1, output_tokens=0) == 412_500  # R$ 0,41/M
    assert cost_pico_brl(model="llama3.1", input_tokens=10_000, output_tokens=10_000) == 0


def test_usage_stays_inside_its_company(metered, globex):
    answer("Oi", "t1")

    with schema_context("globex"):
        assert live()["messages"] == 0
    assert live()["messages"] == 1


def test_with_metering_off_nothing_is_counted(metered, settings):
    settings.BILLING_METERING = False
    answer("Oi", "o1")
    settings.BILLING_METERING = True

    assert get_redis().hget(counters.usage_key(), "messages") is None
    assert LLMCall.objects.count() == 0


def test_a_replys_increments_ride_in_the_redis_call_that_releases_its_lock(metered):

    answer("Oi", "s1")  # the hash exists, built from the rows
    client = get_redis()
    client.set("secretaria:acme:reply-lock:teste", "token")
    scope = MeteringScope(client.hgetall(counters.usage_key()))

    with scope:
        usage_add({"messages": 2, "ai_tokens": 30})
    waiting = live()["messages"]
    _release("secretaria:acme:reply-lock:teste", "token", scope)

    assert waiting == 1 and scope.pending == []
    assert (live()["messages"], live()["ai_tokens"]) == (3, 30)
    assert client.get("secretaria:acme:reply-lock:teste") is None
