"""A company's host, under /api/compliance/.

The audit trail's routes come first (compliance/api/audit.py); the LGPD requests
(exports, erasures) add theirs below, in their own module.
"""

from django.urls import path

from compliance.api.audit import AuditExportView, AuditPublicKeysView, AuditVerifyView
from compliance.api.lgpd import ErasureCreateView, ExportCreateView, ExportDownloadView, ExportStatusView

urlpatterns = [
    # --- audit trail ---
    path("compliance/audit/verify", AuditVerifyView.as_view(), name="audit-verify"),
    path("compliance/audit/export", AuditExportView.as_view(), name="audit-export"),
    path("compliance/audit/public-keys", AuditPublicKeysView.as_view(), name="audit-public-keys"),
    # --- LGPD requests ---
    path("compliance/exports", ExportCreateView.as_view(), name="compliance-exports"),
    path("compliance/exports/<int:pk>", ExportStatusView.as_view(), name="compliance-export"),
    path("compliance/exports/download/<str:token>", ExportDownloadView.as_view(), name="compliance-export-download"),
    path("compliance/erasures", ErasureCreateView.as_view(), name="compliance-erasures"),
]
