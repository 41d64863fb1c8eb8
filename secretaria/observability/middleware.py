import re
import time
import uuid

import structlog

from secretaria.observability.masking import redact_secrets
from secretaria.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is honoured only if it looks like one; anything else is replaced
# (it ends up in every log line, so it must not smuggle text in).
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = structlog.get_logger("secretaria.request")
# The `route` label: a handful of path families, never the path itself (nor the company: the
# series would grow with every company; docs/alerts.md). The webhook family carries the ack promise.
ROUTES = (("/webhook/", "webhook"), ("/api/", "api"), ("/admin/", "admin"),
          ("/healthz", "probe"), ("/readyz", "probe"), ("/metrics", "probe"))
# Any string is a method to Django: an unknown one must not add a series per request.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(path: str) -> str:
    return next((route for prefix, route in ROUTES if path.startswith(prefix)), "other")


class RequestContextMiddleware:
    """Correlation id, request metrics per route and one log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        structlog.contextvars.clear_contextvars()
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        response[REQUEST_ID_HEADER] = request_id
        self._record(request, response, elapsed)
        structlog.contextvars.clear_contextvars()
        return response

    @staticmethod
    def _record(request, response, elapsed: float) -> None:
        route = route_of(request.path)
        method = request.method if request.method in METHODS else "other"
        HTTP_REQUESTS.labels(route=route, method=method, status=str(response.status_code)).inc()
        HTTP_LATENCY.labels(route=route).observe(elapsed)
        if request.path in ("/healthz", "/readyz", "/metrics"):
            return  # probes every few seconds would drown the log
        # An open panel tab polls every two seconds; "nothing new" (304) is noise at info level.
        emit = log.debug if response.status_code == 304 else log.info
        emit(
            "request",
            method=request.method,
            path=redact_secrets(request.path),  # webhook URLs carry the channel's secret
            status=response.status_code,
            duration_ms=round(elapsed * 1000, 1),
        )
