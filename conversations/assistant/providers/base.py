"""The LLM interface: one request shape in, one result shape out, two error kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True)
class ChatTurn:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class LLMRequest:
    system: str  # instructions: company facts, tone, rules
    turns: list[ChatTurn]  # oldest first; the last one is the customer's
    max_output_tokens: int = 400
    temperature: float = 0.4


@dataclass(frozen=True)
class LLMResult:
    text: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    finish_reason: str = ""
    raw: dict = field(default_factory=dict)


class LLMError(Exception):
    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class LLMTransientError(LLMError):
    """Timeouts, connection errors, 429, 5xx: retry with jittered backoff."""


class LLMPermanentError(LLMError):
    """Bad key, bad model, bad request: do not retry."""


class LLMBlockedError(LLMPermanentError):
    """The provider refused or returned nothing usable (safety block, empty answer):
    the caller answers with a fallback template."""


class LLMProvider(Protocol):
    name: str

    def complete(self, request: LLMRequest) -> LLMResult: ...
