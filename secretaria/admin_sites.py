"""Two admin sites: the platform's (public host) and each company's (its own host).

Django's default registry is global; with django-tenants that would show every
model on every host. Each model registers on exactly one of these instead.
"""

from django.contrib import admin
from django.db import connection


class PublicAdminSite(admin.AdminSite):
    site_header = "Secretaria — plataforma"
    site_title = "Secretaria (plataforma)"
    index_title = "Empresas, planos e assinaturas"

    def has_permission(self, request):
        return (
            connection.schema_name == "public"
            and request.user.is_active
            and request.user.is_superuser
        )


class TenantAdminSite(admin.AdminSite):
    site_header = "Secretaria"
    site_title = "Secretaria"
    index_title = "Painel da empresa"

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"Secretaria — {tenant.name}"
        return context

    def has_permission(self, request):
        # Any staff member with a role enters; what they see and change is then
        # decided per model by their role's permissions (accounts/roles.py).
        return (
            connection.schema_name != "public"
            and request.user.is_active
            and request.user.is_staff
            and request.user.role is not None
        )


public_admin = PublicAdminSite(name="public_admin")
tenant_admin = TenantAdminSite(name="tenant_admin")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write and nobody edits, whatever the role (records, trails, logs)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
