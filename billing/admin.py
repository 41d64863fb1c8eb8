"""The platform admin's billing pages (public host): plans, and the companies' subscriptions.

The subscriptions list is the platform's view of its customers: each company with its plan,
status and share of each monthly limit used (sortable), and the actions suspend / reactivate /
change plan, each recorded in the history with cause "admin" and who did it. Status and plan
are never edited in the form: only the actions change them, so nothing escapes the history.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Case, FloatField, Value, When
from django_tenants.utils import schema_context

from billing.metering.models import QuotaContact
from billing.metering.selectors import usage_for_period
from billing.models import NO_NEGATIVE_PRICE, Plan, Subscription, SubscriptionChange
from billing.payments.models import PaymentEvent
from billing.selectors import subscription_effective_status
from billing.services import plan_change, subscription_cancel, subscription_reactivate, subscription_suspend
from secretaria.admin_sites import ReadOnlyAdmin, public_admin
from secretaria.panel.formats import phone
from secretaria.ptbr import brl
from tenants.selectors import schemas_existing

USAGE_COLUMNS = {"messages": "usage_messages", "ai_tokens": "usage_ai_tokens", "outreach": "usage_outreach"}


def _reais(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2, min_value=Decimal(0), localize=True,
                              error_messages={"min_value": NO_NEGATIVE_PRICE})


class PlanForm(forms.ModelForm):
    """Prices typed in reais ("149,00"), kept in cents."""

    price = _reais("preço mensal (R$)")
    overage_price = _reais("preço do excedente por 1.000 mensagens (R$)")

    class Meta:
        model = Plan
        fields = ["code", "name", "is_active", "monthly_messages", "monthly_llm_tokens", "monthly_outreach",
                  "max_channels", "max_staff", "max_professionals", "overage_policy", "trial_days", "grace_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price"].initial = _cents_to_reais(self.instance.price_cents)
        self.fields["overage_price"].initial = _cents_to_reais(self.instance.overage_price_cents_per_1000)
        for name, field in self.fields.items():
            message = _model_message(name, "min_value")
            if message:  # the model's "não pode ser negativo (use 0 para ilimitado)", not the generic one
                field.error_messages["min_value"] = message

    def clean(self):
        data = super().clean()
        if data.get("price") is not None:
            self.instance.price_cents = int(data["price"] * 100)
        if data.get("overage_price") is not None:
            self.instance.overage_price_cents_per_1000 = int(data["overage_price"] * 100)
        return data


@admin.register(Plan, site=public_admin)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = ["code", "name", "price_brl", "monthly_messages", "monthly_llm_tokens", "monthly_outreach",
                    "max_channels", "max_staff", "max_professionals", "overage_policy", "trial_days", "grace_days",
                    "is_active"]
    list_filter = ["is_active", "overage_policy"]
    fieldsets = [
        (None, {"fields": ["code", "name", "price", "is_active"]}),
        ("Limites por mês (0 = ilimitado)", {"fields": ["monthly_messages", "monthly_llm_tokens", "monthly_outreach"]}),
        ("Limites da conta (0 = ilimitado)", {"fields": ["max_channels", "max_staff", "max_professionals"]}),
        ("Ao atingir o limite", {"fields": ["overage_policy", "overage_price"]}),
        ("Teste e tolerância", {"fields": ["trial_days", "grace_days"]}),
    ]

    @admin.display(description="preço mensal", ordering="price_cents")
    def price_brl(self, plan: Plan) -> str:
        return brl(plan.price_cents)

    def has_delete_permission(self, request, obj=None):
        return False  # plans are kept (subscriptions and their history point at them): mark unavailable


class PlanChangeActionForm(ActionForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True), required=False,
                                  label="Novo plano", empty_label="(para “Mudar de plano”)")


class SubscriptionChangeInline(admin.TabularInline):
    model = SubscriptionChange
    extra = 0
    can_delete = False
    fields = ["occurred_at", "from_status", "to_status", "from_plan", "to_plan", "cause", "actor", "provider_label",
              "reference", "note"]
    readonly_fields = fields
    ordering = ["-occurred_at", "-id"]
    verbose_name_plural = "histórico"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="provedor")
    def provider_label(self, change: SubscriptionChange) -> str:
        return _provider(change.provider)


@admin.register(Subscription, site=public_admin)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["company", "plan", "status_now", "messages_pct", "ai_tokens_pct", "outreach_pct",
                    "current_period_end"]
    list_filter = ["status", "plan"]
    list_select_related = ["company", "plan"]
    search_fields = ["company__name", "company__slug"]
    readonly_fields = ["company", "plan", "status", "started_at", "trial_ends_at", "current_period_start",
                       "current_period_end", "past_due_since", "canceled_at", "provider_label", "state_at"]
    fields = readonly_fields
    inlines = [SubscriptionChangeInline]
    action_form = PlanChangeActionForm
    actions = ["suspend", "reactivate", "cancel", "change_plan"]

    def has_add_permission(self, request):
        return False  # provisioning subscribes every company

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).exclude(company__schema_name__in=["public", "tenant_template"])
        match = getattr(request, "resolver_match", None)
        if match is None or not match.url_name.endswith("_changelist"):
            return queryset
        # Usage lives in metering (Redis, rolled up to PostgreSQL): fold each company's figures into
        # the query as constants, so the columns sort and paginate like any other.
        ratios = _usage_ratios(queryset.values_list("company_id", "company__schema_name"))
        return queryset.annotate(**{
            column: Case(*[When(company_id=cid, then=Value(r.get(kind, 0.0))) for cid, r in ratios.items()],
                         default=Value(0.0), output_field=FloatField())
            for kind, column in USAGE_COLUMNS.items()
        })

    @admin.display(description="provedor")
    def provider_label(self, subscription: Subscription) -> str:
        return _provider(subscription.provider)

    @admin.display(description="situação", ordering="status")
    def status_now(self, subscription: Subscription) -> str:
        effective = subscription_effective_status(subscription)
        if effective == subscription.status:
            return subscription.get_status_display()
        return f"{Subscription.Status(effective).label} (era {subscription.get_status_display().lower()})"

    @admin.display(description="mensagens", ordering="usage_messages")
    def messages_pct(self, subscription) -> str:
        return _pct(getattr(subscription, "usage_messages", None))

    @admin.display(description="tokens de IA", ordering="usage_ai_tokens")
    def ai_tokens_pct(self, subscription) -> str:
        return _pct(getattr(subscription, "usage_ai_tokens", None))

    @admin.display(description="mensagens ativas", ordering="usage_outreach")
    def outreach_pct(self, subscription) -> str:
        return _pct(getattr(subscription, "usage_outreach", None))

    @admin.action(description="Suspender assinaturas selecionadas")
    def suspend(self, request, queryset):
        self._each(request, queryset, subscription_suspend, "suspensa(s)")

    @admin.action(description="Reativar assinaturas selecionadas")
    def reactivate(self, request, queryset):
        self._each(request, queryset, subscription_reactivate, "reativada(s)")

    @admin.action(description="Cancelar assinaturas selecionadas")
    def cancel(self, request, queryset):
        self._each(request, queryset, subscription_cancel, "cancelada(s)")

    def _each(self, request, queryset, service, done: str) -> None:
        """One service call per selected subscription, recorded as the admin's (cause and actor)."""
        for subscription in queryset.select_related("company"):
            service(company=subscription.company, cause=SubscriptionChange.Cause.ADMIN, actor=request.user)
        self.message_user(request, f"{queryset.count()} assinatura(s) {done}.")

    @admin.action(description="Mudar de plano (escolha o novo plano ao lado)")
    def change_plan(self, request, queryset):
        plan = Plan.objects.filter(pk=request.POST.get("plan") or None, is_active=True).first()
        if plan is None:
            self.message_user(request, "Escolha o novo plano antes de aplicar.", level=messages.ERROR)
            return
        try:
            for subscription in queryset.select_related("company"):
                plan_change(company=subscription.company, plan_code=plan.code,
                            cause=SubscriptionChange.Cause.ADMIN, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return
        self.message_user(request, f"{queryset.count()} assinatura(s) agora no plano {plan.name}.")


class ProviderFilter(admin.SimpleListFilter):
    """The payment provider by name; the column has no choices of its own (empty: the platform's change)."""

    title = "provedor"
    parameter_name = "provedor"

    def lookups(self, request, model_admin):
        return PaymentEvent.Provider.choices

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


@admin.register(SubscriptionChange, site=public_admin)
class SubscriptionChangeAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "subscription", "from_status", "to_status", "from_plan", "to_plan", "cause",
                    "actor", "provider_label", "reference"]
    list_filter = ["cause", "to_status", ProviderFilter]
    list_select_related = ["subscription__company", "from_plan", "to_plan"]
    search_fields = ["subscription__company__name", "subscription__company__slug", "actor", "reference"]

    @admin.display(description="provedor", ordering="provider")
    def provider_label(self, change: SubscriptionChange) -> str:
        return _provider(change.provider)


def _usage_ratios(companies) -> dict[int, dict[str, float]]:
    """kind -> share of the limit used this period, per company id. Metering reads (and, after a Redis
    wipe, rebuilds) each company's counters from its own schema's rows, so each is read inside it."""
    existing = schemas_existing()
    ratios = {}
    for company_id, schema in companies:
        if schema not in existing:  # mid-provisioning
            continue
        with schema_context(schema):
            figures = usage_for_period(company_id)
        ratios[company_id] = {kind: figure.ratio for kind, figure in figures.items()}
    return ratios


def _cents_to_reais(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _model_message(name: str, code: str) -> str | None:
    try:
        return Plan._meta.get_field(name).error_messages.get(code)
    except FieldDoesNotExist:  # a form-only field (the prices in reais)
        return None


def _provider(code: str) -> str:
    """"stripe" -> "Stripe"; "" (no provider: the platform itself) -> "—"."""
    return dict(PaymentEvent.Provider.choices).get(code, code) or "—"


def _pct(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return f"{ratio * 100:.0f} %".replace(".", ",")

@admin.register(QuotaContact, site=public_admin)
class QuotaContactAdmin(admin.ModelAdmin):
    """The owner's WhatsApp for quota alerts (the e-mail goes to every owner user of the company)."""

    list_display = ("company", "whatsapp_shown")
    search_fields = ("company__name", "company__slug", "whatsapp")
    autocomplete_fields = ("company",)

    @admin.display(description="WhatsApp do proprietário", ordering="whatsapp")
    def whatsapp_shown(self, contact: QuotaContact) -> str:
        return phone(contact.whatsapp) or "—"


# The payment providers' events and states (billing/payments/admin.py) register on the same site.
from billing.payments import admin as _payments_admin  # noqa: E402, F401
