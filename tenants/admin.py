from django.contrib import admin

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
        # Companies are created by provisioning (API or `manage.py provision_tenant`),
        # which also makes the schema, the subscription and the owner.
        return False

    @admin.action(description="Suspender empresas selecionadas")
    def suspend(self, request, queryset):
        count = company_set_status(companies=queryset, status=Company.Status.SUSPENDED)
        self.message_user(request, f"{count} empresa(s) suspensa(s).")

    @admin.action(description="Reativar empresas selecionadas")
    def reactivate(self, request, queryset):
        count = company_set_status(companies=queryset, status=Company.Status.ACTIVE)
        self.message_user(request, f"{count} empresa(s) reativada(s).")
