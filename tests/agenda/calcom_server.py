"""A local HTTP server speaking Cal.com API v2 (docs/contracts/calcom.md §3), for tests.

It records every request (method, path, query, headers, JSON body) and answers like
Cal.com: the success envelope `{"status": "success", "data": ...}`, the error envelope
`{"status": "error", "error": {"code", "message", "details"}}`, 201 on create and
reschedule, 200 on cancel, lowercase booking status. It is strict where Cal.com is:
a missing or wrong `cal-api-version` is refused (the real API would silently answer an
older shape), and so is a start that is not among the free slots.

    server.set_slots([datetime(...), ...])          # free starts (default: any start is bookable)
    server.fail_next(503, times=2)                   # scripted failures, then back to normal
    server.requests / server.bookings / server.url   # what was asked, what exists, where
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.json_server import FakeServer, Recorded

SLOTS_VERSION = "2024-09-04"
BOOKINGS_VERSIONS = ("2024-08-13", "2026-02-25")
API_KEY = "cal_test_chave_local"
WEBHOOK_SECRET = "segredo-webhook-calcom"


@dataclass
class Failure:
    status: int
    body: dict | None = None
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class CalcomServer(FakeServer):
    def __init__(self, *, api_key: str = API_KEY):
        self.api_key = api_key
        super().__init__()

    # --- scripting ---------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.requests: list[Recorded] = []
            self.bookings: dict[str, dict] = {}
            self.slots: list[datetime] | None = None  # None: every start is free
            self.time_zone_default = "UTC"
            self.durations: dict[int, int] = {}  # eventTypeId -> minutes (default 30)
            self.failures: list[Failure] = []
            self._next_id = 1000

    def set_slots(self, starts: list[datetime]) -> None:
        """The free starts (aware datetimes). Booked ones disappear from GET /v2/slots."""
        with self.lock:
            self.slots = sorted(starts)

    def set_duration(self, event_type_id: int, minutes: int) -> None:
        with self.lock:
            self.durations[event_type_id] = minutes

    def fail_next(self, status: int, *, times: int = 1, body: dict | None = None, delay: float = 0.0,
                  headers: dict | None = None) -> None:
        """The next `times` requests answer `status` (with the error envelope unless `body` is given).
        `delay` seconds of silence first (to trigger client timeouts)."""
        with self.lock:
            self.failures += [Failure(status, body, delay, headers or {}) for _ in range(times)]

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests
                    if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    # --- behaviour ---------------------------------------------------------------------

    def handle(self, recorded: Recorded) -> tuple[int, dict | None, dict]:
        with self.lock:
            self.requests.append(recorded)
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            if failure.delay:
                time.sleep(failure.delay)
            return failure.status, failure.body or error_envelope(failure.status, recorded.path), failure.headers
        if self.api_key and recorded.headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, error_envelope(401, recorded.path, "Invalid API key", code="UnauthorizedException"), {}
        parts = [p for p in recorded.path.split("/") if p]
        version = recorded.headers.get("cal-api-version")
        if parts == ["v2", "slots"] and recorded.method == "GET":
            if version != SLOTS_VERSION:
                return 400, error_envelope(400, recorded.path, "cal-api-version 2024-09-04 expected"), {}
            return 200, {"status": "success", "data": self._slots(recorded.query)}, {}
        if parts[:2] != ["v2", "bookings"]:
            return 404, error_envelope(404, recorded.path, "Cannot find route"), {}
        if version not in BOOKINGS_VERSIONS:
            return 400, error_envelope(400, recorded.path, "cal-api-version 2024-08-13 expected"), {}
        with self.lock:
            if len(parts) == 2 and recorded.method == "POST":
                return self._create(recorded)
            booking = self.bookings.get(parts[2]) if len(parts) >= 3 else None
            if booking is None:
                return 404, error_envelope(404, recorded.path, f"Booking with uid={parts[-1]} was not found"), {}
            if len(parts) == 3 and recorded.method == "GET":
                return 200, {"status": "success", "data": booking}, {}
            if parts[3:] == ["cancel"] and recorded.method == "POST":
                if booking["status"] == "cancelled":
                    return 400, error_envelope(400, recorded.path, "This booking has already been cancelled."), {}
                booking["status"] = "cancelled"
                booking["cancellationReason"] = (recorded.body or {}).get("cancellationReason")
                return 200, {"status": "success", "data": booking}, {}
            if parts[3:] == ["reschedule"] and recorded.method == "POST":
                return self._reschedule(booking, recorded)
        return 404, error_envelope(404, recorded.path, "Cannot find route"), {}

    def _slots(self, query: dict[str, str]) -> dict:
        start, end = _parse(query.get("start")), _parse(query.get("end"))
        tz = ZoneInfo(query.get("timeZone") or "UTC")
        with self.lock:
            taken = {b["start"] for b in self.bookings.values() if b["status"] == "accepted"}
            starts = list(self.slots or [])
        data: dict[str, list] = {}
        for moment in starts:
            if (start and moment < start) or (end and moment > end) or _z(moment) in taken:
                continue
            local = moment.astimezone(tz)
            data.setdefault(local.date().isoformat(), []).append({"start": local.isoformat(timespec="milliseconds")})
        return data

    def _create(self, recorded: Recorded):
        body = recorded.body or {}
        attendee = body.get("attendee") or {}
        if not isinstance(body.get("eventTypeId"), int):
            return 400, error_envelope(400, recorded.path, "Either eventTypeId or eventTypeSlug + username or "
                                       "eventTypeSlug + teamSlug must be provided"), {}
        if not attendee.get("name") or not attendee.get("timeZone"):
            return 400, error_envelope(400, recorded.path, "attendee name and timeZone are required"), {}
        if not attendee.get("email") and not attendee.get("phoneNumber"):
            return 400, error_envelope(400, recorded.path, "Attendee must have at least one contact method"), {}
        start = _parse(body.get("start"))
        if start is None or not str(body.get("start")).endswith("Z"):
            return 400, error_envelope(400, recorded.path, "start must be an ISO 8601 UTC date"), {}
        if not self._free(start):
            return 400, error_envelope(400, recorded.path,
                                       "User either already has booking at this time or is not available"), {}
        booking = self._booking(body, start)
        return 201, {"status": "success", "data": booking}, {}

    def _reschedule(self, old: dict, recorded: Recorded):
        start = _parse((recorded.body or {}).get("start"))
        if start is None:
            return 400, error_envelope(400, recorded.path, "start is required"), {}
        if old["status"] == "cancelled":
            return 400, error_envelope(400, recorded.path, "Can't reschedule a cancelled booking"), {}
        if not self._free(start):
            return 400, error_envelope(400, recorded.path,
                                       "User either already has booking at this time or is not available"), {}
        new = self._booking({"eventTypeId": old["eventTypeId"], "attendee": old["attendees"][0],
                             "metadata": old.get("metadata") or {}}, start)
        new["rescheduledFromUid"] = old["uid"]
        old["status"] = "cancelled"
        old["rescheduledToUid"] = new["uid"]
        old["reschedulingReason"] = (recorded.body or {}).get("reschedulingReason")
        return 201, {"status": "success", "data": new}, {}

    def _free(self, start: datetime) -> bool:
        if any(b["start"] == _z(start) and b["status"] == "accepted" for b in self.bookings.values()):
            return False
        return self.slots is None or start in self.slots

    def _booking(self, body: dict, start: datetime) -> dict:
        self._next_id += 1
        minutes = self.durations.get(body["eventTypeId"], 30)
        attendee = dict(body.get("attendee") or {})
        uid = f"calbk{self._next_id}"
        booking = {
            "id": self._next_id, "uid": uid, "title": "Consulta", "description": "",
            "hosts": [{"id": 1, "name": "Dra. Host", "email": "host@example.com", "displayEmail": "host@example.com",
                       "username": "host", "timeZone": "America/Sao_Paulo"}],
            "status": "accepted", "start": _z(start), "end": _z(start + timedelta(minutes=minutes)),
            "duration": minutes, "eventTypeId": body["eventTypeId"],
            "eventType": {"id": body["eventTypeId"], "slug": f"evento-{body['eventTypeId']}"},
            "location": "Rua das Acácias, 120", "absentHost": False,
            "createdAt": _z(datetime.now(UTC)), "updatedAt": _z(datetime.now(UTC)),
            "metadata": body.get("metadata") or {},
            "attendees": [{"name": attendee.get("name"), "email": attendee.get("email", ""),
                           "displayEmail": attendee.get("email", ""), "timeZone": attendee.get("timeZone"),
                           "language": attendee.get("language", "en"), "absent": False,
                           "phoneNumber": attendee.get("phoneNumber")}],
            "guests": body.get("guests") or [],
            "bookingFieldsResponses": body.get("bookingFieldsResponses") or {},
        }
        self.bookings[uid] = booking
        return booking


def error_envelope(status: int, path: str, message: str = "", *, code: str = "") -> dict:
    names = {400: "BadRequestException", 401: "UnauthorizedException", 404: "NotFoundException",
             429: "ThrottlerException", 500: "InternalServerErrorException", 503: "ServiceUnavailableException"}
    text = message or {429: "ThrottlerException: Too Many Requests"}.get(status, "Internal server error")
    return {"status": "error", "timestamp": _z(datetime.now(UTC)), "path": path,
            "error": {"code": code or names.get(status, "HttpException"), "message": text,
                      "details": {"message": text, "error": names.get(status, "Error"), "statusCode": status}}}


def _parse(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- webhooks (Cal.com -> us) -------------------------------------------------------------

def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """X-Cal-Signature-256: lowercase hex HMAC-SHA256 of the raw body, no prefix."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_payload(trigger: str, *, uid: str, start: datetime | None = None, minutes: int = 30,
                    event_type_id: int = 123, phone: str | None = None, name: str = "Guest User",
                    **extra) -> dict:
    """A webhook body shaped like docs/contracts/calcom.md §3.7 (2021-10-20): wrapped in `payload`, except
    MEETING_STARTED/ENDED (flat) and BOOKING_NO_SHOW_UPDATED (its own short shape)."""
    if trigger == "BOOKING_NO_SHOW_UPDATED":
        return {"triggerEvent": trigger, "createdAt": _z(datetime.now(UTC)),
                "payload": {"message": "guest@example.com marked as no-show",
                            "attendees": [{"email": "guest@example.com", "noShow": extra.pop("no_show", True)}],
                            "bookingUid": uid, "bookingId": 31, **extra}}
    start = start or datetime(2024, 1, 1, 10, tzinfo=UTC)
    booking = {
        "bookerUrl": "https://app.example.com", "title": "Strategy Session between Organizer and Guest",
        "startTime": _z(start), "endTime": _z(start + timedelta(minutes=minutes)), "additionalNotes": "",
        "type": "standard-event-type", "description": "", "eventTypeId": event_type_id,
        "organizer": {"id": 1, "name": "Organizer Name", "email": "organizer@example.com",
                      "username": "organizer-handle", "timeZone": "UTC", "language": {"locale": "en"},
                      "timeFormat": "h:mma", "utcOffset": 0},
        "attendees": [{"email": "guest@example.com", "name": name, "firstName": "Guest", "lastName": "User",
                       "timeZone": "UTC", "language": {"locale": "en"}, "utcOffset": 0, "phoneNumber": phone}],
        "customInputs": {},
        "responses": {"name": {"label": "your_name", "value": name, "isHidden": False},
                      "email": {"label": "email_address", "value": "guest@example.com", "isHidden": False},
                      "attendeePhoneNumber": {"label": "phone_number", "isHidden": True,
                                              **({"value": phone} if phone else {})}},
        "userFieldsResponses": {}, "location": "integrations:video-provider", "destinationCalendar": None,
        "iCalUID": f"{uid}@example.com", "iCalSequence": 0, "requiresConfirmation": False,
        "organizationId": 1, "uid": uid, "eventTitle": "Strategy Session", "price": 0, "currency": "usd",
        "length": minutes, "bookingId": 100, "metadata": {"videoCallUrl": "https://app.example.com/video/" + uid},
        "status": "ACCEPTED",
    }
    booking.update(extra)
    if trigger in ("MEETING_STARTED", "MEETING_ENDED"):
        return {"triggerEvent": trigger, "id": 100, "uid": uid, "idempotencyKey": "0000", "userId": 10,
                **{k: v for k, v in booking.items() if k not in ("uid",)}}
    if trigger == "BOOKING_CANCELLED":
        booking["status"] = "CANCELLED"
        booking.setdefault("cancellationReason", "I am no longer able to attend this session.")
    return {"triggerEvent": trigger, "createdAt": _z(datetime.now(UTC)), "payload": booking}


def post_webhook(client, payload, *, secret: str | None = WEBHOOK_SECRET, signature: str | None = None):
    """POST a Cal.com webhook to the company host of `client` (a django.test.Client with HTTP_HOST)."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"HTTP_X_CAL_WEBHOOK_VERSION": "2021-10-20"}
    if signature is not None or secret is not None:
        headers["HTTP_X_CAL_SIGNATURE_256"] = signature if signature is not None else sign(body, secret)
    return client.post("/webhook/calcom", data=body, content_type="application/json", **headers)
