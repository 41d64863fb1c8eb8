"""llm_complete with the real Gemini and OpenAI-compatible clients behind respx fakes.

Each test gets a breaker name of its own (and its keys removed after), a fake
clock for the breaker and a sleep that never waits, so retries cost no time.
"""

import io
import json
import logging
import uuid
from datetime import timedelta

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from structlog.stdlib import ProcessorFormatter

from conversations.assistant import llm as service
from conversations.assistant.breaker import CircuitBreaker
from conversations.assistant.llm import llm_complete, llm_config_get, llm_config_set, provider_for
from conversations.assistant.providers.base import ChatTurn, LLMRequest
from conversations.assistant.selectors import llm_usage
from conversations.models import LLMCall
from secretaria.observability.metrics import LLM_BREAKER_OPEN, LLM_ERRORS, LLM_LATENCY, LLM_TOKENS
from tests.conversations.factories import ConversationFactory

from . import llm_payloads as P

GEMINI_URL = "http://gemini.test/v1beta/models/gemini-2.0-flash:generateContent"
OPENAI_URL = "http://llm.test/v1/chat/completions"
KEY = "sk-chave-secreta-123"
PROMPT = "Meu CPF é 123.456.789-00, quero marcar amanhã"
REQUEST = LLMRequest(system="Você é a secretária da Clínica Sorriso.", turns=[ChatTurn("user", PROMPT)])
THRESHOLD = 3


class FakeClock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """A breaker of this test's own (threshold 3, open 30 s) on a fake clock; no retry ever waits."""
    clock = FakeClock()
    name = f"llm-test-{uuid.uuid4().hex[:10]}"

    def breaker() -> CircuitBreaker:
        return CircuitBreaker(name, failure_threshold=THRESHOLD, window_seconds=60, open_seconds=30, clock=clock)

    monkeypatch.setattr(service, "llm_breaker", breaker)
    monkeypatch.setattr(service, "_sleep", lambda seconds: None)
    yield clock
    for schema in ("acme", "globex"):
        with schema_context(schema):
            CircuitBreaker(name).reset()


@pytest.fixture
def log_lines():
    """Log lines as rendered by the root handler's structlog formatter, parsed as JSON."""
    root = logging.getLogger()
    formatter = next(h.formatter for h in root.handlers if isinstance(h.formatter, ProcessorFormatter))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    root.removeHandler(handler)


@pytest.fixture
def in_acme(db, clock):
    with schema_context("acme"):
        yield clock


@pytest.fixture
def on_openai(in_acme):
    llm_config_set(provider="openai", model="gpt-4o-mini", api_key=KEY, base_url="http://llm.test/v1")
    return in_acme


@pytest.fixture
def on_gemini(in_acme):
    llm_config_set(provider="gemini", api_key=KEY, base_url="http://gemini.test")
    return in_acme


def complete(conversation_id=None):
    return llm_complete(request=REQUEST, conversation_id=conversation_id)


def calls() -> list[tuple]:
    return list(LLMCall.objects.order_by("id").values_list("provider", "outcome", "input_tokens", "output_tokens"))


def sample(metric, *labels) -> float:
    """The metric's value in this process for `labels` (0 when never touched)."""
    name = metric._name
    wanted = dict(zip(metric._labelnames, labels, strict=True))
    for family in metric.collect():
        for s in family.samples:
            if s.name in (name, name + "_total", name + "_count") and s.labels == wanted:
                return s.value
    return 0.0


# --- Configuration ------------------------------------------------------------------

def test_a_company_starts_on_the_local_engine(in_acme):
    config = llm_config_get()
    assert config.provider == "local" and provider_for(config) is None


def test_the_local_engine_answers_offline_without_any_http(in_acme, respx_mock):
    outcome = complete()
    assert (outcome.outcome, outcome.text) == ("local", None)
    assert len(respx_mock.calls) == 0
    assert calls() == []  # nothing was billed


@pytest.mark.parametrize(
    "values, field",
    [
        ({"provider": "gemini"}, "api_key"),
        ({"provider": "openai"}, "api_key"),
        ({"provider": "openai", "base_url": "ftp://llm.test/v1"}, "base_url"),
        ({"provider": "openai", "base_url": "llm.test/v1"}, "base_url"),
        ({"provider": "openai", "base_url": "http://user:senha@llm.test/v1"}, "base_url"),
        ({"provider": "openai", "api_key": "k", "model": "m" * 101}, "model"),
        ({"provider": "claude", "api_key": "k"}, "provider"),
        ({"provider": "openai", "base_url": "http://ollama:11434/v1"}, "model"),
    ],
)
def test_bad_configurations_are_refused_by_field(in_acme, values, field):
    with pytest.raises(ValidationError) as info:
        llm_config_set(**values)
    assert field in info.value.message_dict


def test_an_openai_compatible_server_needs_no_key(in_acme):
    config = llm_config_set(provider="openai", model="llama3.1", base_url="http://ollama:11434/v1/")
    assert (config.base_url, config.api_key) == ("http://ollama:11434/v1", "")


def test_a_blank_key_keeps_the_stored_one_only_for_the_same_endpoint(on_openai):
    assert llm_config_set(provider="openai", model="gpt-4.1", base_url="http://llm.test/v1").api_key == KEY
    assert llm_config_set(provider="openai", model="m", base_url="http://other.test/v1").api_key == ""
    with pytest.raises(ValidationError):
        llm_config_set(provider="gemini")  # the OpenAI key never follows to Gemini


def test_switching_to_local_forgets_the_account(on_openai):
    config = llm_config_set(provider="local", api_key="x", base_url="http://llm.test/v1")
    assert (config.provider, config.api_key, config.base_url) == ("local", "", "")


def test_a_new_configuration_closes_an_open_breaker(on_openai, django_capture_on_commit_callbacks):
    breaker = service.llm_breaker()
    for _ in range(THRESHOLD):
        breaker.record_failure()
    assert breaker.state() == "open"
    with django_capture_on_commit_callbacks(execute=True):
        llm_config_set(provider="openai", model="gpt-4.1", base_url="http://llm.test/v1")
    assert breaker.state() == "closed"


# --- Calls ----------------------------------------------------------------------------

def test_an_answer_is_returned_and_its_usage_recorded(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE))
    outcome = complete()
    assert outcome.outcome == "ok" and outcome.text == "Hello! How can I assist you today?"
    assert (outcome.provider, outcome.model) == ("openai", "gpt-5.4")
    assert (outcome.input_tokens, outcome.output_tokens) == (19, 10)
    assert calls() == [("openai", "ok", 19, 10)]
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"


def test_gemini_answers_through_the_same_path(on_gemini, respx_mock):
    respx_mock.post(GEMINI_URL).mock(return_value=httpx.Response(200, json=P.GEMINI_TEXT_RESPONSE))
    outcome = complete()
    assert outcome.text.startswith("Olá!") and outcome.outcome == "ok"
    assert calls() == [("gemini", "ok", 42, 12)]


def test_the_call_is_linked_to_its_conversation(on_openai, respx_mock):
    conversation = ConversationFactory()
    respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE))
    complete(conversation.pk)
    assert LLMCall.objects.get().conversation_id == conversation.pk


def test_the_shared_http_client_carries_no_cookie_from_one_call_to_the_next(on_openai, respx_mock):
    """One pooled client serves every company: a vendor's cookie must not travel between them."""
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(
        200, json=P.OPENAI_TEXT_RESPONSE, headers={"set-cookie": "__cf_bm=abc; Path=/"}))
    complete(), complete()
    assert "cookie" not in route.calls.last.request.headers


def test_a_429_is_retried_and_counted_as_one_successful_call(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(side_effect=[
        httpx.Response(429, json=P.OPENAI_429_RATE_LIMIT), httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE)])
    assert complete().outcome == "ok"
    assert route.call_count == 2
    assert calls() == [("openai", "ok", 19, 10)]


def test_a_failing_provider_opens_the_breaker_and_is_left_alone(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(503, json=P.OPENAI_500))
    for _ in range(THRESHOLD):
        outcome = complete()
        assert (outcome.outcome, outcome.text) == ("error", None)
    assert route.call_count == THRESHOLD * service.RETRY_ATTEMPTS
    assert service.llm_breaker().state() == "open"
    for _ in range(5):
        assert complete().outcome == "breaker_open"
    assert route.call_count == THRESHOLD * service.RETRY_ATTEMPTS  # no more HTTP requests
    assert [c[1] for c in calls()] == ["error"] * THRESHOLD + ["breaker_open"] * 5


def test_after_the_pause_one_probe_recovers_the_breaker(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(500, json=P.OPENAI_500))
    for _ in range(THRESHOLD):
        complete()
    on_openai.now += 30
    assert service.llm_breaker().state() == "half_open"
    route.mock(return_value=httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE))
    assert complete().outcome == "ok"
    assert service.llm_breaker().state() == "closed"
    assert complete().outcome == "ok"


def test_a_failed_probe_opens_the_breaker_again(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(500, json=P.OPENAI_500))
    for _ in range(THRESHOLD):
        complete()
    on_openai.now += 30
    before = route.call_count
    assert complete().outcome == "error"
    assert route.call_count == before + service.RETRY_ATTEMPTS
    assert complete().outcome == "breaker_open"


def test_a_blocked_answer_is_not_a_provider_failure(on_gemini, respx_mock):
    respx_mock.post(GEMINI_URL).mock(return_value=httpx.Response(200, json=P.GEMINI_PROMPT_BLOCKED_RESPONSE))
    for _ in range(THRESHOLD + 1):
        outcome = complete()
        assert (outcome.outcome, outcome.text) == ("blocked", None)
    assert service.llm_breaker().state() == "closed"
    assert [c[1] for c in calls()] == ["blocked"] * (THRESHOLD + 1)


def test_a_bad_key_is_not_retried_but_counts_towards_the_breaker(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(
        401, json=P.openai_error("Incorrect API key provided", type="invalid_request_error", code="invalid_api_key")))
    for _ in range(THRESHOLD):
        assert complete().outcome == "error"
    assert route.call_count == THRESHOLD  # one request each: permanent errors are not retried
    assert complete().outcome == "breaker_open"


def test_an_open_breaker_in_acme_does_not_silence_globex(on_openai, respx_mock):
    respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(503, json=P.OPENAI_500))
    for _ in range(THRESHOLD):
        complete()
    assert complete().outcome == "breaker_open"
    with schema_context("globex"):
        llm_config_set(provider="openai", model="gpt-4o-mini", api_key="sk-globex", base_url="http://llm.test/v1")
        assert service.llm_breaker().state() == "closed"
        assert complete().outcome == "error"  # globex really called (and failed on its own)
        assert LLMCall.objects.filter(outcome="breaker_open").count() == 0
    assert complete().outcome == "breaker_open"


def test_with_redis_down_calls_go_ahead(on_openai, respx_mock, settings):
    from secretaria.redis_client import get_redis

    real_url = settings.REDIS_URL
    get_redis.cache_clear()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # a closed port
    try:
        respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE))
        assert complete().outcome == "ok"
    finally:
        settings.REDIS_URL = real_url
        get_redis.cache_clear()


# --- Metrics, logs, usage -------------------------------------------------------------

def test_metrics_count_latency_tokens_and_errors_for_the_fleet(on_openai, respx_mock):
    """Latency, tokens and transient errors name no company (docs/alerts.md); the open breaker does."""
    def figures():
        return (sample(LLM_LATENCY, "openai"), sample(LLM_TOKENS, "openai", "input"),
                sample(LLM_TOKENS, "openai", "output"),
                sample(LLM_ERRORS, "", "openai", "transient"), sample(LLM_ERRORS, "", "openai", "breaker_open"))

    before = figures()
    respx_mock.post(OPENAI_URL).mock(side_effect=[httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE)]
                                     + [httpx.Response(503, json=P.OPENAI_500)] * 3 * THRESHOLD)
    complete()
    for _ in range(THRESHOLD + 1):
        complete()
    assert [a - b for a, b in zip(figures(), before, strict=True)] == [1 + THRESHOLD, 19, 10, THRESHOLD, 1]
    assert sample(LLM_BREAKER_OPEN, connection.schema_name, "openai") == 1


def test_a_refused_key_is_counted_under_its_company(on_openai, respx_mock):
    company = connection.schema_name
    before = sample(LLM_ERRORS, company, "openai", "permanent")
    respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(
        401, json=P.openai_error("Incorrect API key provided", type="invalid_request_error", code="invalid_api_key")))
    complete()
    assert sample(LLM_ERRORS, company, "openai", "permanent") == before + 1


def test_the_breaker_gauge_falls_to_0_when_a_probe_closes_it(on_openai, respx_mock):
    route = respx_mock.post(OPENAI_URL).mock(return_value=httpx.Response(500, json=P.OPENAI_500))
    for _ in range(THRESHOLD):
        complete()
    assert sample(LLM_BREAKER_OPEN, "acme", "openai") == 1
    on_openai.now += 30
    route.mock(return_value=httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE))
    assert complete().outcome == "ok"
    assert sample(LLM_BREAKER_OPEN, "acme", "openai") == 0


def test_logs_name_the_outcome_but_never_the_key_or_the_prompt(on_openai, respx_mock, log_lines):
    respx_mock.post(OPENAI_URL).mock(side_effect=[
        httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE),
        httpx.Response(400, json=P.openai_error(f"bad request: {PROMPT} {KEY}", type="invalid_request_error"))])
    complete()
    complete()
    lines = log_lines()
    events = [e for e in lines if e["event"] == "llm_call"]
    assert [(e["outcome"], e["usage"], e["status"]) for e in events] == [
        ("ok", {"input": 19, "output": 10}, None), ("error", {"input": 0, "output": 0}, 400)]
    assert all(isinstance(e["latency_ms"], int) and e["provider"] == "openai" for e in events)
    assert KEY not in json.dumps(lines) and "quero marcar" not in json.dumps(lines, ensure_ascii=False)


def test_the_breaker_thresholds_come_from_settings(in_acme, settings, monkeypatch):
    monkeypatch.undo()  # the real factory
    settings.LLM_BREAKER_FAILURES, settings.LLM_BREAKER_OPEN_SECONDS = 7, 45
    breaker = service.llm_breaker()
    assert (breaker.failure_threshold, breaker.open_seconds, breaker.window_seconds) == (7, 45, 60)
    assert breaker.keys[0] == "secretaria:acme:breaker:llm:opened"


def test_usage_sums_tokens_and_counts_calls_by_outcome(on_openai, respx_mock):
    respx_mock.post(OPENAI_URL).mock(side_effect=[httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE)] * 2
                                     + [httpx.Response(200, json=P.openai_answer(""))])
    since = timezone.now() - timedelta(seconds=1)
    complete(), complete(), complete()
    assert llm_usage(since=since) == {"input_tokens": 38, "output_tokens": 20, "calls": 3,
                                      "by_outcome": {"ok": 2, "blocked": 1}}
    assert llm_usage(since=timezone.now() + timedelta(seconds=1))["calls"] == 0
