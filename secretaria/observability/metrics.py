"""Our own Prometheus metrics. Everything per company carries a `company` label.

prometheus_client runs in multiprocess mode under gunicorn and Celery (the
launcher and docker-compose set PROMETHEUS_MULTIPROC_DIR), so /metrics adds up
every process's samples.
"""

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "secretaria_http_requests_total",
    "HTTP requests answered, by company, method and status code.",
    ["company", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "secretaria_http_request_duration_seconds",
    "Time to answer an HTTP request, by company.",
    ["company"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TENANT_PROVISIONING = Histogram(
    "secretaria_tenant_provisioning_seconds",
    "Time to provision one company (schema, domain, subscription, owner).",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30),
)
AUTH_LOGINS = Counter(
    "secretaria_auth_logins_total",
    "Token requests, by company and outcome.",
    ["company", "outcome"],
)
TASKS_DISPATCHED = Counter(
    "secretaria_periodic_dispatch_total",
    "Periodic jobs fanned out by the tenant dispatcher, by company and task.",
    ["company", "task"],
)

WEBHOOKS_RECEIVED = Counter(
    "secretaria_webhook_received_total",
    "Webhook deliveries, by company, provider and outcome (stored, duplicate, ignored, "
    "dead_letter, unauthorized, rejected, unroutable).",
    ["company", "provider", "status"],
)
