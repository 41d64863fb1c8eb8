"""`secretaria_backup_last_success_timestamp_seconds{scope}`: when the last good backup finished.

Backups run in processes of their own (`make backup`, the compose `backup` service) whose samples never
reach the web's /metrics, so the value comes from the recorded backups (`tenants.BackupRecord`, in
PostgreSQL: it survives a Redis wipe and a redeploy): the worker samples it every minute
(`tenants.backup_age_sample`, beat) and a backup sets it too in its own process. scope="database": the
newest whole-database backup; scope="company": the stalest of the active companies' newest backups
(tenants/backups/selectors.py) — one series each, no company label; none for "database" until its first.
"""

import time

from prometheus_client import Gauge

from tenants.backups.selectors import backup_last_success

BACKUP_LAST_SUCCESS = Gauge(
    "secretaria_backup_last_success_timestamp_seconds",
    "Unix time of the last successful backup, by scope (database: the whole database; company: the "
    "stalest of the active companies' newest backups).",
    ["scope"],
    # The latest value set by any process: a worker's restart leaves its old file behind, and "max"
    # would let that older, fresher-looking sample hide a company that has gone stale since.
    multiprocess_mode="mostrecent",
)


def backup_age_export() -> dict[str, float]:
    """Set the gauge from the records; returns what it set."""
    values = backup_last_success()
    # No active company: nothing can be stale, so the company scope reads as "now". No database backup
    # yet: no series at all, which the alert SecretariaBackupNeverSucceeded (absent() for 26 h) is for.
    shown = {"company": values["company"] if values["company"] is not None else time.time()}
    if values["database"] is not None:
        shown["database"] = values["database"]
    for scope, value in shown.items():
        BACKUP_LAST_SUCCESS.labels(scope=scope).set(value)
    return shown
