"""The real Gemini and OpenAI-compatible providers against respx fakes of their HTTP APIs,
fed the wire examples of docs/contracts/llm.md §4 (the retry wrapper: test_llm_retrying.py)."""

import json
import socket
import time

import httpx
import pytest

from conversations.assistant.providers.base import (
    ChatTurn,
    LLMBlockedError,
    LLMPermanentError,
    LLMRequest,
    LLMResult,
    LLMTransientError,
)
from conversations.assistant.providers.gemini import GeminiProvider
from conversations.assistant.providers.openai import OpenAICompatibleProvider

from . import llm_payloads as P

GEMINI_URL = "http://gemini.test/v1beta/models/gemini-2.0-flash:generateContent"
OPENAI_URL = "http://openai.test/v1/chat/completions"
KEY = "sk-secret-key-123"
REQUEST = LLMRequest(
    system="Você é a secretária da Clínica Sorriso.",
    turns=[
        ChatTurn("user", "Oi"),
        ChatTurn("assistant", "Olá! Como posso ajudar?"),
        ChatTurn("user", "Quero marcar"),
        ChatTurn("user", "amanhã de manhã"),
    ],
    max_output_tokens=256,
    temperature=0.3,
)


def gemini(**kwargs) -> GeminiProvider:
    return GeminiProvider(api_key=KEY, base_url="http://gemini.test/", **kwargs)


def openai(**kwargs) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(**{"api_key": KEY, "base_url": "http://openai.test/v1", **kwargs})


def sent_body(route) -> dict:
    return json.loads(route.calls.last.request.content)


def raises(provider, kind, request=REQUEST) -> Exception:
    with pytest.raises(kind) as info:
        provider.complete(request)
    assert KEY not in str(info.value)  # credentials never reach messages (and logs)
    return info.value


# --- Gemini: request ---------------------------------------------------------------


def test_gemini_request_shape(respx_mock):
    route = respx_mock.post(GEMINI_URL).respond(json=P.GEMINI_TEXT_RESPONSE)
    gemini().complete(REQUEST)
    sent = route.calls.last.request
    assert sent.headers["x-goog-api-key"] == KEY
    assert KEY not in str(sent.url) and "key=" not in str(sent.url)
    assert "authorization" not in sent.headers
    assert sent_body(route) == {
        "systemInstruction": {"parts": [{"text": REQUEST.system}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Oi"}]},
            {"role": "model", "parts": [{"text": "Olá! Como posso ajudar?"}]},
            {"role": "user", "parts": [{"text": "Quero marcar"}, {"text": "amanhã de manhã"}]},
        ],
        "generationConfig": {"maxOutputTokens": 256, "temperature": 0.3},
    }


def test_gemini_optional_fields(respx_mock):
    route = respx_mock.post("http://gemini.test/v1beta/models/gemini-2.5-pro:generateContent").respond(
        json=P.GEMINI_TEXT_RESPONSE
    )
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]
    gemini(model="models/gemini-2.5-pro", safety_settings=safety).complete(LLMRequest(system="", turns=REQUEST.turns))
    body = sent_body(route)
    assert "systemInstruction" not in body
    assert body["safetySettings"] == safety


# --- Gemini: results -----------------------------------------------------------------


def test_gemini_text_and_usage(respx_mock):
    respx_mock.post(GEMINI_URL).respond(json=P.GEMINI_TEXT_RESPONSE)
    result = gemini().complete(REQUEST)
    assert result == LLMResult(
        text="Olá! Temos horários amanhã às 10h e às 15h.",
        model="gemini-2.0-flash",
        input_tokens=42,
        output_tokens=12,
        total_tokens=54,
        finish_reason="stop",
        raw=P.GEMINI_TEXT_RESPONSE,
    )


def test_gemini_thoughts_are_skipped_but_counted_as_output(respx_mock):
    respx_mock.post(GEMINI_URL).respond(json=P.GEMINI_THINKING_RESPONSE)
    result = gemini().complete(REQUEST)
    assert result.text == "Claro! Posso agendar para amanhã às 10h."
    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (15, 359 + 661, 1035)
    assert result.model == "gemini-2.5-flash"


def test_gemini_missing_usage_and_truncated_answer(respx_mock):
    respx_mock.post(GEMINI_URL).respond(json=P.gemini_finished("MAX_TOKENS", with_parts=True))
    result = gemini().complete(REQUEST)
    assert (result.text, result.finish_reason, result.model) == ("partial", "length", "gemini-2.0-flash")
    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (9, 0, 9)


@pytest.mark.parametrize(
    "payload",
    [
        P.GEMINI_PROMPT_BLOCKED_RESPONSE,
        {},
        {"candidates": []},
        P.GEMINI_FUNCTION_CALL_RESPONSE,  # no text part
        P.gemini_finished("MAX_TOKENS"),  # thinking budget ate the answer
        P.gemini_finished("STOP", with_parts=False),
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "  \n"}]}, "finishReason": "STOP"}]},
        *[P.gemini_finished(r) for r in ("SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII")],
        P.gemini_finished("SAFETY", with_parts=True),  # a blocked answer is not used even if partial
    ],
)
def test_gemini_blocked_or_empty(respx_mock, payload):
    respx_mock.post(GEMINI_URL).respond(json=payload)
    error = raises(gemini(), LLMBlockedError)
    assert error.status == 200


def test_gemini_prompt_block_names_the_reason(respx_mock):
    respx_mock.post(GEMINI_URL).respond(json=P.GEMINI_PROMPT_BLOCKED_RESPONSE)
    assert "SAFETY" in str(raises(gemini(), LLMBlockedError))


# --- Gemini: errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, payload, headers, retry_after",
    [
        (429, P.GEMINI_429_QUOTA, {}, None),
        (429, P.GEMINI_429_RETRY_INFO, {}, 47.0),
        (429, P.GEMINI_429_MINIMAL, {"Retry-After": "5"}, 5.0),
        (500, P.GEMINI_500, {}, None),
        (503, P.gemini_error(503, "UNAVAILABLE", "The model is overloaded."), {}, None),
        (504, P.gemini_error(504, "DEADLINE_EXCEEDED", "Deadline exceeded."), {}, None),
    ],
)
def test_gemini_transient_errors(respx_mock, status, payload, headers, retry_after):
    respx_mock.post(GEMINI_URL).respond(status, json=payload, headers=headers)
    error = raises(gemini(), LLMTransientError)
    assert (error.status, error.retry_after) == (status, retry_after)
    assert payload["error"]["status"] in str(error)


@pytest.mark.parametrize(
    "status, rpc",
    [
        (400, "INVALID_ARGUMENT"),
        (400, "FAILED_PRECONDITION"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
    ],
)
def test_gemini_permanent_errors(respx_mock, status, rpc):
    respx_mock.post(GEMINI_URL).respond(status, json=P.gemini_error(status, rpc, f"vendor says {rpc}"))
    error = raises(gemini(), LLMPermanentError)
    assert not isinstance(error, LLMBlockedError | LLMTransientError)
    assert error.status == status and f"vendor says {rpc}" in str(error)


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.ConnectError("refused")]
)
def test_transport_failures_are_transient(respx_mock, failure):
    respx_mock.post(GEMINI_URL).mock(side_effect=failure)
    respx_mock.post(OPENAI_URL).mock(side_effect=failure)
    for provider in (gemini(), openai()):
        assert raises(provider, LLMTransientError).status is None


def test_non_json_bodies(respx_mock):
    respx_mock.post(GEMINI_URL).mock(
        side_effect=[httpx.Response(502, text="<html>Bad Gateway</html>"), httpx.Response(200, text="oops")]
    )
    assert raises(gemini(), LLMTransientError).status == 502
    assert raises(gemini(), LLMTransientError).status == 200


def test_the_constructor_timeout_applies_to_an_injected_client():
    # A real socket that accepts connections but never answers: only our timeout ends the wait.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        host, port = server.getsockname()
        client = httpx.Client(timeout=60, trust_env=False)
        provider = GeminiProvider(api_key=KEY, base_url=f"http://{host}:{port}", timeout=0.2, http=client)
        started = time.monotonic()
        assert raises(provider, LLMTransientError).status is None
        assert time.monotonic() - started < 5


# --- OpenAI-compatible: request --------------------------------------------------------


def test_openai_request_shape(respx_mock):
    route = respx_mock.post(OPENAI_URL).respond(json=P.OPENAI_TEXT_RESPONSE)
    openai().complete(REQUEST)
    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent_body(route) == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": REQUEST.system},
            {"role": "user", "content": "Oi"},
            {"role": "assistant", "content": "Olá! Como posso ajudar?"},
            {"role": "user", "content": "Quero marcar"},
            {"role": "user", "content": "amanhã de manhã"},
        ],
        "max_tokens": 256,
        "temperature": 0.3,
    }


def test_openai_compatible_server_without_key(respx_mock):
    route = respx_mock.post("http://localhost:11434/v1/chat/completions").respond(json=P.openai_answer("Oi!"))
    provider = OpenAICompatibleProvider(base_url="http://localhost:11434/v1/", model="llama3.1:8b")
    provider.complete(LLMRequest(system="", turns=[ChatTurn("user", "Oi")]))
    assert "authorization" not in route.calls.last.request.headers
    assert sent_body(route)["messages"] == [{"role": "user", "content": "Oi"}]


def test_openai_token_limit_field_is_configurable(respx_mock):
    route = respx_mock.post(OPENAI_URL).respond(json=P.OPENAI_TEXT_RESPONSE)
    openai(token_limit_field="max_completion_tokens").complete(REQUEST)
    body = sent_body(route)
    assert body["max_completion_tokens"] == 256 and "max_tokens" not in body


TEMPERATURE_REFUSED = P.openai_error(
    "Unsupported value: 'temperature' does not support 0.3 with this model. Only the default (1) value is supported.",
    type="invalid_request_error", code="unsupported_value", param="temperature")
MAX_TOKENS_REFUSED = P.openai_error(
    "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    type="invalid_request_error", code="unsupported_parameter", param="max_tokens")


@pytest.fixture
def fresh_refusals(monkeypatch):
    monkeypatch.setattr("conversations.assistant.providers.openai._refused", {})


def test_a_reasoning_model_refusing_both_parameters_is_answered_and_remembered(respx_mock, fresh_refusals):
    route = respx_mock.post(OPENAI_URL).mock(side_effect=[
        httpx.Response(400, json=TEMPERATURE_REFUSED),
        httpx.Response(400, json=MAX_TOKENS_REFUSED),
        httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE),
        httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE),
    ])
    assert openai(model="gpt-5-mini").complete(REQUEST).text == "Hello! How can I assist you today?"
    first, second, third = (json.loads(call.request.content) for call in route.calls)
    assert first["temperature"] == 0.3 and first["max_tokens"] == 256
    assert "temperature" not in second and second["max_tokens"] == 256
    assert "temperature" not in third and third["max_completion_tokens"] == 256 and "max_tokens" not in third

    openai(model="gpt-5-mini").complete(REQUEST)  # a new provider for the next reply: no refusal again
    assert route.call_count == 4
    assert "temperature" not in sent_body(route) and "max_tokens" not in sent_body(route)


def test_a_refusal_is_remembered_for_that_model_only(respx_mock, fresh_refusals):
    route = respx_mock.post(OPENAI_URL).mock(side_effect=[
        httpx.Response(400, json=TEMPERATURE_REFUSED),
        httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE),
        httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE),
    ])
    openai(model="o4-mini").complete(REQUEST)
    openai(model="gpt-4o-mini").complete(REQUEST)
    assert route.call_count == 3 and sent_body(route)["temperature"] == 0.3


def test_a_model_refusing_a_parameter_again_fails_after_bounded_tries(respx_mock, fresh_refusals):
    route = respx_mock.post(OPENAI_URL).respond(400, json=TEMPERATURE_REFUSED)
    error = raises(openai(), LLMPermanentError)
    assert error.status == 400 and route.call_count == 3


def test_other_bad_requests_are_not_retried(respx_mock, fresh_refusals):
    invalid = P.openai_error("Invalid value for 'messages'", type="invalid_request_error",
                             code="invalid_value", param="messages")
    route = respx_mock.post(OPENAI_URL).respond(400, json=invalid)
    raises(openai(), LLMPermanentError)
    assert route.call_count == 1


# --- OpenAI-compatible: results -----------------------------------------------------


def test_openai_text_and_usage(respx_mock):
    respx_mock.post(OPENAI_URL).respond(json=P.OPENAI_TEXT_RESPONSE)
    assert openai().complete(REQUEST) == LLMResult(
        text="Hello! How can I assist you today?",
        model="gpt-5.4",
        input_tokens=19,
        output_tokens=10,
        total_tokens=29,
        finish_reason="stop",
        raw=P.OPENAI_TEXT_RESPONSE,
    )


@pytest.mark.parametrize(
    "usage, expected",
    [(None, (0, 0, 0)), ({}, (0, 0, 0)), ({"prompt_tokens": 7, "completion_tokens": 3}, (7, 3, 10))],
)
def test_openai_missing_usage(respx_mock, usage, expected):
    respx_mock.post(OPENAI_URL).respond(json=P.openai_answer("Oi!", finish_reason="length", usage=usage))
    result = openai().complete(REQUEST)
    assert (result.input_tokens, result.output_tokens, result.total_tokens) == expected
    assert (result.text, result.finish_reason, result.model) == ("Oi!", "length", "llama3.1:8b")


@pytest.mark.parametrize(
    "payload",
    [
        P.OPENAI_TOOL_CALL_RESPONSE,  # content null
        P.openai_answer(None, refusal="I'm sorry, I can't help with that."),
        P.openai_answer("", refusal="I'm sorry, I can't help with that."),
        P.openai_answer("Some text", finish_reason="content_filter"),
        P.openai_answer(""),
        P.openai_answer("   "),
        {**P.OPENAI_TEXT_RESPONSE, "choices": []},
        {"object": "chat.completion"},
    ],
)
def test_openai_blocked_or_empty(respx_mock, payload):
    respx_mock.post(OPENAI_URL).respond(json=payload)
    assert raises(openai(), LLMBlockedError).status == 200


# --- OpenAI-compatible: errors -------------------------------------------------------


@pytest.mark.parametrize(
    "status, payload, headers, retry_after",
    [
        (429, P.OPENAI_429_RATE_LIMIT, {"Retry-After": "20"}, 20.0),
        (429, P.OPENAI_429_RATE_LIMIT, {"retry-after-ms": "1500", "Retry-After": "2"}, 1.5),
        (429, P.OPENAI_429_RATE_LIMIT, {}, None),
        (
            429,
            P.OPENAI_429_RATE_LIMIT,
            {
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "12ms",
                "x-ratelimit-remaining-tokens": "3000",
                "x-ratelimit-reset-tokens": "6m0s",
            },
            0.012,
        ),
        (429, P.OPENAI_429_RATE_LIMIT, {"x-ratelimit-reset-tokens": "1m30.5s"}, 90.5),
        (500, P.OPENAI_500, {}, None),
        (502, {"error": {"message": "bad gateway", "type": "server_error"}}, {}, None),
        (503, {"error": {"message": "overloaded", "type": "server_error"}}, {"Retry-After": "3"}, 3.0),
        (504, {"detail": "timeout"}, {}, None),
    ],
)
def test_openai_transient_errors(respx_mock, status, payload, headers, retry_after):
    respx_mock.post(OPENAI_URL).respond(status, json=payload, headers=headers)
    error = raises(openai(), LLMTransientError)
    assert error.status == status
    if retry_after is None:
        assert error.retry_after is None
    else:
        assert error.retry_after == pytest.approx(retry_after)


def test_openai_insufficient_quota_is_permanent(respx_mock):
    respx_mock.post(OPENAI_URL).respond(429, json=P.OPENAI_429_QUOTA, headers={"Retry-After": "1"})
    error = raises(openai(), LLMPermanentError)
    assert not isinstance(error, LLMTransientError)
    assert error.status == 429 and "insufficient_quota" in str(error)


@pytest.mark.parametrize(
    "status, payload, text",
    [
        (400, P.openai_error("Invalid value", type="invalid_request_error", param="messages"), "Invalid value"),
        (
            401,
            P.openai_error("Incorrect API key provided", type="invalid_request_error", code="invalid_api_key"),
            "Incorrect API key",
        ),
        (
            403,
            P.openai_error(
                "Country, region, or territory not supported",
                type="request_forbidden",
                code="unsupported_country_region_territory",
            ),
            "not supported",
        ),
        (404, {"error": "model 'llama9' not found"}, "model 'llama9' not found"),  # Ollama's plain string
    ],
)
def test_openai_permanent_errors(respx_mock, status, payload, text):
    respx_mock.post(OPENAI_URL).respond(status, json=payload)
    error = raises(openai(), LLMPermanentError)
    assert not isinstance(error, LLMTransientError | LLMBlockedError)
    assert error.status == status and text in str(error)
