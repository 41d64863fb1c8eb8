"""The retry wrapper: transient errors retried with jittered backoff, everything else not.

Real providers behind respx fakes, so the error classification and the retry policy
are tested together; `sleep` is injected and recorded, so nothing actually waits.
"""

import httpx
import pytest

from conversations.assistant.providers import retrying
from conversations.assistant.providers.base import ChatTurn, LLMPermanentError, LLMRequest, LLMTransientError
from conversations.assistant.providers.gemini import GeminiProvider
from conversations.assistant.providers.openai import OpenAICompatibleProvider
from conversations.assistant.providers.retrying import backoff, with_retries

from . import llm_payloads as P

GEMINI_URL = "http://gemini.test/v1beta/models/gemini-2.0-flash:generateContent"
OPENAI_URL = "http://openai.test/v1/chat/completions"
REQUEST = LLMRequest(system="Seja breve.", turns=[ChatTurn("user", "Oi")])


def gemini() -> GeminiProvider:
    return GeminiProvider(api_key="k", base_url="http://gemini.test")


def openai() -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(api_key="k", base_url="http://openai.test/v1")


class Recorder:
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


@pytest.fixture
def sleep():
    return Recorder()


def test_retries_transient_429_and_503_then_succeeds(respx_mock, sleep):
    route = respx_mock.post(GEMINI_URL).mock(
        side_effect=[
            httpx.Response(429, json=P.GEMINI_429_RETRY_INFO),
            httpx.Response(503, json=P.gemini_error(503, "UNAVAILABLE", "overloaded")),
            httpx.Response(200, json=P.GEMINI_TEXT_RESPONSE),
        ]
    )
    provider = with_retries(gemini(), attempts=3, max_delay=8.0, sleep=sleep)
    assert provider.name == "gemini"
    assert provider.complete(REQUEST).text.startswith("Olá!")
    assert route.call_count == 3
    assert sleep.delays[0] == 8.0  # retryDelay 47s, capped at max_delay
    assert 0.5 <= sleep.delays[1] <= 1.0  # 2nd backoff: cap 1.0, equal jitter


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(401, json=P.OPENAI_429_QUOTA),
        httpx.Response(429, json=P.OPENAI_429_QUOTA),
        httpx.Response(200, json=P.OPENAI_TOOL_CALL_RESPONSE),
    ],
)
def test_does_not_retry_permanent_or_blocked(respx_mock, sleep, response):
    route = respx_mock.post(OPENAI_URL).mock(return_value=response)
    with pytest.raises(LLMPermanentError):
        with_retries(openai(), attempts=5, sleep=sleep).complete(REQUEST)
    assert route.call_count == 1 and sleep.delays == []


def test_gives_up_after_n_attempts_with_the_last_error(respx_mock, sleep):
    route = respx_mock.post(OPENAI_URL).mock(
        side_effect=[httpx.Response(429, json=P.OPENAI_429_RATE_LIMIT)] * 3 + [httpx.Response(503, json=P.OPENAI_500)]
    )
    with pytest.raises(LLMTransientError) as info:
        with_retries(openai(), attempts=4, sleep=sleep).complete(REQUEST)
    assert info.value.status == 503
    assert route.call_count == 4 and len(sleep.delays) == 3


def test_honours_retry_after(respx_mock, sleep):
    respx_mock.post(OPENAI_URL).mock(
        side_effect=[
            httpx.Response(429, json=P.OPENAI_429_RATE_LIMIT, headers={"Retry-After": "3"}),
            httpx.Response(429, json=P.OPENAI_429_RATE_LIMIT, headers={"Retry-After": "0"}),
            httpx.Response(200, json=P.OPENAI_TEXT_RESPONSE),
        ]
    )
    with_retries(openai(), attempts=3, sleep=sleep).complete(REQUEST)
    assert sleep.delays == [3.0, 0.0]


class AlwaysTransient:
    name = "fake"

    def __init__(self):
        self.calls = 0

    def complete(self, request):
        self.calls += 1
        raise LLMTransientError("boom", status=500)


def test_jitter_keeps_delays_within_bounds(sleep):
    for _ in range(50):
        with pytest.raises(LLMTransientError):
            with_retries(AlwaysTransient(), attempts=6, base_delay=0.5, max_delay=4.0, sleep=sleep).complete(REQUEST)
    caps = [0.5, 1.0, 2.0, 4.0, 4.0]
    for run in range(50):
        for delay, cap in zip(sleep.delays[run * 5 : run * 5 + 5], caps, strict=True):
            assert cap / 2 <= delay <= cap
    assert len(set(sleep.delays)) > 200  # actually random, not lockstep


def test_backoff_extremes(monkeypatch):
    monkeypatch.setattr(retrying.random, "uniform", lambda low, high: low)
    assert [backoff(n, 0.5, 8.0) for n in (1, 2, 3, 4, 5, 6, 100)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    monkeypatch.setattr(retrying.random, "uniform", lambda low, high: high)
    assert [backoff(n, 0.5, 8.0) for n in (1, 2, 5, 6)] == [0.5, 1.0, 8.0, 8.0]


def test_single_attempt_and_validation(sleep):
    fake = AlwaysTransient()
    with pytest.raises(LLMTransientError):
        with_retries(fake, attempts=1, sleep=sleep).complete(REQUEST)
    assert fake.calls == 1 and sleep.delays == []
    with pytest.raises(ValueError):
        with_retries(fake, attempts=0)
