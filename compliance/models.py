# The audit trail's models live in their package (compliance/audit/models.py).
from compliance.audit.models import AuditArchiveSegment, AuditEvent, SettingsChange

__all__ = ["AuditArchiveSegment", "AuditEvent", "SettingsChange"]
# The LGPD rights' models (compliance/lgpd/models.py).
from compliance.lgpd.models import Consent, DataRequest, RetentionPolicy  # noqa: E402, F401
