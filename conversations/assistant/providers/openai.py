"""OpenAI Chat Completions and compatible servers (Ollama, vLLM...) — docs/contracts/llm.md §4.2.

One class for all of them: only the base URL and the key differ. A local server
usually needs no key, and then no Authorization header is sent at all.
"""

from __future__ import annotations

from typing import Literal

import httpx
import structlog

from secretaria.connection_check import ConnectionCheck

from . import _http
from .base import (
    LLMBlockedError,
    LLMPermanentError,
    LLMRequest,
    LLMResult,
    LLMTransientError,
    check_by_completing,
)

log = structlog.get_logger(__name__)

# A 429 that no amount of waiting fixes: the account is out of credit.
QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})
# Reasoning models (o-series, gpt-5) answer 400 to a custom temperature and to `max_tokens`,
# naming the parameter. Rather than guess from model names, a refused parameter is left out
# (or renamed) from then on, for that server and model in this process.
ADAPTABLE_PARAMS = frozenset({"temperature", "max_tokens"})
UNSUPPORTED_CODES = frozenset({"unsupported_value", "unsupported_parameter"})
_refused: dict[tuple[str, str], frozenset[str]] = {}
_RESETS = (
    ("x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"),
    ("x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"),
)


class OpenAICompatibleProvider:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str = "",
        model: str = "gpt-4o-mini",
        base_url: str = "https://api.openai.com/v1",
        timeout: float = 20.0,
        http: httpx.Client | None = None,
        token_limit_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens",
    ):
        """`token_limit_field`: OpenAI rejects requests carrying both fields, reasoning
        models (o-series, gpt-5) accept only `max_completion_tokens`, and compatible
        servers know `max_tokens` best — so it is one field, chosen per deployment, and
        switched when a model refuses `max_tokens` (see ADAPTABLE_PARAMS)."""
        self.api_key = api_key
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token_limit_field = token_limit_field
        self._http = http or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:  # never show the key
        return f"OpenAICompatibleProvider(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def refused(self) -> frozenset[str]:
        return _refused.get((self.base_url, self.model), frozenset())

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def complete(self, request: LLMRequest) -> LLMResult:
        # One more try per parameter the model may refuse; each refusal is learnt once.
        for _attempt in range(len(ADAPTABLE_PARAMS)):
            try:
                return self.parse(self._post(request))
            except UnsupportedParameterError as exc:
                self._learn_refused(exc.param)
        return self.parse(self._post(request))

    def check(self) -> ConnectionCheck:
        return check_by_completing(self.complete, where=self.base_url)

    def _post(self, request: LLMRequest) -> dict:
        headers = {"content-type": "application/json"}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        return _http.call_json(self._http, self.url, headers=headers, body=self.build_body(request),
                               timeout=self.timeout, error_for=_error_for, vendor="OpenAI-compatible server")

    def _learn_refused(self, param: str) -> None:
        log.info("llm_parameter_refused", model=self.model, param=param)
        _refused[(self.base_url, self.model)] = self.refused | {param}

    def close(self) -> None:
        self._http.close()

    def build_body(self, request: LLMRequest) -> dict:
        """`system` rather than `developer`: compatible servers may not know the newer role."""
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": turn.role, "content": turn.content} for turn in request.turns]
        refused = self.refused
        token_field = "max_completion_tokens" if "max_tokens" in refused else self.token_limit_field
        body = {"model": self.model, "messages": messages, token_field: request.max_output_tokens}
        if "temperature" not in refused:
            body["temperature"] = request.temperature
        return body

    def parse(self, payload: dict) -> LLMResult:
        """Text and usage from a 200 body; refusals, filters and silence are blocks."""
        choices = payload.get("choices") or []
        if not choices:
            raise LLMBlockedError("OpenAI-compatible server returned no choices", status=200)
        choice = choices[0]
        message = choice.get("message") or {}
        finish = str(choice.get("finish_reason") or "")
        if message.get("refusal"):
            raise LLMBlockedError(f"model refused: {str(message['refusal'])[:200]}", status=200)
        if finish == "content_filter":
            raise LLMBlockedError("answer removed by the content filter", status=200)
        text = _content_text(message.get("content"))
        if not text.strip():
            raise LLMBlockedError(f"empty answer (finish_reason={finish or 'none'})", status=200)
        return LLMResult(
            text=text,
            model=str(payload.get("model") or self.model),
            finish_reason=finish,
            raw=payload,
            **_usage(payload.get("usage") or {}),
        )


class UnsupportedParameterError(LLMPermanentError):
    """A 400 naming a parameter this model does not take (see ADAPTABLE_PARAMS)."""

    def __init__(self, message: str, *, status: int, param: str):
        super().__init__(message, status=status)
        self.param = param


def _content_text(content) -> str:
    """`content` is a string, null (tool calls) or, on a few servers, a list of text parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _usage(usage: dict) -> dict:
    """Some compatible servers omit `usage` entirely: count zeros rather than fail."""
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    total = int(usage.get("total_tokens") or 0) or prompt + completion
    return {"input_tokens": prompt, "output_tokens": completion, "total_tokens": total}


def _error_for(response: httpx.Response, payload: dict | None) -> Exception:
    """Rate limits and server faults are transient; exhausted quota and other 4xx are not."""
    status = response.status_code
    error = (payload or {}).get("error")
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or error.get("type") or "")
    message = "OpenAI-compatible " + _http.error_message(response, payload)
    if code:
        message = f"{message} [{code}]"
    if status == 429 and (error.get("code") in QUOTA_CODES or error.get("type") in QUOTA_CODES):
        return LLMPermanentError(message, status=status)
    if status == 400 and error.get("code") in UNSUPPORTED_CODES and error.get("param") in ADAPTABLE_PARAMS:
        return UnsupportedParameterError(message, status=status, param=str(error["param"]))
    if _http.is_transient_status(status):
        return LLMTransientError(message, status=status, retry_after=_retry_after(response))
    return LLMPermanentError(message, status=status)


def _retry_after(response: httpx.Response) -> float | None:
    """`Retry-After` first; else when the exhausted rate-limit window resets.

    Only windows whose `remaining` is 0 caused the 429; when the server does not
    say which, the longest reset is the safe wait.
    """
    seconds = _http.retry_after_header(response)
    if seconds is not None:
        return seconds
    resets = {name: _http.parse_duration(response.headers.get(reset)) for name, reset in _RESETS}
    known = {name: value for name, value in resets.items() if value is not None}
    exhausted = [value for name, value in known.items() if response.headers.get(name) == "0"]
    candidates = exhausted or list(known.values())
    return max(candidates) if candidates else None
