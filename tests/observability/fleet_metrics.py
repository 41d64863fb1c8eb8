"""/metrics of a fleet, in prometheus_client's multiprocess mode as in production.

Run as a program (each run is one process writing its own files in PROMETHEUS_MULTIPROC_DIR, as a
gunicorn or Celery process does):

    python -m tests.observability.fleet_metrics write <role> <first company> <companies>
    python -m tests.observability.fleet_metrics render    # prints {"bytes", "series", ...} as JSON

`write` touches every metric of ours with the label values a busy fleet produces: the ones with a
`company` label once per company with what an active company shows (PER_COMPANY), the others with
every value their labels take (LABEL_VALUES: from the code where it lists them). The HTTP, webhook
and quota metrics go through the real code that counts them; the rest are touched directly.
tests/observability/test_series_budget.py runs it and holds the result to the budget.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys

# A long-running fleet's label values, per label name (the `company` label excepted).
HTTP_STATUSES = ("200", "201", "204", "302", "304", "400", "401", "403", "404", "405", "409", "429", "500", "503")
LABEL_VALUES = {
    "method": ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"),
    "status": HTTP_STATUSES,
    "outcome": ("ok", "failed", "error", "success", "invalid", "locked", "rate_limited"),
    "scope": ("sender", "ip", "llm"),
    "component": ("database", "redis", "worker", "beat"),
    "queue": ("celery", "reports"),
    "provider": ("openai", "gemini", "builtin", "calcom", "asaas", "stripe"),
    "direction": ("input", "output"),
    "event": ("created", "confirmed", "cancelled", "rescheduled", "attended", "no_show"),
    "kind": ("scheduled", "high_risk", "manual"),
    "slot": tuple(f"slot_{n}" for n in range(40)),
    "reason": ("manual", "auto"),
    "result": ("delivered", "http_error", "timeout", "network_error", "blocked"),
    "type": tuple(f"event_{n}" for n in range(12)),
    # Where one metric's label takes other values than the name's usual ones: "<metric>:<label>".
    "secretaria_billing_events_total:provider": ("asaas", "stripe"),
    "secretaria_billing_events_total:result": ("applied", "ignored_older", "ignored_type", "unmapped", "rejected",
                                               "duplicate", "unauthorized", "bad_request", "too_large"),
    "secretaria_appointments_total:provider": ("builtin", "calcom"),
    "secretaria_appointments_latency_seconds:provider": ("builtin", "calcom"),
}


def _label_values() -> dict[str, tuple[str, ...]]:
    """LABEL_VALUES completed from the code: the routes, intents, Celery tasks and domain events."""
    from celery_app import app
    from conversations.turns import Intent
    from secretaria.events import catalogue
    from secretaria.events.bus import DomainEvent
    from secretaria.observability.middleware import ROUTES

    events = [c.name() for c in vars(catalogue).values()
              if isinstance(c, type) and issubclass(c, DomainEvent) and c is not DomainEvent]
    return {**LABEL_VALUES, "route": (*dict.fromkeys(r for _p, r in ROUTES), "other"),
            "intent": tuple(Intent), "task": tuple(n for n in app.tasks if not n.startswith("celery.")),
            "secretaria_events_delivered_total:event": tuple(events)}


def label_domain(values: dict, metric: str, label: str) -> tuple[str, ...]:
    return values.get(f"{metric}:{label}") or values[label]


# What an active company shows in each metric with a `company` label (the other labels' values).
# Every company in its worst week: a refused webhook, a failed send, a refused key, an open breaker,
# dead letters, every quota and a broken audit trail.
PER_COMPANY = {
    "secretaria_webhook_received_total": [{"provider": "whaticket", "status": s}
                                          for s in ("stored", "duplicate", "ignored", "unauthorized")],
    "secretaria_whaticket_errors_total": [{}],
    "secretaria_llm_errors_total": [{"provider": "openai", "kind": k} for k in ("transient", "permanent", "blocked")],
    "secretaria_llm_breaker_open": [{"provider": "openai"}],
    "secretaria_dead_letters_total": [{}],
    "secretaria_quota_usage_ratio": [{"kind": k} for k in ("messages", "ai_tokens", "outreach")],
    "secretaria_audit_verification_failures_total": [{}],
}


METRIC_MODULES = ("secretaria.observability.metrics", "analytics.feedback.metrics", "analytics.reports.metrics",
                  "analytics.webhooks.metrics", "billing.metering.metrics", "billing.payments.metrics",
                  "compliance.audit.metrics", "templates.experiments.metrics")


def company(n: int) -> str:
    return f"empresa_{n:05d}_salao"  # a schema name of a realistic length


def _metrics() -> dict[str, object]:
    """Every metric of ours, by its declared name (a counter's with `_total`)."""
    from prometheus_client import REGISTRY

    for module in METRIC_MODULES:
        importlib.import_module(module)  # metrics are declared (registered) on import
    found = {}
    for collector in list(REGISTRY._collector_to_names):
        name = getattr(collector, "_name", "")
        if name.startswith(("secretaria_", "appointment", "agenda_")):
            found[name + ("_total" if collector._type == "counter" else "")] = collector
    return found


def _touch(child) -> None:
    for method, value in (("observe", 0.3), ("set", 1), ("inc", 1)):
        if hasattr(child, method):
            getattr(child, method)(value)
            return


def _write_fleet_wide(metrics: dict, values: dict) -> None:
    """Each metric without a company label, over every combination of its labels' values."""
    from secretaria.observability.metrics import COMPANY_LABELLED

    for name, metric in metrics.items():
        labels = metric._labelnames
        if "company" in labels or name in COMPANY_LABELLED:
            continue
        if not labels:
            _touch(metric)
            continue
        domains = [label_domain(values, name, label) for label in labels]
        for combo in itertools.product(*domains):
            _touch(metric.labels(*combo))


def _view_names() -> set[str]:
    from django.urls import URLResolver, get_resolver

    def walk(resolver: URLResolver):
        for pattern in resolver.url_patterns:
            yield from walk(pattern) if isinstance(pattern, URLResolver) else [pattern.name or pattern.lookup_str]

    return {name for urls in ("secretaria.urls_tenant", "secretaria.urls_public") for name in walk(get_resolver(urls))}


def _write_django_prometheus() -> None:
    """django-prometheus' request metrics per view (no company, but every view of a long-lived server:
    GET 200 everywhere, a POST answered 302 or 400 on one in three)."""
    from django_prometheus.middleware import Metrics

    metrics = Metrics.get_instance()
    for n, view in enumerate(sorted(_view_names())):
        answers = [("GET", "200")] + ([("POST", "302"), ("POST", "400")] if n % 3 == 0 else [])
        for method, status in answers:
            metrics.requests_latency_by_view_method.labels(view=view, method=method).observe(0.05)
            metrics.requests_by_view_transport_method.labels(view=view, transport="http", method=method).inc()
            metrics.responses_by_status_view_method.labels(status=status, view=view, method=method).inc()


def _write_web(first: int, count: int) -> None:
    """What the web processes count, through the real code: requests by route, webhooks per company."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from conversations.api.webhooks import _reply
    from secretaria.observability.middleware import RequestContextMiddleware

    factory = RequestFactory()
    for path in ("/webhook/whaticket/x", "/api/me", "/admin/", "/healthz", "/"):
        for status in HTTP_STATUSES:
            RequestContextMiddleware._record(factory.get(path), HttpResponse(status=int(status)), 0.02)
    _write_django_prometheus()
    for n in range(first, first + count):
        for labels in PER_COMPANY["secretaria_webhook_received_total"]:
            _reply(200, "ok", kind=labels["provider"], company=company(n), outcome=labels["status"])


def _write_worker(metrics: dict, first: int, count: int) -> None:
    """What the workers count per company: the quota ratios through the roll-up's export, the language
    model's errors through the count the LLM client calls, the rest directly."""
    from billing.metering import counters
    from billing.metering.metrics import quota_ratios_export
    from secretaria.observability.metrics import llm_error_count

    used = {counters.BUILT: "1", **{kind: "50" for kind in counters.QUOTA_KINDS},
            **{f"limit:{kind}": "100" for kind in counters.QUOTA_KINDS}}
    through_code = ("secretaria_webhook_received_total", "secretaria_quota_usage_ratio", "secretaria_llm_errors_total")
    for n in range(first, first + count):
        schema = company(n)
        quota_ratios_export(schema=schema, values=used)
        for labels in PER_COMPANY["secretaria_llm_errors_total"]:
            llm_error_count(company=schema, **labels)
        for name, combos in PER_COMPANY.items():
            if name in through_code:
                continue
            for labels in combos:
                _touch(metrics[name].labels(company=schema, **labels))


def write(role: str, first: int, count: int) -> None:
    metrics = _metrics()
    if role == "web":
        _write_web(first, count)
    else:
        _write_worker(metrics, first, count)
        _write_fleet_wide(metrics, _label_values())


def render() -> dict:
    """GET /metrics through the real view, as Prometheus does from an allowed address."""
    from django.test import RequestFactory
    from prometheus_client.parser import text_string_to_metric_families

    from secretaria.observability.views import metrics

    response = metrics(RequestFactory().get("/metrics", REMOTE_ADDR="127.0.0.1"))
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    parsed = list(text_string_to_metric_families(text))
    families = {f.name: len(f.samples) for f in parsed}
    per_company = sum(1 for f in parsed for sample in f.samples if sample.labels.get("company"))
    return {"bytes": len(response.content), "series": sum(families.values()), "company_series": per_company,
            "families": families}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    if argv[0] == "write":
        write(argv[1], int(argv[2]), int(argv[3]))
    else:
        print(json.dumps(render()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
