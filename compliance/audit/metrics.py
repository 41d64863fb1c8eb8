"""The audit trail's metrics (multiprocess mode, like secretaria/observability/metrics.py).

A broken trail is something an operator acts on per company (which one was tampered
with?), so the failure counter names the company; it only has series for companies that
ever failed. The gauge says how many companies' last verification failed, whichever
process ran it ("mostrecent": a worker's restart does not clear it).
"""

from prometheus_client import Counter, Gauge

AUDIT_VERIFICATION_FAILURES = Counter(
    "secretaria_audit_verification_failures_total",
    "Audit trail verifications that found the chain broken, by company.",
    ["company"],
)
AUDIT_CHAINS_FAILING = Gauge(
    "secretaria_audit_chains_failing",
    "Companies whose latest audit trail verification failed.",
    multiprocess_mode="mostrecent",
)
