"""Sending through the WhatsApp Cloud API (docs/contracts/meta.md §2.6, §2.7).

The client makes exactly one HTTP attempt per call and never retries: the outbox owns
retries (jittered backoff, circuit breaker, dead letter) and the idempotency key, so a
retry here would multiply attempts and hide them from it. What the client does is say
which failures are worth retrying — `TransientChannelError` — and which are not.

A timeout after Meta received the request may still have sent the message; that is the
one duplicate window the outbox tolerates and counts.

The same client manages the business account's message templates (§10): list them (every page)
and submit a new one for review. Those calls are one HTTP attempt each too: the caller (the
template sync task) owns the retries.
"""

from __future__ import annotations

import re

import httpx

from secretaria.connection_check import ConnectionCheck, Outcome

from ..base import (
    ChannelError,
    Option,
    PermanentChannelError,
    SendResult,
    TemplateRequiredError,
    TransientChannelError,
)

# Graph error codes worth a retry with backoff, whatever the HTTP status (Meta: "build
# logic on code, not HTTP status"; 131056 arrives as 400 or 429 depending on source).
# 130429 throughput, 131056 pair rate limit, 4 / 80007 app / WABA call limits, 131000
# "something went wrong", plus Meta's documented temporary ones: 1 unknown, 2 service,
# 131016 service unavailable, 133004 server temporarily unavailable.
# 131048 (spam rate limit) is deliberately absent: a quality restriction that backoff
# will not lift within the outbox's retry horizon.
TRANSIENT_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004})
# Codes that say the token is the problem (§2.7): 190 invalid or expired, 10 and 200-299 permissions.
CREDENTIAL_CODES = frozenset({10, 190, *range(200, 300)})
TEMPLATE_REQUIRED_CODE = 131047
RETRYABLE_STATUSES = frozenset({408, 429})

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
LIST_BUTTON_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
MAX_BUTTONS = 3
MAX_ROWS = 10
TEMPLATE_PARAMETER_LIMIT = 1024  # a text parameter of a template's body
# Template names as Meta's template manager accepts them; language codes like "pt_BR", "en_US", "fil".
TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
TEMPLATE_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_MESSAGE_LIMIT = 300
# What a template listing asks for (§10); Meta's page size tops out at 100 here.
TEMPLATE_FIELDS = "id,name,status,category,language,components,rejected_reason"
TEMPLATE_PAGE_SIZE = 100
# A WABA holds at most a few thousand templates: far more pages than that means a cursor loop.
TEMPLATE_MAX_PAGES = 100


class MetaClient:
    """One business phone number's sending side. Implements `ChannelClient`."""

    name = "meta"

    def __init__(
        self,
        *,
        phone_number_id: str,
        access_token: str,
        graph_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        timeout: float = 10.0,
        http: httpx.Client | None = None,
    ):
        if not phone_number_id or not access_token:
            raise ValueError("MetaClient needs a phone_number_id and an access_token")
        self.phone_number_id = phone_number_id
        self._access_token = access_token
        self.graph = f"{graph_url.rstrip('/')}/{api_version}"
        self.url = f"{self.graph}/{phone_number_id}/messages"
        self.timeout = timeout
        self._http = http or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:  # never show the token
        return f"MetaClient(phone_number_id={self.phone_number_id!r}, url={self.url!r})"

    def send_text(self, *, to: str, body: str, reply_to: str = "") -> SendResult:
        """`reply_to`: a customer message id to quote (Meta's `context.message_id`)."""
        _check_length(body, TEXT_LIMIT, "text body")
        content: dict = {"type": "text", "text": {"body": body, "preview_url": False}}
        if reply_to:
            content["context"] = {"message_id": reply_to}
        return self._send(to, content)

    def send_options(self, *, to: str, body: str, options: list[Option], button: str = "Ver opções") -> SendResult:
        """Up to 3 options as reply buttons, 4 to 10 as a one-section list (`button` opens it).

        Titles longer than Meta allows are shortened with "…" rather than rejected, since
        they come from tenant-edited content; descriptions only show in lists.
        """
        return self._send(to, {"type": "interactive", "interactive": build_interactive(body, options, button)})

    def send_template(
        self, *, to: str, name: str, language: str = "pt_BR", components: list | None = None
    ) -> SendResult:
        """The only kind of message Meta accepts outside the 24-hour window."""
        template: dict = {"name": name, "language": {"code": language}}
        if components:
            template["components"] = components
        return self._send(to, {"type": "template", "template": template})

    def send_text_template(self, *, to: str, name: str, language: str, text: str) -> SendResult:
        """`text` in an approved template whose body is one variable, {{1}} (outside the window)."""
        return self.send_template(to=to, name=name, language=language, components=template_body(text))

    def send_parameters_template(self, *, to: str, name: str, language: str,
                                 parameters: list[str] | tuple[str, ...]) -> SendResult:
        """An approved template whose body has `{{1}}`…`{{n}}`, filled with `parameters` in that order."""
        return self.send_template(to=to, name=name, language=language, components=template_parameters(parameters))

    def message_templates_list(self, waba_id: str) -> list[dict]:
        """Every message template of the business account, as Meta describes them (§10), walking the
        `paging` cursors: a next page is asked for with `after` while Meta says there is one (`next`)."""
        url = f"{self.graph}/{_waba(waba_id)}/message_templates"
        params = {"fields": TEMPLATE_FIELDS, "limit": str(TEMPLATE_PAGE_SIZE)}
        templates: list[dict] = []
        for _ in range(TEMPLATE_MAX_PAGES):
            page = self._request("GET", url, params=params)
            data = page.get("data")
            templates += [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
            after = _next_cursor(page)
            if after is None:
                return templates
            params = {**params, "after": after}
        raise PermanentChannelError(f"Meta template listing did not end after {TEMPLATE_MAX_PAGES} pages")

    def message_template_create(self, waba_id: str, *, name: str, language: str, category: str,
                                components: list[dict]) -> dict:
        """Submit a template for Meta's review: `{"id", "status": "PENDING"|"APPROVED"|..., "category"}`."""
        body = {"name": name, "language": language, "category": category, "components": components}
        return self._request("POST", f"{self.graph}/{_waba(waba_id)}/message_templates", json=body)

    def mark_read(self, message_id: str, *, typing: bool = False) -> None:
        """Blue ticks for a customer's message; `typing` also shows "typing…" to them."""
        body: dict = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        if typing:
            body["typing_indicator"] = {"type": "text"}
        self._post(body)

    def check(self) -> ConnectionCheck:
        """`GET /{phone-number-id}` (§2.8): the number as Meta knows it, which only a valid token with
        access to that number may read. Nothing is sent to anyone."""
        try:
            number = self._request("GET", f"{self.graph}/{self.phone_number_id}",
                                   params={"fields": "display_phone_number,verified_name"})
        except ChannelError as exc:
            if exc.code in CREDENTIAL_CODES:
                return ConnectionCheck(Outcome.CREDENTIALS, str(exc))
            if exc.status is None:
                return ConnectionCheck.no_answer(where=self.graph, error=exc)
            return ConnectionCheck.failed(status=exc.status, detail=str(exc))
        shown = " — ".join(str(number[key]) for key in ("display_phone_number", "verified_name") if number.get(key))
        return ConnectionCheck(Outcome.OK, f"número {shown}" if shown else "a Meta reconheceu o número")

    def close(self) -> None:
        self._http.close()

    def _send(self, to: str, content: dict) -> SendResult:
        if not to:
            raise ValueError("recipient is empty")
        payload = self._post({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **content})
        return SendResult(provider_message_id=_message_id(payload), raw=payload)

    def _post(self, body: dict) -> dict:
        """One attempt. A 2xx means "accepted" (delivery comes later as a status webhook),
        so it is a success even if the body is odd: re-sending could deliver twice."""
        return self._request("POST", self.url, json=body)

    def _request(self, method: str, url: str, *, json: dict | None = None, params: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self._access_token}"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(method, url, headers=headers, json=json, params=params,
                                          timeout=self.timeout)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise PermanentChannelError(f"invalid Meta Graph URL: {type(exc).__name__}") from exc
        except httpx.TimeoutException as exc:
            raise TransientChannelError(f"Meta request timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise TransientChannelError(f"Meta connection failed ({type(exc).__name__})") from exc
        payload = _json_object(response)
        if not response.is_success:
            raise error_for(response.status_code, payload)
        return payload


def build_interactive(body: str, options: list[Option], button: str) -> dict:
    """The `interactive` object for `send_options` (buttons or list, §2.6)."""
    _check_length(body, INTERACTIVE_BODY_LIMIT, "interactive body")
    _check_options(options)
    if len(options) <= MAX_BUTTONS:
        buttons = [_button(option) for option in options]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    rows = [_row(option) for option in options]
    action = {"button": _fit(button, LIST_BUTTON_LIMIT), "sections": [{"rows": rows}]}
    return {"type": "list", "body": {"text": body}, "action": action}


def template_body(text: str) -> list[dict]:
    """`components` for a template whose body is one variable, {{1}}, filled with `text`."""
    return [{"type": "body", "parameters": [{"type": "text", "text": template_text_parameter(text)}]}]


def template_parameters(values: list[str] | tuple[str, ...]) -> list[dict]:
    """`components` for a template whose body has `{{1}}`…`{{n}}`, filled with `values` in order.

    Meta refuses an empty parameter (#131008), so a blank value goes as "—"."""
    parameters = [{"type": "text", "text": template_text_parameter(value) or "—"} for value in values]
    return [{"type": "body", "parameters": parameters}] if parameters else []


def template_text_parameter(text: str) -> str:
    """`text` as Meta accepts it in a template parameter (error 132018 otherwise): no newlines,
    no tabs, no runs of 4+ spaces — so every whitespace run becomes one space — and ≤ 1024 chars."""
    return _fit(" ".join(text.split()), TEMPLATE_PARAMETER_LIMIT)


def error_for(status: int, payload: dict) -> ChannelError:
    """Classify a non-2xx answer by Graph error code first, HTTP status second (§2.7)."""
    error = payload.get("error") if isinstance(payload.get("error"), dict) else {}
    code = _code(error.get("code"))
    message = _describe(status, code, error)
    if code == TEMPLATE_REQUIRED_CODE:
        return TemplateRequiredError(message, status=status, code=code)
    if code in TRANSIENT_CODES or error.get("is_transient") is True or status in RETRYABLE_STATUSES or status >= 500:
        return TransientChannelError(message, status=status, code=code)
    return PermanentChannelError(message, status=status, code=code)


def _button(option: Option) -> dict:
    return {"type": "reply", "reply": {"id": option.id, "title": _fit(option.title, BUTTON_TITLE_LIMIT)}}


def _row(option: Option) -> dict:
    row = {"id": option.id, "title": _fit(option.title, ROW_TITLE_LIMIT)}
    if option.description:
        row["description"] = _fit(option.description, ROW_DESCRIPTION_LIMIT)
    return row


def _check_options(options: list[Option]) -> None:
    """Programming errors, raised before any HTTP call: Meta would only answer 400 (#100)."""
    if not options or len(options) > MAX_ROWS:
        raise ValueError(f"send_options takes 1 to {MAX_ROWS} options, got {len(options)}")
    ids = [option.id for option in options]
    if not all(ids) or len(set(ids)) != len(ids):
        raise ValueError("option ids must be non-empty and unique")
    if not all(option.title for option in options):
        raise ValueError("option titles must be non-empty")


def _check_length(text: str, limit: int, what: str) -> None:
    if not text or len(text) > limit:
        raise ValueError(f"{what} must have 1 to {limit} characters, got {len(text or '')}")


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message_id(payload: dict) -> str:
    messages = payload.get("messages")
    first = messages[0] if isinstance(messages, list) and messages else None
    return str(first.get("id") or "") if isinstance(first, dict) else ""


def _json_object(response: httpx.Response) -> dict:
    """The body when it is a JSON object, else {} (proxies and load balancers answer HTML)."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _waba(waba_id: str) -> str:
    if not waba_id or not waba_id.isdigit():
        raise ValueError("a WhatsApp Business Account id is digits only")
    return waba_id


def _next_cursor(page: dict) -> str | None:
    """The `after` cursor of the next page, or None on the last one (Meta leaves `next` out there)."""
    paging = page.get("paging") if isinstance(page.get("paging"), dict) else {}
    cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
    after = cursors.get("after")
    return after if paging.get("next") and isinstance(after, str) and after else None


def _code(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _describe(status: int, code: int | None, error: dict) -> str:
    """Meta's own words (message, details, fbtrace_id for support), bounded; never the token."""
    data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
    parts = [f"Meta HTTP {status}", f"(#{code})" if code is not None else "", str(error.get("message") or "")]
    if data.get("details"):
        parts.append(f"— {data['details']}")
    if error.get("error_user_msg"):  # what Meta would tell the person who filled the form
        parts.append(f"— {error['error_user_msg']}")
    if error.get("fbtrace_id"):
        parts.append(f"[fbtrace_id {error['fbtrace_id']}]")
    return " ".join(part for part in parts if part)[:_MESSAGE_LIMIT]
