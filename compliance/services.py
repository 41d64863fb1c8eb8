import hashlib
import json

from django.db import connection, transaction

from compliance.models import AuditEvent


def audit_hash(*, prev_hash: str, actor: str, action: str, target: str, data: dict, created_at) -> str:
    canonical = json.dumps(
        [prev_hash, actor, action, target, data, created_at.isoformat()],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def audit_event_record(
    *, action: str, actor: str = "", target: str = "", data: dict | None = None, key: str | None = None
) -> AuditEvent:
    """Append an event to the current company's audit trail (once per `key`, when given)."""
    data = data or {}
    # Appends are serialised per schema: two concurrent writers reading the same
    # "last hash" would fork the chain.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':audit'))")
    if key and (existing := AuditEvent.objects.filter(key=key).first()):
        return existing
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    event = AuditEvent(actor=actor, action=action, target=target, data=data, prev_hash=last, key=key)
    event.save()  # sets created_at, which the hash covers
    event.hash = audit_hash(prev_hash=last, actor=actor, action=action, target=target,
                            data=data, created_at=event.created_at)
    event.save(update_fields=["hash"])
    return event
