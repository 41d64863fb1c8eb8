"""`secretaria_quota_usage_ratio{company,kind}`: the share of each plan quota used this period.

Set by the roll-up task (every minute, per company) from the live counters; 0 for an unlimited quota.
The alert rule `SecretariaQuotaExhausted` (deploy/prometheus/alerts.yml) fires above 1.
"""

from prometheus_client import Gauge

from billing.metering import counters

QUOTA_USAGE_RATIO = Gauge(
    "secretaria_quota_usage_ratio",
    "Share of the plan's monthly quota used in the current period, by company and kind (0: unlimited).",
    ["company", "kind"],
    multiprocess_mode="mostrecent",
)


def quota_ratios_export(*, schema: str, values: dict[str, str]) -> None:
    if counters.BUILT not in values:
        return
    for kind in counters.QUOTA_KINDS:
        limit = counters.limit_of(values, kind)
        QUOTA_USAGE_RATIO.labels(company=schema, kind=kind).set(
            counters.used_of(values, kind) / limit if limit else 0.0)
