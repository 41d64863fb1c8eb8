from django.contrib import admin

from compliance.audit.history import ACTIONS, entry_changes
from compliance.models import AuditArchiveSegment, AuditEvent, SettingsChange
from secretaria.admin_sites import ReadOnlyAdmin, tenant_admin


@admin.register(AuditEvent, site=tenant_admin)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor", "action", "target"]
    list_filter = ["action"]
    search_fields = ["action", "target", "actor"]
    readonly_fields = ["seq", "created_at", "actor", "action", "target", "data", "key", "prev_hash", "key_id", "hash"]


@admin.register(AuditArchiveSegment, site=tenant_admin)
class AuditArchiveSegmentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "key_id"]
    exclude = ["rows"]  # thousands of entries: exported through /api/compliance/audit/export instead
    readonly_fields = ["first_seq", "last_seq", "first_prev_hash", "last_hash", "key_id", "mac", "created_at"]


@admin.register(SettingsChange, site=tenant_admin)
class SettingsChangeAdmin(ReadOnlyAdmin):
    """django-auditlog's field-level changes of the company's settings and catalogue (read-only)."""

    list_display = ["timestamp", "object_label", "action_label", "actor_label", "changes_summary"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "actor"]
    search_fields = ["object_repr", "changes_text"]
    date_hierarchy = "timestamp"
    fields = ["timestamp", "object_label", "action_label", "actor_label", "changes_table"]
    readonly_fields = fields

    @admin.display(description="objeto", ordering="object_repr")
    def object_label(self, obj):
        model = obj.content_type.model_class()
        return f"{model._meta.verbose_name if model else obj.content_type.model}: {obj.object_repr}"

    @admin.display(description="ação", ordering="action")
    def action_label(self, obj):
        return ACTIONS.get(obj.action, obj.action)

    @admin.display(description="quem")
    def actor_label(self, obj):
        return obj.actor or "sistema"

    @admin.display(description="campos alterados")
    def changes_summary(self, obj):
        return ", ".join(label for label, _, _ in entry_changes(obj))

    @admin.display(description="alterações")
    def changes_table(self, obj):
        return "; ".join(f"{label}: {before!r} → {after!r}" for label, before, after in entry_changes(obj))


# The LGPD rights' admin (requests, consents, retention; contacts and appointments erased, not deleted).
import compliance.lgpd.admin  # noqa: E402, F401
