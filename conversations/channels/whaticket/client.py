"""Outbound: the Whaticket Send API, `POST {base_url}/api/messages/send` (docs/contracts/whaticket.md §1.1–§1.3).

One request shape works for the three families: Bearer token, JSON {"number", "body"},
`number` = the full international number in digits (country code, no "+", no
"@s.whatsapp.net": the original rejects anything but digits, the SaaS line appends
the suffix itself). No family returns a message id, and Ticketz only queues: a 200
means "accepted", never "delivered". Whaticket has no buttons or lists, so options
go out as a numbered text.

The client never retries: the outbox owns retries, so every failure is raised as
Transient (retry later) or Permanent (retrying cannot help) — see `errors_map.py`.
"""

from __future__ import annotations

import httpx

from secretaria.connection_check import ConnectionCheck, Outcome

from ..base import ChannelError, Option, PermanentChannelError, SendResult, TransientChannelError
from ._values import digits, obj
from .errors import PROVIDER
from .errors_map import error_for_response

SEND_PATH = "/api/messages/send"


class WhaticketClient:
    name = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        http: httpx.Client | None = None,
        whatsapp_id: int | None = None,
    ):
        """`token`: the API token (original: the `userApiToken` setting; SaaS/Ticketz: the
        connection's token, which also picks the sending number). `whatsapp_id` picks the
        connection on the original family only; the forks ignore it."""
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.whatsapp_id = whatsapp_id
        self._http = http or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:  # never show the token
        return f"WhaticketClient(base_url={self.base_url!r})"

    @property
    def url(self) -> str:
        return self.base_url + SEND_PATH

    def close(self) -> None:
        self._http.close()

    def check(self) -> ConnectionCheck:
        """The Send API with an empty number (§1.6): every family checks the token first (401/403 when
        it is wrong) and then refuses the empty number with a 400, so a 400 means the token was
        accepted, and nothing can be sent to nobody. Whaticket has no read-only API call for a token."""
        try:
            response = self._post({"number": "", "body": ""})
        except ChannelError as exc:
            return ConnectionCheck.no_answer(where=self.base_url, error=exc)
        status, said = response.status_code, _error_text(response)
        if status == 400 or response.is_success:
            return ConnectionCheck(Outcome.OK, "o Whaticket aceitou o token.")
        if status == 404:
            return ConnectionCheck.failed(status=404, detail=f"{self.url} não respondeu como a API do Whaticket "
                                                             f"(HTTP 404).")
        return ConnectionCheck.failed(status=status, detail=f"Whaticket HTTP {status}: {said}".rstrip(": "))

    def send_text(self, *, to: str, body: str) -> SendResult:
        return self._send(self.build_body(to=to, body=body))

    def send_options(self, *, to: str, body: str, options: list[Option], button: str = "Ver opções") -> SendResult:
        """A numbered list; the customer answers with the number (see `option_for_reply`).
        `button` has no use here: it is the label of an interactive list elsewhere."""
        return self.send_text(to=to, body=numbered_text(body, options))

    def build_body(self, *, to: str, body: str) -> dict:
        """The JSON body; refuses locally what every family would refuse with a 400."""
        number = normalize_number(to)
        if not body.strip():
            raise PermanentChannelError("refusing to send an empty message", code="empty_body")
        payload: dict = {"number": number, "body": body}
        if self.whatsapp_id is not None:
            payload["whatsappId"] = self.whatsapp_id
        return payload

    def _send(self, payload: dict) -> SendResult:
        if not self._token:
            raise PermanentChannelError("Whaticket token is not configured", code="no_token")
        response = self._post(payload)
        if not response.is_success:
            raise error_for_response(response)
        return _result(response)

    def _post(self, payload: dict) -> httpx.Response:
        """One POST with a timeout; transport failures become our two error kinds.

        A timeout after the request left may still have sent the message: retrying it
        risks the one duplicate docs/reliability.md tolerates ("Outbound sends") (provider accepted, we never knew).
        """
        headers = {"authorization": f"Bearer {self._token}", "accept": "application/json"}
        try:
            return self._http.post(self.url, headers=headers, json=payload, timeout=self.timeout)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise PermanentChannelError(f"invalid Whaticket URL: {exc}", code="invalid_url") from exc
        except httpx.TimeoutException as exc:
            raise TransientChannelError(f"Whaticket timed out ({type(exc).__name__})", code="timeout") from exc
        except httpx.RequestError as exc:
            raise TransientChannelError(f"Whaticket unreachable ({type(exc).__name__})", code="connection") from exc


def normalize_number(to: str) -> str:
    """Digits of the recipient, whether given as digits, "+55 (11) 9...", or a JID."""
    number = digits(to.partition("@")[0].partition(":")[0])
    if not number:
        raise PermanentChannelError(f"not a phone number: {to[:40]!r}", code="invalid_number")
    return number


def numbered_text(body: str, options: list[Option]) -> str:
    """ "body\n\n1 - First\n2 - Second: its description" — what customers answer with a digit."""
    lines = [f"{i} - {o.title}" + (f": {o.description}" if o.description else "") for i, o in enumerate(options, 1)]
    return "\n\n".join(part for part in (body.strip(), "\n".join(lines)) if part)


def option_for_reply(reply: str, options: list[Option]) -> Option | None:
    """The option a customer picked by answering "2", "2.", "2 - Title" or the title itself."""
    answer = reply.strip()
    head = answer.split(maxsplit=1)[0].rstrip(".)-") if answer else ""
    if head.isdigit() and 1 <= int(head) <= len(options):
        return options[int(head) - 1]
    return next((o for o in options if o.title.strip().casefold() == answer.casefold()), None)


def _error_text(response: httpx.Response) -> str:
    """The `error` of Whaticket's `{"error": "..."}` answers, else the start of the body."""
    try:
        payload = response.json()
    except ValueError:
        return response.text.strip()[:200]
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return payload["error"][:200]
    return str(payload)[:200]


def _result(response: httpx.Response) -> SendResult:
    """Success, whatever the family's body: empty (original), {"mensagem": ...} (SaaS, Ticketz)."""
    try:
        payload = response.json() if response.content.strip() else {}
    except ValueError:
        payload = {"body": response.text[:300]}
    payload = payload if isinstance(payload, dict) else {"body": payload}
    return SendResult(provider_message_id=_message_id(payload), raw=payload)


def _message_id(payload: dict) -> str:
    """A message id if some fork returns one (no documented family does)."""
    message = obj(payload.get("message"))
    candidates = (
        payload.get("id"),
        payload.get("messageId"),
        message.get("id"),
        obj(message.get("key")).get("id"),
        obj(payload.get("key")).get("id"),
    )
    found = next((c for c in candidates if isinstance(c, str | int) and not isinstance(c, bool) and c != ""), "")
    return str(found)
