"""The payment providers' metric. Declared with the code that counts it (prometheus_client's registry
is process-wide, so /metrics exports it like those of secretaria/observability/metrics.py)."""

from prometheus_client import Counter

BILLING_EVENTS = Counter(
    "secretaria_billing_events_total",
    "Payment provider webhook deliveries, by provider, event type and result (applied, ignored_older, "
    "ignored_type, unmapped, rejected, duplicate, unauthorized, bad_request, too_large).",
    ["provider", "type", "result"],
)
