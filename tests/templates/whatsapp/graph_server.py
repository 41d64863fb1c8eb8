"""A local HTTP server speaking the parts of Meta's Graph API the WhatsApp templates use (§2.6, §2.7, §10).

- `GET /{version}/{waba-id}/message_templates?fields=…&limit=…[&after=…]`: Meta's page envelope,
  `{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}`, `next` left out on the last page;
  a page holds `min(limit, page_size)` templates (`page_size` small, so a handful spans several pages).
- `POST /{version}/{waba-id}/message_templates`: a new template, `{"id", "status": "PENDING", "category"}`,
  refused like Meta (#100, `error_user_msg`) when the name is not lowercase/digits/_ or already taken.
- `POST /{version}/{phone-number-id}/messages`: `{"messaging_product", "contacts", "messages": [{"id"}]}`;
  free text to a recipient in `window_closed` is refused with #131047, as outside the 24-hour window.
- Every request needs `Authorization: Bearer <token>` (else #190), and errors use Meta's envelope
  `{"error": {"message", "type", "code", "error_subcode"?, "error_user_msg"?, "fbtrace_id"}}`.

    server.fail_next(130429, status=429)      # the next request answers Meta's rate limit
    server.requests_to("/v21.0/123/message_templates")
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from tests.json_server import FakeServer, Recorded

TOKEN = "EAAG-token-de-teste"
VERSION = "v21.0"
_NAME = re.compile(r"[a-z0-9_]{1,512}")
ERROR_TEXTS = {
    100: "Invalid parameter",
    130429: "Rate limit hit",
    131047: "Re-engagement message",
    190: "Invalid OAuth access token - Cannot parse access token",
}


@dataclass
class Failure:
    code: int
    status: int
    user_msg: str = ""


class GraphServer(FakeServer):
    def __init__(self, *, token: str = TOKEN, page_size: int = 2):
        self.token, self.page_size = token, page_size
        super().__init__()

    # --- scripting ---------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.requests: list[Recorded] = []
            self.templates: dict[str, list[dict]] = {}  # by WABA id
            self.window_closed: set[str] = set()
            self.failures: list[Failure] = []
            self._ids = itertools.count(9_000_000_001)

    def add_template(self, waba_id: str, name: str, *, body: str, language: str = "pt_BR",
                     status: str = "APPROVED", category: str = "UTILITY", examples: list[str] | None = None,
                     rejected_reason: str = "NONE", header: str = "") -> dict:
        component: dict = {"type": "BODY", "text": body}
        if examples:
            component["example"] = {"body_text": [examples]}
        components = ([{"type": "HEADER", "format": "TEXT", "text": header}] if header else []) + [component]
        template = {"id": str(next(self._ids)), "name": name, "language": language, "status": status,
                    "category": category, "components": components, "rejected_reason": rejected_reason}
        with self.lock:
            self.templates.setdefault(waba_id, []).append(template)
        return template

    def fail_next(self, code: int, *, status: int = 400, times: int = 1, user_msg: str = "") -> None:
        with self.lock:
            self.failures += [Failure(code, status, user_msg) for _ in range(times)]

    def requests_to(self, path: str, method: str | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    # --- behaviour ---------------------------------------------------------------------

    def handle(self, recorded: Recorded) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(recorded)
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            return failure.status, error(failure.code, user_msg=failure.user_msg)
        if recorded.headers.get("authorization") != f"Bearer {self.token}":
            return 401, error(190)
        parts = [p for p in recorded.path.split("/") if p]
        if len(parts) != 3 or parts[0] != VERSION:
            return 400, error(100, message="Unsupported request - method type: get")
        _, node, edge = parts
        if edge == "message_templates" and recorded.method == "GET":
            return 200, self._page(node, recorded.query)
        if edge == "message_templates" and recorded.method == "POST":
            return self._create(node, recorded.body or {})
        if edge == "messages" and recorded.method == "POST":
            return self._send(recorded.body or {})
        return 400, error(100)

    def _page(self, waba_id: str, query: dict[str, str]) -> dict:
        with self.lock:
            templates = list(self.templates.get(waba_id, []))
        size = min(int(query.get("limit") or 25), self.page_size)
        start = _decode(query["after"]) + 1 if query.get("after") else 0
        chunk = templates[start:start + size]
        page: dict = {"data": chunk}
        if chunk:
            page["paging"] = {"cursors": {"before": _encode(start), "after": _encode(start + len(chunk) - 1)}}
            if start + len(chunk) < len(templates):
                after = {**query, "after": _encode(start + len(chunk) - 1), "access_token": self.token}
                page["paging"]["next"] = f"{self.url}/{VERSION}/{waba_id}/message_templates?{urlencode(after)}"
        return page

    def _create(self, waba_id: str, body: dict) -> tuple[int, dict]:
        name = body.get("name") or ""
        if not _NAME.fullmatch(name):
            return 400, error(100, user_msg="O nome do modelo só pode ter letras minúsculas, números e _.")
        with self.lock:
            taken = any(t["name"] == name and t["language"] == body.get("language")
                        for t in self.templates.get(waba_id, []))
        if taken:
            return 400, error(100, subcode=2388024, user_msg="Já existe conteúdo nesse idioma.")
        template = {"id": str(next(self._ids)), "name": name, "language": body.get("language"),
                    "status": "PENDING", "category": body.get("category"), "components": body.get("components")}
        with self.lock:
            self.templates.setdefault(waba_id, []).append(template)
        return 200, {"id": template["id"], "status": "PENDING", "category": template["category"]}

    def _send(self, body: dict) -> tuple[int, dict]:
        to = body.get("to") or ""
        if body.get("type") != "template" and to in self.window_closed:
            return 400, error(131047, details="Message failed to send because more than 24 hours have passed "
                                              "since the customer last replied to this number.")
        with self.lock:
            wamid = f"wamid.LOCAL{next(self._ids)}"
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                     "messages": [{"id": wamid}]}


def error(code: int, *, message: str = "", subcode: int | None = None, user_msg: str = "", details: str = "") -> dict:
    """Meta's synchronous error envelope (§2.7)."""
    body: dict = {"message": message or f"(#{code}) {ERROR_TEXTS.get(code, 'Error')}", "type": "OAuthException",
                  "code": code, "fbtrace_id": "AbCdEfGhIjKlMnOp"}
    if subcode is not None:
        body["error_subcode"] = subcode
    if user_msg:
        body["error_user_title"], body["error_user_msg"] = "Parâmetro inválido", user_msg
    if details:
        body["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": body}


def _encode(index: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{index}".encode()).decode()


def _decode(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])
