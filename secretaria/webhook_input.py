"""Defensive reading of webhook bodies: they come from the internet, signed or not.

Too big, not JSON, not UTF-8, nested too deep or of the wrong content type all
become a 4xx with a reason, never a 5xx, and never use unbounded memory (the body
size is capped by DATA_UPLOAD_MAX_MEMORY_SIZE before it is read).

What JSON allows but PostgreSQL cannot store is dealt with here too, once for every
provider: `NaN`/`Infinity` (not JSON by RFC 8259, though Python accepts them) are refused
with a 400; NUL characters (text columns refuse them) are dropped and lone surrogates
(not encodable in UTF-8) become U+FFFD, in keys and values alike, so the message is still
stored and answered.
"""

import json

from django.core.exceptions import RequestDataTooBig

MAX_DEPTH = 32


class BadWebhook(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def raw_body(request) -> bytes:
    try:
        return request.body
    except RequestDataTooBig as exc:
        raise BadWebhook("Corpo grande demais.", status=413) from exc


def parse_json(request, body: bytes) -> dict:
    content_type = (request.content_type or "").lower()
    if content_type != "application/json":
        raise BadWebhook("Use Content-Type: application/json.", status=415)
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        raise BadWebhook("Corpo não está em UTF-8.") from exc
    except (ValueError, RecursionError) as exc:
        raise BadWebhook("JSON inválido.") from exc
    if not isinstance(payload, dict):
        raise BadWebhook("Esperado um objeto JSON.")
    if _depth(payload) > MAX_DEPTH:
        raise BadWebhook("JSON aninhado demais.")
    return _cleaned(payload)


def _no_constants(name: str):
    raise BadWebhook(f"JSON inválido: {name} não é um número permitido.")


def _cleaned_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # json.loads pairs valid surrogate escapes itself: any left is a lone one.
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def _cleaned(value):
    """`value` with every string (keys too) storable; called after the depth check, so recursion is bounded."""
    if isinstance(value, str):
        return _cleaned_text(value)
    if isinstance(value, dict):
        return {_cleaned_text(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _depth(value, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth, computed iteratively and stopping at `limit` (no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest >= limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
