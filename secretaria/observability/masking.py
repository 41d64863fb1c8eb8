"""Masking of personal data (LGPD) in log events.

Applied as a structlog processor, so no call site has to remember it: phone
numbers, e-mail addresses and CPFs in any string value are masked, and values
under secret-looking keys are dropped entirely.
"""

import re
from typing import Any

SECRET_KEYS = re.compile(r"pass(word)?|secret|token|authorization|api[_-]?key|cookie|signature", re.I)
# Keys our own code fills with non-personal values; masking them would only hurt.
SAFE_KEYS = frozenset({"timestamp", "level", "logger", "request_id", "task_id", "company", "duration_ms"})

CPF = re.compile(r"(?<![\w.-])\d{3}\.?\d{3}\.?\d{3}-?(\d{2})(?![\w-])")
EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
# Brazilian numbers in the shapes customers and providers write them:
# +55 (11) 91234-5678, 5511912345678, 11 91234 5678, 1234-5678 ...
PHONE = re.compile(
    r"(?<![\w.-])(?:\+?55[\s.-]?)?(?:\(?\d{2}\)?[\s.-]?)?9?\d{4}[\s.-]?(\d{4})(?![\w-])"
)
MAX_DEPTH = 6
# A webhook URL carries its channel's secret as the path segment after the kind
# (/webhook/<kind>/<secret>[/replies]) or as ?token=: a credential, never written to a log.
WEBHOOK_SECRET_IN_PATH = re.compile(r"(/webhook/[a-z][a-z0-9_]{0,31}/)[^/\s'\"?#<>]+")
TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s'\"#<>]+")
REDACTED = "***"


def redact_secrets(text: str) -> str:
    """`text` with webhook secrets (path segment or ?token=) replaced by ***."""
    if "webhook/" not in text and "token=" not in text:
        return text  # the common case, kept cheap: this runs on every log line
    text = WEBHOOK_SECRET_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return TOKEN_IN_QUERY.sub(rf"\g<1>{REDACTED}", text)


def mask_text(text: str) -> str:
    text = CPF.sub(lambda m: f"***.***.***-{m.group(1)}", text)
    text = EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return PHONE.sub(lambda m: f"***-{m.group(1)}", text)


def mask_value(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return "[...]"
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _mask_item(k, v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(v, depth + 1) for v in value]
    return value


def _mask_item(key: Any, value: Any, depth: int) -> Any:
    if isinstance(key, str) and key not in SAFE_KEYS and SECRET_KEYS.search(key):
        return "[redacted]"
    if key in SAFE_KEYS:
        return value
    return mask_value(value, depth)


def mask_pii(_logger, _method_name: str, event_dict: dict) -> dict:
    """structlog processor: mask personal data in every field of the event."""
    return {key: _mask_item(key, value, 0) for key, value in event_dict.items()}
