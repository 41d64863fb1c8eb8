"""The company's language model: its configuration and the one safe way to call it.

`llm_complete` is the only entry point the conversation pipeline uses. It never
raises for a provider problem: it answers with an `LLMOutcome` whose `text` is
None whenever the caller must fall back (offline engine or a template), so a
dead provider degrades answers instead of losing messages (docs/reliability.md).

Around each call: the company's circuit breaker (a failing provider is left
alone for a while instead of holding every worker for a minute of retries),
retries of transient errors (`with_retries`), one `LLMCall` row for token
accounting and quotas, Prometheus metrics, and a log line that names the
provider, outcome, latency and token counts but never the key or the prompt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import httpx
import redis
import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from billing.metering.quotas import ai_allowed
from conversations.assistant.breaker import CircuitBreaker
from conversations.assistant.models import LLMCall, LLMConfig
from conversations.assistant.providers.base import (
    LLMBlockedError,
    LLMError,
    LLMProvider,
    LLMRequest,
    LLMResult,
    LLMTransientError,
)
from conversations.assistant.providers.gemini import GeminiProvider
from conversations.assistant.providers.openai import OpenAICompatibleProvider
from conversations.assistant.providers.retrying import with_retries
from secretaria.events import LLMCallMade, publish
from secretaria.http import shared_client
from secretaria.observability.metrics import LLM_BREAKER_OPEN, LLM_LATENCY, LLM_TOKENS, llm_error_count
from secretaria.settings_cache import cached, settings_changed
from secretaria.url_check import base_url_problem

log = structlog.get_logger(__name__)

Outcome = Literal["ok", "blocked", "error", "breaker_open", "local", "quota"]
Provider = LLMConfig.Provider
BREAKER_NAME = "llm"
RETRY_ATTEMPTS = 3
_MODEL_MAX = 100


@dataclass(frozen=True)
class LLMOutcome:
    text: str | None  # None: the caller answers with its offline engine or a template
    outcome: Outcome
    provider: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0


# --- Configuration ---------------------------------------------------------------

def llm_config_get() -> LLMConfig:
    """The company's single configuration row, created as `local` on first use."""
    config = LLMConfig.objects.filter(singleton=1).first()
    if config is None:
        config, _ = LLMConfig.objects.get_or_create(singleton=1)
    return config


@transaction.atomic
def llm_config_set(*, provider: str, model: str = "", api_key: str = "", base_url: str = "") -> LLMConfig:
    """Switch the company's model; the key is stored encrypted (by the model field).

    A blank `api_key` keeps the stored one only when neither the provider nor the
    base URL changes: a key must never follow the company to another endpoint.
    """
    llm_config_get()
    config = LLMConfig.objects.select_for_update().get(singleton=1)
    values = {"provider": provider.strip(), "model": model.strip(), "api_key": api_key.strip(),
              "base_url": base_url.strip().rstrip("/")}
    if values["provider"] == Provider.LOCAL:
        values.update(model="", api_key="", base_url="")  # the offline engine needs no account
    elif not values["api_key"] and (config.provider, config.base_url) == (values["provider"], values["base_url"]):
        values["api_key"] = config.api_key
    errors = _config_errors(values)
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(config, field, value)
    config.save()
    settings_changed()
    # A new configuration deserves a fresh start, not the old endpoint's open breaker.
    breaker = llm_breaker()
    transaction.on_commit(lambda: _quietly(breaker.reset))
    return config


def _config_errors(values: dict[str, str]) -> dict[str, list[str]]:
    provider, api_key, base_url = values["provider"], values["api_key"], values["base_url"]
    if provider not in Provider.values:
        return {"provider": ["Escolha local, gemini ou openai."]}
    errors: dict[str, list[str]] = {}
    if len(values["model"]) > _MODEL_MAX:
        errors["model"] = [f"Use no máximo {_MODEL_MAX} caracteres."]
    if base_url:
        problem = base_url_problem(base_url)
        if problem:
            errors["base_url"] = [problem]
    if provider == Provider.GEMINI and not api_key:
        errors["api_key"] = ["Informe a chave de API do Google Gemini."]
    if provider == Provider.OPENAI and not api_key and not base_url:
        errors["api_key"] = ["Informe a chave de API da OpenAI (dispensada só com uma URL base própria, "
                             "como Ollama ou vLLM)."]
    if provider == Provider.OPENAI and base_url and not values["model"]:
        # OpenAI's default model name means nothing to an Ollama or vLLM server.
        errors["model"] = ["Informe o modelo servido nesse endereço (ex.: llama3.1)."]
    return errors


# --- Providers -------------------------------------------------------------------

def provider_for(config: LLMConfig) -> LLMProvider | None:
    """The configured provider with retries, or None for the offline engine."""
    options = {"http": _http_client()}
    if config.model:
        options["model"] = config.model
    if config.base_url:
        options["base_url"] = config.base_url
    if config.provider == Provider.GEMINI:
        inner = GeminiProvider(api_key=config.api_key, **options)
    elif config.provider == Provider.OPENAI:
        inner = OpenAICompatibleProvider(api_key=config.api_key, **options)
    else:
        return None
    return with_retries(inner, attempts=RETRY_ATTEMPTS, sleep=_sleep)


def _sleep(seconds: float) -> None:
    """The retry wait; a module function so tests can replace it and never really wait."""
    time.sleep(seconds)


def _http_client() -> httpx.Client:
    return shared_client()


def llm_breaker() -> CircuitBreaker:
    """The current company's LLM breaker (thresholds from settings, with sane defaults)."""
    return CircuitBreaker(
        BREAKER_NAME,
        failure_threshold=settings.LLM_BREAKER_FAILURES,
        window_seconds=settings.LLM_BREAKER_WINDOW_SECONDS,
        open_seconds=settings.LLM_BREAKER_OPEN_SECONDS,
    )


# --- The call --------------------------------------------------------------------

def llm_complete(*, request: LLMRequest, conversation_id: int | None) -> LLMOutcome:
    """Ask the company's model; `text` is None whenever the caller must fall back.

    Call it outside any database transaction: it may take a minute with retries.
    """
    config = cached("llm_config", llm_config_get)
    provider = provider_for(config)
    if provider is None:
        return LLMOutcome(text=None, outcome="local", provider=Provider.LOCAL.value, model="")
    model = provider.inner.model
    if not ai_allowed():  # the plan's AI tokens are used up (block_ai): the offline engine answers
        return LLMOutcome(text=None, outcome="quota", provider=provider.name, model=model)
    breaker = llm_breaker()
    if not _quietly(breaker.allow, default=True):
        outcome = LLMOutcome(text=None, outcome="breaker_open", provider=provider.name, model=model)
        return _account(outcome, conversation_id=conversation_id, kind="breaker_open")
    started = time.monotonic()
    result, kind, error = _call(provider, request)
    elapsed = time.monotonic() - started
    _report_to_breaker(breaker, provider.name, failed=kind in ("transient", "permanent", "unexpected"))
    LLM_LATENCY.labels(provider.name).observe(elapsed)
    outcome = _outcome_of(result, kind, provider=provider.name, model=model, elapsed=elapsed)
    return _account(outcome, conversation_id=conversation_id, kind=kind, error=error)


def _outcome_of(result: LLMResult | None, kind: str | None, *, provider: str, model: str,
                elapsed: float) -> LLMOutcome:
    if result is None:
        return LLMOutcome(text=None, outcome="blocked" if kind == "blocked" else "error", provider=provider,
                          model=model, latency_ms=round(elapsed * 1000))
    return LLMOutcome(text=result.text, outcome="ok", provider=provider, model=result.model or model,
                      input_tokens=result.input_tokens, output_tokens=result.output_tokens,
                      latency_ms=round(elapsed * 1000))


def _call(provider: LLMProvider, request: LLMRequest) -> tuple[LLMResult | None, str | None, Exception | None]:
    """(result, error kind, error). A block is the provider working as designed, so it is
    reported apart from failures; anything unforeseen is an error, never a crash."""
    try:
        return provider.complete(request), None, None
    except LLMBlockedError as exc:
        return None, "blocked", exc
    except LLMError as exc:
        return None, "transient" if isinstance(exc, LLMTransientError) else "permanent", exc
    except Exception as exc:  # noqa: BLE001 - the customer still gets the fallback answer
        log.exception("llm_unexpected_error", provider=provider.name)
        return None, "unexpected", exc


def _report_to_breaker(breaker: CircuitBreaker, provider: str, *, failed: bool) -> None:
    """Failures (a bad key too: retrying it every message is pointless) count towards
    opening; any answer, blocked ones included, closes a half-open breaker."""
    if failed:
        if _quietly(breaker.record_failure, default=False):
            log.warning("llm_breaker_opened", provider=provider, open_seconds=breaker.open_seconds)
            LLM_BREAKER_OPEN.labels(connection.schema_name, provider).set(1)
    elif _quietly(breaker.record_success, default=False):
        log.info("llm_breaker_closed", provider=provider)
        LLM_BREAKER_OPEN.labels(connection.schema_name, provider).set(0)


def _account(outcome: LLMOutcome, *, conversation_id: int | None, kind: str | None,
             error: Exception | None = None) -> LLMOutcome:
    """One LLMCall row, the metrics and one log line for every call that was not local."""
    call = LLMCall.objects.create(
        provider=outcome.provider, model=outcome.model[:_MODEL_MAX], conversation_id=conversation_id,
        input_tokens=outcome.input_tokens, output_tokens=outcome.output_tokens,
        latency_ms=outcome.latency_ms, outcome=outcome.outcome,
    )
    publish(LLMCallMade(call_id=call.pk, provider=call.provider, model=call.model, input_tokens=call.input_tokens,
                        output_tokens=call.output_tokens, outcome=call.outcome, latency_ms=call.latency_ms,
                        conversation_id=conversation_id))
    company = connection.schema_name
    if kind:
        llm_error_count(company=company, provider=outcome.provider, kind=kind)
    for direction, tokens in (("input", outcome.input_tokens), ("output", outcome.output_tokens)):
        if tokens:
            LLM_TOKENS.labels(outcome.provider, direction).inc(tokens)
    # Only the error's type and HTTP status: vendor messages may quote the request.
    # Token counts go under `usage`: the PII masker drops any key that mentions "token".
    (log.info if outcome.outcome == "ok" else log.warning)(
        "llm_call", provider=outcome.provider, model=outcome.model, outcome=outcome.outcome,
        latency_ms=outcome.latency_ms, usage={"input": outcome.input_tokens, "output": outcome.output_tokens},
        conversation_id=conversation_id, error=type(error).__name__ if error else None,
        status=getattr(error, "status", None),
    )
    return outcome


def _quietly(action, *, default=None):
    """Run a breaker operation; with Redis down, fail open (calls go ahead) instead of
    refusing every answer: the retries still bound the damage of a failing provider."""
    try:
        return action()
    except redis.RedisError as exc:
        log.warning("llm_breaker_unavailable", error=type(exc).__name__)
        return default
