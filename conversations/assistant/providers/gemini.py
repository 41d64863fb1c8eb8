"""Google Gemini through the REST `generateContent` endpoint (docs/contracts/llm.md §4.1).

Plain httpx instead of the SDK: one endpoint, and we want full control over
timeouts, error classification and what ends up in logs (the key travels in the
`x-goog-api-key` header, never in the URL).
"""

from __future__ import annotations

import httpx

from secretaria.connection_check import ConnectionCheck

from . import _http
from .base import (
    ChatTurn,
    LLMBlockedError,
    LLMPermanentError,
    LLMRequest,
    LLMResult,
    LLMTransientError,
    check_by_completing,
)

# Output-side refusals: the candidate exists but carries no usable answer.
BLOCKED_FINISH_REASONS = frozenset(
    {"SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT"}
)
# Gemini's enum mapped onto the OpenAI vocabulary so callers test one set of values.
_FINISH_REASONS = {"STOP": "stop", "MAX_TOKENS": "length"}
_ROLES = {"user": "user", "assistant": "model"}
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


class GeminiProvider:
    name = "gemini"

    def __init__(
        self,
        *,
        api_key: str,
        model: str = "gemini-2.0-flash",
        base_url: str = "https://generativelanguage.googleapis.com",
        timeout: float = 20.0,
        http: httpx.Client | None = None,
        safety_settings: list[dict] | None = None,
    ):
        self.api_key = api_key
        self.model = model.removeprefix("models/")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.safety_settings = safety_settings
        self._http = http or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:  # never show the key
        return f"GeminiProvider(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def url(self) -> str:
        return f"{self.base_url}/v1beta/models/{self.model}:generateContent"

    def complete(self, request: LLMRequest) -> LLMResult:
        headers = {"x-goog-api-key": self.api_key, "content-type": "application/json"}
        payload = _http.call_json(self._http, self.url, headers=headers, body=self.build_body(request),
                                  timeout=self.timeout, error_for=_error_for, vendor="Gemini")
        return self.parse(payload)

    def check(self) -> ConnectionCheck:
        return check_by_completing(self.complete, where=self.base_url)

    def close(self) -> None:
        self._http.close()

    def build_body(self, request: LLMRequest) -> dict:
        """Request body: system prompt apart, turns as Content, limits in generationConfig.

        Safety settings are sent only when configured: the API defaults are sane and
        the thresholds accepted vary by model.
        """
        body: dict = {
            "contents": _contents(request.turns),
            "generationConfig": {
                "maxOutputTokens": request.max_output_tokens,
                "temperature": request.temperature,
            },
        }
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        if self.safety_settings:
            body["safetySettings"] = self.safety_settings
        return body

    def parse(self, payload: dict) -> LLMResult:
        """Text and usage from a 200 body; anything without an answer is a block."""
        block_reason = (payload.get("promptFeedback") or {}).get("blockReason")
        if block_reason:
            raise LLMBlockedError(f"Gemini blocked the prompt: {block_reason}", status=200)
        candidates = payload.get("candidates") or []
        if not candidates:
            raise LLMBlockedError("Gemini returned no candidates", status=200)
        candidate = candidates[0]
        finish = str(candidate.get("finishReason") or "")
        if finish in BLOCKED_FINISH_REASONS:
            raise LLMBlockedError(f"Gemini blocked the answer: {finish}", status=200)
        text = _candidate_text(candidate)
        if not text.strip():
            raise LLMBlockedError(f"Gemini returned an empty answer (finishReason={finish or 'none'})", status=200)
        return LLMResult(
            text=text,
            model=str(payload.get("modelVersion") or self.model),
            finish_reason=_FINISH_REASONS.get(finish, finish.lower()),
            raw=payload,
            **_usage(payload.get("usageMetadata") or {}),
        )


def _contents(turns: list[ChatTurn]) -> list[dict]:
    """Turns as Gemini Content; consecutive turns of one role share a Content.

    Customers often send several messages in a row; older models reject
    non-alternating roles, and one Content with several parts means the same.
    """
    contents: list[dict] = []
    for turn in turns:
        role = _ROLES[turn.role]
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].append({"text": turn.content})
        else:
            contents.append({"role": role, "parts": [{"text": turn.content}]})
    return contents


def _candidate_text(candidate: dict) -> str:
    """Join text parts, skipping thinking-model thoughts (`thought: true`) and non-text parts."""
    parts = (candidate.get("content") or {}).get("parts") or []
    return "".join(p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought"))


def _usage(meta: dict) -> dict:
    """Token counts; unset counts are omitted from the JSON, so missing means 0.

    Thinking tokens are billed as output but reported apart from the candidates.
    """
    prompt = int(meta.get("promptTokenCount") or 0)
    output = int(meta.get("candidatesTokenCount") or 0) + int(meta.get("thoughtsTokenCount") or 0)
    total = int(meta.get("totalTokenCount") or 0) or prompt + output
    return {"input_tokens": prompt, "output_tokens": output, "total_tokens": total}


def _error_for(response: httpx.Response, payload: dict | None) -> Exception:
    """429/5xx are worth another try (with the server's hint on when); other 4xx are not."""
    status = response.status_code
    error = (payload or {}).get("error")
    error = error if isinstance(error, dict) else {}
    message = "Gemini " + _http.error_message(response, payload)
    if error.get("status"):
        message = f"{message} [{error['status']}]"
    if _http.is_transient_status(status):
        retry_after = _http.retry_after_header(response)
        if retry_after is None:
            retry_after = _retry_delay(error)
        return LLMTransientError(message, status=status, retry_after=retry_after)
    return LLMPermanentError(message, status=status)


def _retry_delay(error: dict) -> float | None:
    """`RetryInfo.retryDelay` ("47s") from the error details, when Google sends one."""
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("@type") == _RETRY_INFO:
            return _http.parse_duration(str(detail.get("retryDelay") or ""))
    return None
