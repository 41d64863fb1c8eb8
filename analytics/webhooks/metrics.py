"""`secretaria_webhook_deliveries_total{result}` and `secretaria_webhook_delivery_duration_seconds`.

No company label on purpose: a company's endpoints are its own business, and one label per company
and result would multiply the series for nothing the delivery log does not already show.
"""

from prometheus_client import Counter, Histogram

WEBHOOK_DELIVERIES = Counter(
    "secretaria_webhook_deliveries_total",
    "Outgoing webhook attempts, by result (delivered, http_error, timeout, network_error, blocked).",
    ["result"],
)
WEBHOOK_DELIVERY_SECONDS = Histogram(
    "secretaria_webhook_delivery_duration_seconds",
    "Time from sending an outgoing webhook to its answer (or the timeout).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10),
)
