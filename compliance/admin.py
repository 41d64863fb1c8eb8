from django.contrib import admin

from compliance.models import AuditEvent
from secretaria.admin_sites import tenant_admin


@admin.register(AuditEvent, site=tenant_admin)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target"]
    list_filter = ["action"]
    search_fields = ["action", "target"]

    # The trail is append-only, whatever the role.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
