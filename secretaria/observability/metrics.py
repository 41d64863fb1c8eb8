"""Our own Prometheus metrics.

prometheus_client runs in multiprocess mode under gunicorn and Celery (the
launcher and docker-compose set PROMETHEUS_MULTIPROC_DIR), so /metrics adds up
every process's samples.

A `company` label only where an operator acts on that one company (its channel failing, its
language model failing, its quota, its audit trail): every other metric is the fleet's aggregate,
so /metrics stays small at thousands of companies. `COMPANY_LABELLED` below lists the exceptions
with their reason (tests/observability/test_series_budget.py holds every module to it and counts
the series); docs/alerts.md says which metrics lost the label.
"""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "secretaria_http_requests_total",
    "HTTP requests answered, by route (webhook, api, admin, probe, other), method and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "secretaria_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (webhook, api, admin, probe, other).",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TENANT_PROVISIONING = Histogram(
    "secretaria_tenant_provisioning_seconds",
    "Time to provision one company (schema, domain, subscription, owner).",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30),
)
AUTH_LOGINS = Counter(
    "secretaria_auth_logins_total",
    "Token requests, by outcome.",
    ["outcome"],
)
TASKS_DISPATCHED = Counter(
    "secretaria_periodic_dispatch_total",
    "Periodic jobs fanned out by the tenant dispatcher (one per company and run), by task.",
    ["task"],
)

WEBHOOKS_RECEIVED = Counter(
    "secretaria_webhook_received_total",
    "Webhook deliveries, by provider and outcome (stored, duplicate, ignored, dead_letter, unauthorized, "
    "rejected, unroutable, disabled, rate_limited); the company only for unauthorized, rejected and disabled.",
    ["company", "provider", "status"],
)
# The outcomes an operator fixes in one company's settings (its provider has an old URL or secret,
# its channel is off): only those name the company. The others are counted with an empty company,
# which Prometheus reads as no label at all: the fleet's count, one series per provider and outcome.
WEBHOOK_COMPANY_STATUSES = frozenset({"unauthorized", "rejected", "disabled"})


def webhook_received_count(*, company: str, provider: str, status: str) -> None:
    WEBHOOKS_RECEIVED.labels(company if status in WEBHOOK_COMPANY_STATUSES else "", provider, status).inc()


# --- Seeded for operations dashboards (S6, queues, Whaticket, health) ---
TASK_LATENCY = Histogram(
    "secretaria_task_latency_seconds",
    "Time a Celery task took to run, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90),
)
QUEUE_SIZE = Gauge(
    "secretaria_queue_size",
    "Messages waiting in a Celery queue on the broker, sampled periodically.",
    ["queue"],
    multiprocess_mode="livemax",
)
WHATICKET_SEND_SUCCESS = Counter(
    "secretaria_whaticket_send_success_total",
    "Messages Whaticket accepted.",
)
WHATICKET_SEND_RETRY = Counter(
    "secretaria_whaticket_send_retry_total",
    "Whaticket sends retried after a transient error.",
)
WHATICKET_ERRORS = Counter(
    "secretaria_whaticket_errors_total",
    "Whaticket sends that failed (any error, transient or permanent), by company.",
    ["company"],
)
MESSAGES_LIMITED = Counter(
    "secretaria_messages_limited_total",
    "Hits refused by a rate limit, by scope (sender, ip, llm).",
    ["scope"],
)
INTENTION_DISTRIBUTION = Counter(
    "secretaria_intention_distribution_total",
    "Answered bursts by detected intent.",
    ["intent"],
)
SENTIMENT_AVERAGE = Gauge(
    "secretaria_sentiment_average_gauge",
    "Average customer sentiment (-1..1) over the last computation window.",
    multiprocess_mode="livemostrecent",
)
HEALTHCHECK_FAILURES = Counter(
    "secretaria_healthcheck_failures_total",
    "Readiness checks that failed, by component.",
    ["component"],
)

# --- Language model calls (conversations/assistant/llm.py) ---
LLM_LATENCY = Histogram(
    "secretaria_llm_latency_seconds",
    "Time one language-model call took, retries included, by provider.",
    ["provider"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60),
)
LLM_ERRORS = Counter(
    "secretaria_llm_errors_total",
    "Language-model calls without an answer, by provider and kind (transient, permanent, blocked, "
    "breaker_open, unexpected); the company only for permanent ones (its key or model).",
    ["company", "provider", "kind"],
)
# A permanent error is the company's own key or model; transient ones are the provider's, a block is
# the provider working, an open breaker has its own gauge: those are counted fleet-wide (empty company).
LLM_COMPANY_KINDS = frozenset({"permanent"})


def llm_error_count(*, company: str, provider: str, kind: str) -> None:
    LLM_ERRORS.labels(company if kind in LLM_COMPANY_KINDS else "", provider, kind).inc()
LLM_TOKENS = Counter(
    "secretaria_llm_tokens_total",
    "Tokens billed by the language model, by provider and direction (input, output); per company: the meter.",
    ["provider", "direction"],
)

OUTBOX_RESENT = Counter(
    "secretaria_outbox_resent_total",
    "Replies sent again after a worker died mid-send (the only tolerated duplicates).",
)

# --- Agenda (agenda/) ---
APPOINTMENTS = Counter(
    "secretaria_appointments_total",
    "Appointment events, by calendar provider and event (created, confirmed, cancelled, "
    "rescheduled, attended, no_show).",
    ["provider", "event"],
)
APPOINTMENTS_LATENCY = Histogram(
    "secretaria_appointments_latency_seconds",
    "Time to book one appointment at the calendar (slot check and write, or the Cal.com call), by provider.",
    ["provider"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
APPOINTMENT_REMINDERS_SENT = Counter(
    "secretaria_appointment_reminders_sent_total",
    "Appointment reminders handed to the outbox, by kind (scheduled, high_risk, manual).",
    ["kind"],
)
FOLLOWUPS_SENT = Counter(
    "appointment_followups_sent_total",
    "Post-visit follow-up messages sent.",
)
FOLLOWUPS_POSITIVE = Counter(
    "appointment_followups_positive_total",
    "Follow-up answers read as positive.",
)
FOLLOWUPS_NEGATIVE = Counter(
    "appointment_followups_negative_total",
    "Follow-up answers read as negative (flagged for the staff).",
)
RISK_HIGH = Counter(
    "appointments_risk_high_total",
    "Upcoming appointments the scheduling AI scored as high no-show risk.",
)
AUTO_RESCHEDULED = Counter(
    "appointments_auto_rescheduled_total",
    "Rebooking offers sent to customers who missed an appointment.",
)
AGENDA_OPTIMIZATION_RUNS = Counter(
    "agenda_optimization_runs_total",
    "Daily scheduling-AI runs, by outcome (ok, error).",
    ["outcome"],
)

# --- Domain events (secretaria/events) ---
EVENTS_DELIVERED = Counter(
    "secretaria_events_delivered_total",
    "Domain events handed to a subscriber after commit, by event and outcome (ok, failed).",
    ["event", "outcome"],
)

# --- The promises' alerts (deploy/prometheus/alerts.yml; docs/alerts.md) ---
REPLY_LATENCY = Histogram(
    "secretaria_reply_latency_seconds",
    "From a burst's first customer message to its reply handed to the outbox (the debounce included).",
    buckets=(1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300, 600),
)
QUEUE_AGE = Gauge(
    "secretaria_queue_age_seconds",
    "How long the next task of a Celery queue has been waiting, as seen by the periodic sampler.",
    ["queue"],
    multiprocess_mode="livemax",
)
OUTBOX_RETRIES = Counter(
    "secretaria_outbox_retries_total",
    "Sends put back for another try after a transient provider error (timeouts, 429, 5xx).",
)
DEAD_LETTERS = Counter(
    "secretaria_dead_letters_total",
    "Dead-letter rows recorded (work given up on, kept for an operator), by company (the source is on the row).",
    ["company"],
)
LLM_BREAKER_OPEN = Gauge(
    "secretaria_llm_breaker_open",
    "1 while a company's language-model circuit breaker is open (or waiting for its probe), 0 once it closed.",
    ["company", "provider"],
    multiprocess_mode="mostrecent",
)
REMINDER_LAG = Histogram(
    "secretaria_reminder_lag_seconds",
    "From a reminder's due time to its hand-over to the outbox.",
    buckets=(5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200),
)

# Every metric with a `company` label, with the reason an operator needs it per company. Nothing
# else may carry the label (tests/observability/test_series_budget.py): each one multiplies its
# series by the number of companies.
COMPANY_LABELLED = {
    "secretaria_webhook_received_total": "a company's provider configured with an old URL or secret, or its "
                                          "channel off: refusals only (WEBHOOK_COMPANY_STATUSES)",
    "secretaria_whaticket_errors_total": "a company's channel failing: a revoked token, a number gone",
    "secretaria_llm_errors_total": "a company's own language-model key or model refused: permanent errors "
                                   "only (LLM_COMPANY_KINDS)",
    "secretaria_llm_breaker_open": "each company's breaker guards its own language model",
    "secretaria_dead_letters_total": "the dead letters are read and replayed in that company's panel",
    "secretaria_quota_usage_ratio": "a company's plan is used up: sales or support talk to that company",
    "secretaria_audit_verification_failures_total": "a company's audit trail was tampered with",
    # Business figures, exported only when METRICS_COMPANY_FIGURES is on (small deployments): the
    # panel and the reports API have them for every company at any scale.
    **dict.fromkeys(
        ("secretaria_funnel_step_count", "secretaria_funnel_conversion_ratio", "secretaria_funnel_reminder_step_count",
         "secretaria_nps", "secretaria_followup_score_avg", "secretaria_nps_responses", "secretaria_nps_by_source"),
        "a company's business figures, exported only with METRICS_COMPANY_FIGURES (a few companies)"),
}
