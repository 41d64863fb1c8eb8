import structlog
from celery import shared_task
from django.db import connection

from compliance.audit.metrics import AUDIT_CHAINS_FAILING, AUDIT_VERIFICATION_FAILURES
from compliance.selectors import audit_chain_verify
from compliance.services import audit_event_record, audit_verdict_record
from tenants.models import AuditHead

log = structlog.get_logger(__name__)


@shared_task(name="compliance.audit_event_record")
def audit_event_record_task(
    action: str, actor: str = "", target: str = "", data: dict | None = None, key: str | None = None
) -> int:
    """Record an audit event in the schema the task was sent from (tenant-schemas-celery).

    Pass a `key` when a redelivery must not record the event twice.
    """
    return audit_event_record(action=action, actor=actor, target=target, data=data, key=key).pk


@shared_task(name="compliance.audit_chain_verify")
def audit_chain_verify_task() -> dict:
    """Daily, per company: verify the audit trail, record the verdict, feed the alert."""
    verdict = audit_chain_verify()
    audit_verdict_record(verdict=verdict)
    if not verdict.ok:
        AUDIT_VERIFICATION_FAILURES.labels(company=connection.schema_name).inc()
        log.error("audit_chain_broken", first_bad_seq=verdict.first_bad_seq, reason=verdict.reason)
    # Every company's verdict, not only this one's: the gauge is the platform's picture.
    AUDIT_CHAINS_FAILING.set(AuditHead.objects.filter(verified_ok=False).count())
    return verdict.as_dict()


# The LGPD rights' tasks (exports, erasures, retention) live with them.
from compliance.lgpd.tasks import erasure_run_task, export_build_task, retention_run_task  # noqa: E402, F401
