"""Platform admin: what the payment providers sent, above all the events kept for review
(`unmapped`: no company matched; `rejected`: could not be applied). Read-only: an event is
evidence of what a provider said, never edited by hand."""

from django.contrib import admin

from billing.payments.models import PaymentEvent, ProviderState
from secretaria.admin_sites import ReadOnlyAdmin, public_admin


@admin.register(PaymentEvent, site=public_admin)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "type", "status", "company", "company_ref", "event_id")
    list_filter = ("status", "provider", "type")
    search_fields = ("event_id", "company_ref", "company__slug", "company__name")
    date_hierarchy = "received_at"
    list_select_related = ("company",)
    readonly_fields = ("provider", "event_id", "type", "company", "company_ref", "status", "error",
                       "object_timestamp", "received_at", "payload")


@admin.register(ProviderState, site=public_admin)
class ProviderStateAdmin(ReadOnlyAdmin):
    list_display = ("company", "provider", "plan_code", "last_applied_at", "customer_ref", "subscription_ref")
    list_filter = ("provider",)
    search_fields = ("company__slug", "company__name", "customer_ref", "subscription_ref")
    list_select_related = ("company",)
