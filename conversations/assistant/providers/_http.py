"""HTTP plumbing shared by the LLM providers: one POST, transport errors mapped, hints parsed.

Kept apart from the providers so both classify network failures the same way and
neither ever puts a credential into an exception message (those end up in logs).
"""

from __future__ import annotations

import email.utils
import re
import time

import httpx

from .base import LLMPermanentError, LLMTransientError

# Statuses worth a retry besides 429 and 5xx: the official OpenAI SDK also retries
# 408 (request timeout) and 409 (lock contention), which clear up on their own.
RETRYABLE_STATUSES = frozenset({408, 409, 429})
_MESSAGE_LIMIT = 300
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def post_json(http: httpx.Client, url: str, *, headers: dict, body: dict, timeout: float) -> httpx.Response:
    """POST and turn transport failures into our two error kinds.

    A bad URL or scheme is configuration, so retrying cannot help; every other
    transport failure (timeouts, refused or dropped connections) may.
    """
    try:
        return http.post(url, headers=headers, json=body, timeout=timeout)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise LLMPermanentError(f"invalid LLM endpoint: {exc}") from exc
    except httpx.TimeoutException as exc:
        raise LLMTransientError(f"LLM request timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise LLMTransientError(f"LLM connection failed ({type(exc).__name__})") from exc


def call_json(
    http: httpx.Client, url: str, *, headers: dict, body: dict, timeout: float, error_for, vendor: str
) -> dict:
    """POST and the checks every provider makes: non-200 -> `error_for(response, payload)`;
    a 200 that is not JSON -> transient (a proxy or a half-written answer)."""
    response = post_json(http, url, headers=headers, body=body, timeout=timeout)
    payload = json_or_none(response)
    if response.status_code != 200:
        raise error_for(response, payload)
    if payload is None:
        raise LLMTransientError(f"{vendor} returned a non-JSON 200 body", status=200)
    return payload


def is_transient_status(status: int) -> bool:
    return status >= 500 or status in RETRYABLE_STATUSES


def json_or_none(response: httpx.Response) -> dict | None:
    """The body as a dict, or None when it is not a JSON object (proxies return HTML)."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def error_message(response: httpx.Response, payload: dict | None) -> str:
    """The vendor's own words when the body is an error envelope, else a bounded body excerpt."""
    error = (payload or {}).get("error")
    if isinstance(error, dict) and error.get("message"):
        text = str(error["message"])
    elif isinstance(error, str) and error:
        text = error
    else:
        text = response.text or response.reason_phrase
    return f"HTTP {response.status_code}: {text.strip()[:_MESSAGE_LIMIT]}"


def retry_after_header(response: httpx.Response) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date), if present."""
    millis = _number(response.headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = response.headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    return seconds if seconds is not None else _seconds_until(value)


def parse_duration(value: str | None) -> float | None:
    """Go/protobuf style durations: "47s", "1.5s", "12ms", "6m0s", "1h2m3s" → seconds."""
    if not value:
        return None
    text = value.strip()
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number >= 0 else None


def _seconds_until(http_date: str) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
