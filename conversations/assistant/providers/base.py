"""The LLM interface: one request shape in, one result shape out, two error kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from secretaria.connection_check import ConnectionCheck, Outcome


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

    def check(self) -> ConnectionCheck:
        """The panel's "Testar conexão": a tiny request, once (see `check_by_completing`)."""
        ...


# A few tokens each way: enough to prove the key, the model and the URL, cheap enough to press often.
CHECK_REQUEST = LLMRequest(system="", turns=[ChatTurn("user", "Responda apenas: ok")], max_output_tokens=16,
                           temperature=0.0)


def check_by_completing(complete, *, where: str) -> ConnectionCheck:
    """One request through `complete` (a provider's, without retries), classified for the panel.

    An answer without text (a block, a thinking model out of tokens) still proves the connection.
    """
    try:
        result = complete(CHECK_REQUEST)
    except LLMBlockedError:
        return ConnectionCheck(Outcome.OK, "o modelo respondeu (sem texto, o que basta para o teste).")
    except LLMError as exc:
        if exc.status is None:
            return ConnectionCheck.no_answer(where=where, error=exc)
        if exc.status == 429 and not isinstance(exc, LLMTransientError):  # credit used up: no wait fixes it
            return ConnectionCheck(Outcome.REFUSED, str(exc))
        return ConnectionCheck.failed(status=exc.status, detail=str(exc))
    return ConnectionCheck(Outcome.OK, f"o modelo {result.model} respondeu.")
