"""Retries for any LLM provider: transient errors only, jittered exponential backoff.

A wrapper rather than logic inside each provider, so every provider retries the
same way and tests can check the policy once (docs/reliability.md, "Retries, breakers and dead letters": retries only on
transient errors; jitter keeps a fleet of workers from retrying in lockstep).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from .base import LLMProvider, LLMRequest, LLMResult, LLMTransientError

log = structlog.get_logger(__name__)


class RetryingProvider:
    """An `LLMProvider` that calls `inner` up to `attempts` times on `LLMTransientError`.

    Permanent and blocked errors pass straight through; after the last attempt the
    last transient error is re-raised unchanged (its `status`/`retry_after` intact),
    so the caller's circuit breaker and dead-letter logic see the real cause.
    """

    def __init__(
        self,
        inner: LLMProvider,
        *,
        attempts: int = 3,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"RetryingProvider({self.inner!r}, attempts={self.attempts})"

    def complete(self, request: LLMRequest) -> LLMResult:
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            retry=retry_if_exception_type(LLMTransientError),
            wait=self.delay_for,
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        return retrying(self.inner.complete, request)

    def check(self):
        """Once, without retries: staff are waiting for the answer, and may press again."""
        return self.inner.check()

    def delay_for(self, state: RetryCallState) -> float:
        """The server's `retry_after` when given, else equal-jitter exponential backoff.

        Both are capped at `max_delay`: a worker holding a conversation must not
        sleep for a minute; longer waits belong to the task queue, which can read
        `retry_after` from the error it finally gets.
        """
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(max(float(retry_after), 0.0), self.max_delay)
        return backoff(state.attempt_number, self.base_delay, self.max_delay)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "llm_retry",
            provider=self.name,
            attempt=state.attempt_number,
            status=getattr(error, "status", None),
            delay=round(state.upcoming_sleep, 3),
            error=type(error).__name__,
        )


def backoff(attempt: int, base_delay: float, max_delay: float) -> float:
    """Equal jitter: a random delay in [cap/2, cap], cap = min(max_delay, base·2^(attempt−1)).

    Half fixed so a retry never comes back instantly, half random to spread retries.
    """
    cap = min(max_delay, base_delay * 2 ** min(attempt - 1, 32))
    return random.uniform(cap / 2, cap)


def with_retries(
    provider: LLMProvider,
    *,
    attempts: int = 3,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
    sleep: Callable[[float], None] = time.sleep,
) -> LLMProvider:
    """Wrap `provider` so transient failures are retried (see `RetryingProvider`)."""
    return RetryingProvider(provider, attempts=attempts, base_delay=base_delay, max_delay=max_delay, sleep=sleep)
