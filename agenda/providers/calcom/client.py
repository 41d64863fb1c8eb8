"""A thin client of Cal.com's API v2 (docs/contracts/calcom.md §3): one method per endpoint used.

Every call sends `Authorization: Bearer <key>` and the `cal-api-version` its endpoint
family needs (omitting it silently selects an older API with other shapes). Answers
come in an envelope: `{"status": "success", "data": ...}` or `{"status": "error",
"error": {"code", "message", "details"}}`.

Failures become our two kinds: CalendarUnavailable (timeouts, connection errors, 429,
5xx: retried a few times with jittered backoff) and CalendarRejected (any other 4xx:
retrying cannot help). Creating and rescheduling a booking are not idempotent at
Cal.com, so those are retried only when the request surely did not reach it (the
connection failed, or a 429 refused it); a timeout there is reported, not repeated,
lest the customer end up with two bookings.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from agenda.types import CalendarRejected, CalendarUnavailable, SlotTaken
from secretaria.connection_check import ConnectionCheck, Outcome
from secretaria.http import shared_client

log = structlog.get_logger(__name__)

SLOTS_VERSION = "2024-09-04"
# 2024-08-13 and 2026-02-25 share the request/response classes; 2024-08-13 is the one
# every self-hosted Cal.com with API v2 bookings understands.
BOOKINGS_VERSION = "2024-08-13"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Cal.com answers an unavailable or already-taken time with a 400 whose message says so.
_TAKEN_HINTS = ("already has booking", "not available", "no_available_users", "unavailable", "booked",
                "no available")


class CalcomUnavailable(CalendarUnavailable):
    def __init__(self, message: str, *, status: int | None = None, request_sent: bool = True,
                 retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.request_sent = request_sent
        self.retry_after = retry_after


class CalcomRejected(CalendarRejected):
    def __init__(self, message: str, *, status: int, code: str = "", detail: str = ""):
        super().__init__(message)
        self.status, self.code, self.detail = status, code, detail


class CalcomSlotTaken(SlotTaken):
    def __init__(self, message: str, *, status: int, detail: str = ""):
        super().__init__(message)
        self.status, self.detail = status, detail


class CalcomClient:
    def __init__(self, *, base_url: str, api_key: str, http: httpx.Client | None = None, attempts: int = 3,
                 base_delay: float = 0.3, max_delay: float = 3.0, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep):
        base = (base_url or "https://api.cal.com").rstrip("/")
        self.base_url = base[:-3] if base.endswith("/v2") else base
        self.api_key = api_key
        self.http = http or shared_client()
        self.attempts = max(attempts, 1)
        self.base_delay, self.max_delay = base_delay, max_delay
        self.timeout = timeout
        self._sleep = sleep

    # --- endpoints ---------------------------------------------------------------------

    def slots(self, *, event_type_id: int, start: datetime, end: datetime, time_zone: str) -> dict[str, list[dict]]:
        """`GET /v2/slots`: free starts keyed by local date ({} when none)."""
        params = {"eventTypeId": str(event_type_id), "start": utc_iso(start), "end": utc_iso(end),
                  "timeZone": time_zone}
        data = self._call("GET", "/v2/slots", version=SLOTS_VERSION, params=params)
        return data if isinstance(data, dict) else {}

    def booking_create(self, *, event_type_id: int, start: datetime, attendee: dict, metadata: dict | None = None,
                       booking_fields: dict | None = None, length_minutes: int | None = None) -> dict:
        """`POST /v2/bookings` (201). `start` goes in UTC, as the API requires."""
        body: dict = {"eventTypeId": event_type_id, "start": utc_iso(start), "attendee": attendee}
        if metadata:
            body["metadata"] = {str(k)[:40]: str(v)[:500] for k, v in list(metadata.items())[:50]}
        if booking_fields:
            body["bookingFieldsResponses"] = booking_fields
        if length_minutes:
            body["lengthInMinutes"] = length_minutes
        return _single(self._call("POST", "/v2/bookings", version=BOOKINGS_VERSION, json=body, idempotent=False))

    def booking_get(self, *, uid: str) -> dict:
        return _single(self._call("GET", f"/v2/bookings/{_uid(uid)}", version=BOOKINGS_VERSION))

    def booking_cancel(self, *, uid: str, reason: str = "") -> dict:
        """`POST /v2/bookings/{uid}/cancel` (200). Cancelling twice is harmless, so it is retried."""
        body = {"cancellationReason": reason} if reason else {}
        return _single(self._call("POST", f"/v2/bookings/{_uid(uid)}/cancel", version=BOOKINGS_VERSION,
                                  json=body))

    def booking_reschedule(self, *, uid: str, start: datetime, reason: str = "") -> dict:
        """`POST /v2/bookings/{uid}/reschedule` (201): returns the NEW booking (new uid)."""
        body: dict = {"start": utc_iso(start)}
        if reason:
            body["reschedulingReason"] = reason
        return _single(self._call("POST", f"/v2/bookings/{_uid(uid)}/reschedule", version=BOOKINGS_VERSION,
                                  json=body, idempotent=False))

    def me(self) -> dict:
        """`GET /v2/me` (§3.8): the account the key belongs to. No `cal-api-version`: the endpoint has one shape."""
        return _single(self._call("GET", "/v2/me", version=""))

    def check(self) -> ConnectionCheck:
        """Whether Cal.com accepts the key, by reading the key's own account (nothing is booked or changed)."""
        try:
            me = self.me()
        except CalcomRejected as exc:
            if exc.status == 404:  # the generic 404 sentence speaks of bookings; here it means a wrong address
                return ConnectionCheck.failed(status=404, detail=f"{self.base_url} não respondeu como a API v2 "
                                                                 f"do Cal.com (HTTP 404).")
            return ConnectionCheck.failed(status=exc.status, detail=_check_detail(exc))
        except CalcomUnavailable as exc:
            if exc.status is None:
                return ConnectionCheck.no_answer(where=self.base_url, error=exc)
            return ConnectionCheck.failed(status=exc.status, detail=str(exc))
        who = " — ".join(str(me[key]) for key in ("name", "email", "username") if me.get(key))
        return ConnectionCheck(Outcome.OK, f"conta {who}" if who else "o Cal.com aceitou a chave")

    # --- plumbing ----------------------------------------------------------------------

    def _call(self, method: str, path: str, *, version: str, params: dict | None = None,
              json: dict | None = None, idempotent: bool = True):
        def retryable(exc: BaseException) -> bool:
            if not isinstance(exc, CalcomUnavailable):
                return False
            return idempotent or not exc.request_sent or exc.status == 429

        retrying = Retrying(stop=stop_after_attempt(self.attempts), retry=retry_if_exception(retryable),
                            wait=self._delay, sleep=self._sleep, reraise=True, before_sleep=_log_retry)
        return retrying(self._once, method, path, version=version, params=params, json=json)

    def _once(self, method: str, path: str, *, version: str, params: dict | None, json: dict | None):
        headers = {"Accept": "application/json"}
        if version:
            headers["cal-api-version"] = version
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            response = self.http.request(method, self.base_url + path, params=params, json=json, headers=headers,
                                         timeout=self.timeout)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise CalcomRejected("O endereço da API do Cal.com é inválido.", status=0) from exc
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise CalcomUnavailable("Não foi possível conectar ao Cal.com.", request_sent=False) from exc
        except httpx.TimeoutException as exc:
            raise CalcomUnavailable("O Cal.com demorou demais para responder.") from exc
        except httpx.TransportError as exc:
            raise CalcomUnavailable("A conexão com o Cal.com falhou.") from exc
        return _data_or_raise(response)

    def _delay(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        cap = min(self.max_delay, self.base_delay * 2 ** (state.attempt_number - 1))
        return random.uniform(cap / 2, cap)  # equal jitter: never instant, never in lockstep


def _data_or_raise(response: httpx.Response):
    payload = _json(response)
    status = response.status_code
    if 200 <= status < 300:
        if not isinstance(payload, dict) or payload.get("status") == "error":
            raise CalcomUnavailable("O Cal.com devolveu uma resposta ilegível.", status=status)
        return payload.get("data")
    code, message = _error_of(payload)
    if status in TRANSIENT_STATUSES or status >= 500:
        raise CalcomUnavailable(f"O Cal.com está indisponível no momento (HTTP {status}).", status=status,
                                retry_after=_retry_after(response))
    if status in (401, 403, 498):
        raise CalcomRejected("O Cal.com recusou a chave da API.", status=status, code=code, detail=message)
    if status == 404:
        raise CalcomRejected("O Cal.com não encontrou o agendamento ou o tipo de evento.", status=status,
                             code=code, detail=message)
    if status == 409 or (status == 400 and any(hint in message.lower() for hint in _TAKEN_HINTS)):
        raise CalcomSlotTaken("Esse horário acabou de ser ocupado no Cal.com.", status=status, detail=message)
    raise CalcomRejected(f"O Cal.com recusou o pedido: {message or code or status}"[:300], status=status, code=code,
                         detail=message)


def _check_detail(exc: CalcomRejected) -> str:
    """Our sentence, then Cal.com's own words and the status, for the panel's connection check."""
    extra = "; ".join(part for part in (exc.detail, f"HTTP {exc.status}" if exc.status else "") if part)
    return f"{exc} ({extra})" if extra else str(exc)


def _error_of(payload) -> tuple[str, str]:
    """(code, message) from the error envelope; Nest puts the useful text in details.message."""
    if not isinstance(payload, dict):
        return "", ""
    error = payload.get("error")
    if isinstance(error, dict):
        message = error.get("message") or ""
        details = error.get("details")
        if isinstance(details, dict) and isinstance(details.get("message"), (str, list)):
            detail = details["message"]
            message = "; ".join(map(str, detail)) if isinstance(detail, list) else detail or message
        return str(error.get("code") or ""), str(message)
    return "", str(payload.get("message") or error or "")


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return max((parsed - datetime.now(UTC)).total_seconds(), 0.0)


def _single(data) -> dict:
    """Recurring bookings answer a list; we book single ones, so take the first."""
    if isinstance(data, list):
        data = data[0] if data else {}
    if not isinstance(data, dict):
        raise CalcomUnavailable("O Cal.com devolveu uma resposta ilegível.")
    return data


def _uid(uid: str) -> str:
    # The uid goes into the path: never let it climb out of /v2/bookings/.
    return quote(str(uid), safe="")


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("calcom_retry", attempt=state.attempt_number, status=getattr(error, "status", None),
                error=type(error).__name__)


def utc_iso(moment: datetime) -> str:
    """`2024-08-13T09:00:00Z`: UTC, as Cal.com expects for `start`."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    """Cal.com times: `2050-09-05T09:00:00.000+02:00` or `...Z`, always with an offset."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
