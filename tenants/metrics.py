"""The fleet's periodic jobs and migration state, as Prometheus series.

No `company` label here: with 1,000 companies a per-company histogram would be 1,000 x buckets series
per task. Which company was slow is in the logs (`periodic_job_finished`, with the company bound).
"""

from prometheus_client import Counter, Gauge, Histogram

PERIODIC_JOB_SECONDS = Histogram(
    "secretaria_periodic_job_seconds",
    "Time one company's run of a periodic task took, by task (every company in one histogram; a task belongs "
    "to one cadence).",
    ["task"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
)
PERIODIC_JOBS = Counter(
    "secretaria_periodic_jobs_total",
    "Periodic tasks run for a company, by task and outcome (ok, failed, timeout: the company's budget ran "
    "out before or during it).",
    ["task", "outcome"],
)
PERIODIC_RUNS = Counter(
    "secretaria_periodic_runs_total",
    "A company's periodic run as the worker saw it, by cadence and outcome (ran, retried: no free slot yet, "
    "duplicate: already run this period, busy: the company's previous run still going, expired).",
    ["cadence", "outcome"],
)
PERIODIC_DISPATCHED = Counter(
    "secretaria_periodic_dispatched_total",
    "Companies considered by the dispatcher, by cadence and outcome (sent, claimed: another dispatcher "
    "sent it this period, lagging: schema behind the code).",
    ["cadence", "outcome"],
)
PERIODIC_DISPATCH_SECONDS = Histogram(
    "secretaria_periodic_dispatch_seconds",
    "Time one dispatcher cycle took to read the companies, claim them and send their jobs, by cadence.",
    ["cadence"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SCHEMAS_LAGGING = Gauge(
    "secretaria_schemas_lagging",
    "Company schemas (the template included) whose migrations are behind this process's code, at the last check.",
    multiprocess_mode="livemax",
)
