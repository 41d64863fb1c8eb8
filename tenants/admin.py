from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from secretaria.admin_sites import public_admin
from tenants.models import Company, Domain
from tenants.services import company_set_status


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Company, site=public_admin)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "schema_name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "created_at"]
    inlines = [DomainInline]
    actions = ["suspend", "reactivate"]

    def get_queryset(self, request):
        return super().get_queryset(request).customers()

    def has_add_permission(self, request):
        # Companies are created by provisioning (the panel's "Nova empresa", the API or
        # `manage.py provision_tenant`), which also makes the schema, the subscription and the owner.
        return False

    def changelist_view(self, request, extra_context=None):
        # The list's "add" button, though the model admin adds nothing itself (has_add_permission
        # stays False, so no "+" next to a company field elsewhere): add_view sends it on.
        return super().changelist_view(request, {"has_add_permission": True, **(extra_context or {})})

    def add_view(self, request, form_url="", extra_context=None):
        """The platform home's "Nova empresa" form (analytics/dashboard), which calls the provisioning."""
        return redirect(reverse("admin:home_company_new"))

    @admin.action(description="Suspender empresas selecionadas")
    def suspend(self, request, queryset):
        count = company_set_status(companies=queryset, status=Company.Status.SUSPENDED)
        self.message_user(request, f"{count} empresa(s) suspensa(s).")

    @admin.action(description="Reativar empresas selecionadas")
    def reactivate(self, request, queryset):
        count = company_set_status(companies=queryset, status=Company.Status.ACTIVE)
        self.message_user(request, f"{count} empresa(s) reativada(s).")
