"""Defensive reading of webhook bodies: they come from the internet, signed or not.

Too big, not JSON, not UTF-8, nested too deep or of the wrong content type all
become a 4xx with a reason, never a 5xx, and never use unbounded memory (the body
size is capped by DATA_UPLOAD_MAX_MEMORY_SIZE before it is read).
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
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadWebhook("Corpo não está em UTF-8.") from exc
    except (ValueError, RecursionError) as exc:
        raise BadWebhook("JSON inválido.") from exc
    if not isinstance(payload, dict):
        raise BadWebhook("Esperado um objeto JSON.")
    if _depth(payload) > MAX_DEPTH:
        raise BadWebhook("JSON aninhado demais.")
    return payload


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
