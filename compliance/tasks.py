import structlog
from celery import shared_task
from django.utils import timezone

from compliance.selectors import audit_chain_verify
from compliance.services import audit_event_record

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
def audit_chain_verify_task() -> bool:
    """Daily, per company: check the audit trail's hash chain and record the verdict."""
    broken_at = audit_chain_verify()
    today = timezone.localdate().isoformat()
    if broken_at is not None:
        log.error("audit_chain_broken", event_id=broken_at)
        audit_event_record(action="audit.chain_broken", actor="system", data={"event_id": broken_at},
                           key=f"audit.chain_broken:{today}")
        return False
    audit_event_record(action="audit.chain_verified", actor="system", key=f"audit.chain_verified:{today}")
    return True
