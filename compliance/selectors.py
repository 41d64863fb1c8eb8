from compliance.models import AuditEvent
from compliance.services import audit_hash


def audit_chain_verify() -> int | None:
    """The id of the first event whose hash does not match, or None if the chain is intact."""
    prev = ""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=500):
        expected = audit_hash(prev_hash=prev, actor=event.actor, action=event.action,
                              target=event.target, data=event.data, created_at=event.created_at)
        if event.prev_hash != prev or event.hash != expected:
            return event.pk
        prev = event.hash
    return None
