"""Writes of the compliance app. The audit trail's live in compliance/audit/services.py; the
ones other apps call are named here."""

from compliance.audit.services import (
    AuditChainBroken,
    audit_archive_before,
    audit_archive_segment,
    audit_event_record,
    audit_export_create,
    audit_verdict_record,
)

__all__ = [
    "AuditChainBroken", "audit_archive_before", "audit_archive_segment", "audit_event_record",
    "audit_export_create", "audit_verdict_record",
]
