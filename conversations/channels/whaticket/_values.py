"""Defensive readers for JSON produced by protobufjs/`JSON.stringify` on the Whaticket side.

Baileys objects reach us serialised in several ways (docs/contracts/whaticket.md §1.4): 64-bit
integers as numbers, strings or Long objects, bytes as base64 strings, Node Buffer
objects or index-keyed objects. These helpers read all of them, so the parsers stay
about meaning rather than encodings.
"""

from __future__ import annotations

import base64
import math
import re
from datetime import UTC, datetime

from .errors import WhaticketPayloadError

_DIGITS = re.compile(r"\D")
_INTEGER = re.compile(r"\s*\d+\s*")
# 10**11 seconds is the year 5138: anything larger is a millisecond timestamp.
_MILLISECONDS_FROM = 10**11
_MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z


def text(value: object) -> str:
    """A string field, or "" for anything else (absent, null, a number where text belongs)."""
    return value if isinstance(value, str) else ""


def obj(value: object) -> dict:
    """A nested object, or {} so chained reads never fail on null or on a wrong type."""
    return value if isinstance(value, dict) else {}


def digits(value: object) -> str:
    return _DIGITS.sub("", value) if isinstance(value, str) else ""


def b64_bytes(value: object) -> str:
    """Bytes as base64, whichever way they were serialised; "" when unreadable."""
    if isinstance(value, str):
        return value  # protobufjs toJSON already writes bytes as base64
    if isinstance(value, dict):
        value = value.get("data") if value.get("type") == "Buffer" else _indexed(value)
    if isinstance(value, list):
        try:
            return base64.b64encode(bytes(value)).decode("ascii")
        except (TypeError, ValueError):
            return ""
    return ""


def _indexed(value: dict) -> list | None:
    """{"0": 12, "1": 255, ...} (a Uint8Array through JSON.stringify) as a list."""
    try:
        return [value[k] for k in sorted(value, key=int)]
    except (TypeError, ValueError):
        return None


def unix_time(value: object) -> datetime:
    """`messageTimestamp` as an aware UTC datetime.

    Accepts a number, a numeric string, or a protobufjs Long {"low", "high", "unsigned"}.
    A missing timestamp means "now" (the receipt time is the best estimate we have);
    a present but unreadable one is a broken payload.
    """
    if value is None:
        return datetime.now(UTC)
    seconds = _long(value)
    if seconds >= _MILLISECONDS_FROM:
        seconds //= 1000
    if not 0 < seconds <= _MAX_SECONDS:
        raise WhaticketPayloadError(f"messageTimestamp out of range: {value!r}")
    return datetime.fromtimestamp(seconds, tz=UTC)


def _long(value: object) -> int:
    if isinstance(value, bool):
        raise WhaticketPayloadError(f"messageTimestamp is not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    if isinstance(value, dict) and "low" in value:
        try:  # two's complement halves, exactly as Long.toNumber() combines them
            return (int(value.get("high") or 0) << 32) | (int(value["low"]) & 0xFFFFFFFF)
        except (TypeError, ValueError):
            pass
    raise WhaticketPayloadError(f"messageTimestamp is not a number: {str(value)[:80]!r}")


def iso_time(value: object) -> datetime:
    """An ISO-8601 date (Whaticket's own `createdAt`); naive means UTC, missing means now."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise WhaticketPayloadError(f"createdAt is not an ISO date: {str(value)[:80]!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def coordinate(value: object, name: str, limit: float) -> float:
    """A latitude/longitude in degrees; unset means 0 (protobuf omits default values)."""
    if value is None:
        return 0.0
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > limit:
        raise WhaticketPayloadError(f"{name} is not a coordinate: {str(value)[:40]!r}")
    return number
