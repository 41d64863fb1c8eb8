"""Our own Prometheus metrics. Everything per company carries a `company` label.

prometheus_client runs in multiprocess mode under gunicorn and Celery (the
launcher and docker-compose set PROMETHEUS_MULTIPROC_DIR), so /metrics adds up
every process's samples.
"""

from prometheus_client import Counter, Gauge, Histogram

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

# --- Seeded for operations dashboards (S6, queues, Whaticket, health) ---
TASK_LATENCY = Histogram(
    "secretaria_task_latency_seconds",
    "Time a Celery task took to run, by company and task name.",
    ["company", "task"],
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
    "Messages Whaticket accepted, by company.",
    ["company"],
)
WHATICKET_SEND_RETRY = Counter(
    "secretaria_whaticket_send_retry_total",
    "Whaticket sends retried after a transient error, by company.",
    ["company"],
)
WHATICKET_ERRORS = Counter(
    "secretaria_whaticket_errors_total",
    "Whaticket sends that failed (any error, transient or permanent), by company.",
    ["company"],
)
MESSAGES_LIMITED = Counter(
    "secretaria_messages_limited_total",
    "Hits refused by a rate limit, by company and scope (sender, ip, llm).",
    ["company", "scope"],
)
INTENTION_DISTRIBUTION = Counter(
    "secretaria_intention_distribution_total",
    "Answered bursts by detected intent, by company.",
    ["company", "intent"],
)
SENTIMENT_AVERAGE = Gauge(
    "secretaria_sentiment_average_gauge",
    "Average customer sentiment (-1..1) over the last computation window, by company.",
    ["company"],
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
    "Time one language-model call took, retries included, by company and provider.",
    ["company", "provider"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60),
)
LLM_ERRORS = Counter(
    "secretaria_llm_errors_total",
    "Language-model calls without an answer, by company, provider and kind "
    "(transient, permanent, blocked, breaker_open, unexpected).",
    ["company", "provider", "kind"],
)
LLM_TOKENS = Counter(
    "secretaria_llm_tokens_total",
    "Tokens billed by the language model, by company, provider and direction (input, output).",
    ["company", "provider", "direction"],
)

OUTBOX_RESENT = Counter(
    "secretaria_outbox_resent_total",
    "Replies sent again after a worker died mid-send (the only tolerated duplicates), by company.",
    ["company"],
)

# --- Agenda (agenda/) ---
APPOINTMENTS = Counter(
    "secretaria_appointments_total",
    "Appointment events, by company, calendar provider and event (created, confirmed, cancelled, "
    "rescheduled, attended, no_show).",
    ["company", "provider", "event"],
)
APPOINTMENTS_LATENCY = Histogram(
    "secretaria_appointments_latency_seconds",
    "Time to book one appointment at the calendar (slot check and write, or the Cal.com call), by company "
    "and provider.",
    ["company", "provider"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
APPOINTMENT_REMINDERS_SENT = Counter(
    "secretaria_appointment_reminders_sent_total",
    "Appointment reminders handed to the outbox, by company and kind (scheduled, high_risk, manual).",
    ["company", "kind"],
)
FOLLOWUPS_SENT = Counter(
    "appointment_followups_sent_total",
    "Post-visit follow-up messages sent, by company.",
    ["company"],
)
FOLLOWUPS_POSITIVE = Counter(
    "appointment_followups_positive_total",
    "Follow-up answers read as positive, by company.",
    ["company"],
)
FOLLOWUPS_NEGATIVE = Counter(
    "appointment_followups_negative_total",
    "Follow-up answers read as negative (flagged for the staff), by company.",
    ["company"],
)
RISK_HIGH = Counter(
    "appointments_risk_high_total",
    "Upcoming appointments the scheduling AI scored as high no-show risk, by company.",
    ["company"],
)
AUTO_RESCHEDULED = Counter(
    "appointments_auto_rescheduled_total",
    "Rebooking offers sent to customers who missed an appointment, by company.",
    ["company"],
)
AGENDA_OPTIMIZATION_RUNS = Counter(
    "agenda_optimization_runs_total",
    "Daily scheduling-AI runs, by company and outcome (ok, error).",
    ["company", "outcome"],
)

# --- Domain events (secretaria/events) ---
EVENTS_DELIVERED = Counter(
    "secretaria_events_delivered_total",
    "Domain events handed to a subscriber after commit, by company, event and outcome (ok, failed).",
    ["company", "event", "outcome"],
)
