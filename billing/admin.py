from django.contrib import admin

from billing.models import Plan, Subscription
from secretaria.admin_sites import public_admin


@admin.register(Plan, site=public_admin)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "price_cents", "monthly_messages", "monthly_llm_tokens", "is_active"]
    list_filter = ["is_active"]


@admin.register(Subscription, site=public_admin)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["company", "plan", "status", "started_at", "current_period_end"]
    list_filter = ["status", "plan"]
    list_select_related = ["company", "plan"]
    autocomplete_fields = ["company"]
