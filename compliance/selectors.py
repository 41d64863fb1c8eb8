"""Reads of the compliance app. The audit trail's live in compliance/audit/selectors.py."""

from compliance.audit.chain import AuditVerdict
from compliance.audit.selectors import audit_chain_verify, audit_head, audit_rows

__all__ = ["AuditVerdict", "audit_chain_verify", "audit_head", "audit_rows"]
