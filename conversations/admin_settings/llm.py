"""The language model on the admin: its settings (with "Testar conexão") and what its calls cost.

The cost of each call comes from billing's price table (billing/metering/prices.py), the same
figure the usage meter adds up, shown in reais; the list's totals follow its filters.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import redirect
from django.urls import path

from billing.metering.prices import cost_pico_brl, pico_per_token
from conversations.admin_settings.base import (
    ConnectionCheckMixin,
    ReadOnlyAdmin,
    SecretKeepingForm,
    SettingsAdmin,
    https_urls,
)
from conversations.admin_settings.fields import brl_small
from conversations.assistant.checks import llm_connection_check
from conversations.assistant.llm import llm_config_get
from conversations.assistant.models import LLMCall, LLMConfig
from secretaria.admin_sites import tenant_admin

OUTCOMES = {"ok": "respondeu", "blocked": "bloqueada pelo provedor", "error": "erro",
            "breaker_open": "IA pausada após falhas", "quota": "cota de IA esgotada", "local": "motor offline",
            "fallback": "motor offline"}


class LLMConfigForm(SecretKeepingForm):
    secret_fields = ("api_key",)

    class Meta:
        model = LLMConfig
        fields = ["provider", "model", "api_key", "base_url"]
        formfield_callback = https_urls


@admin.register(LLMConfig, site=tenant_admin)
class LLMConfigAdmin(ConnectionCheckMixin, SettingsAdmin):
    form = LLMConfigForm
    secret_fields = LLMConfigForm.secret_fields
    list_display = ["provider", "model", "updated_at"]

    def current_view(self, request):
        """The company's one AI configuration, straight away (the settings screen links here)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return redirect("tenant_admin:conversations_llmconfig_change", llm_config_get().pk)

    def get_urls(self):
        current = path("atual/", self.admin_site.admin_view(self.current_view), name="conversations_llmconfig_current")
        return [current, *super().get_urls()]

    def connection_check(self, obj):
        return llm_connection_check()


def _titled(title: str) -> type[admin.AllValuesFieldListFilter]:
    """A list filter on a field's values under a pt-BR title (the field itself has none)."""

    class Titled(admin.AllValuesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def llm_call_totals(calls) -> dict:
    """Calls, tokens and their cost (pico-reais) of a queryset of LLMCall rows, summed per model in SQL
    (a cost is linear in the tokens, so this equals the sum of the calls' costs)."""
    totals = {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost_pico": 0}
    for row in calls.order_by().values("model").annotate(n=Count("id"), tokens_in=Sum("input_tokens"),
                                                          tokens_out=Sum("output_tokens")):
        prompt, completion = pico_per_token(row["model"])
        totals["calls"] += row["n"]
        totals["input_tokens"] += row["tokens_in"] or 0
        totals["output_tokens"] += row["tokens_out"] or 0
        totals["cost_pico"] += prompt * (row["tokens_in"] or 0) + completion * (row["tokens_out"] or 0)
    totals["cost"] = brl_small(totals["cost_pico"])
    return totals


@admin.register(LLMCall, site=tenant_admin)
class LLMCallAdmin(ReadOnlyAdmin):
    list_display = ["when", "provider_name", "model_name", "result", "tokens_in", "tokens_out", "latency", "cost"]
    list_filter = [("provider", _titled("provedor")), ("outcome", _titled("resultado"))]
    date_hierarchy = "created_at"
    change_list_template = "settings_panel/llmcall_change_list.html"

    @admin.display(description="quando", ordering="created_at")
    def when(self, obj):
        return obj.created_at

    @admin.display(description="provedor", ordering="provider")
    def provider_name(self, obj):
        return LLMConfig.Provider(obj.provider).label if obj.provider in LLMConfig.Provider.values else obj.provider

    @admin.display(description="modelo", ordering="model")
    def model_name(self, obj):
        return obj.model or "—"

    @admin.display(description="resultado", ordering="outcome")
    def result(self, obj):
        return OUTCOMES.get(obj.outcome, obj.outcome)

    @admin.display(description="tokens de entrada", ordering="input_tokens")
    def tokens_in(self, obj):
        return obj.input_tokens

    @admin.display(description="tokens de saída", ordering="output_tokens")
    def tokens_out(self, obj):
        return obj.output_tokens

    @admin.display(description="tempo de resposta", ordering="latency_ms")
    def latency(self, obj):
        return f"{obj.latency_ms / 1000:.1f} s".replace(".", ",") if obj.latency_ms else "—"

    @admin.display(description="custo (R$)")
    def cost(self, obj):
        if not (obj.input_tokens or obj.output_tokens):
            return "—"
        return brl_small(cost_pico_brl(model=obj.model, input_tokens=obj.input_tokens,
                                       output_tokens=obj.output_tokens))

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # the totals follow the page's filters and search
            response.context_data["totals"] = llm_call_totals(changelist.queryset)
        return response
