from celery import shared_task

from compliance.services import audit_event_record


@shared_task(name="compliance.audit_event_record")
def audit_event_record_task(
    action: str, actor: str = "", target: str = "", data: dict | None = None, key: str | None = None
) -> int:
    """Record an audit event in the schema the task was sent from (tenant-schemas-celery).

    Pass a `key` when a redelivery must not record the event twice.
    """
    return audit_event_record(action=action, actor=actor, target=target, data=data, key=key).pk
