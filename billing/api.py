"""The company's subscription over the API, under /api/billing/.

- GET  /api/billing/subscription -> plan, limits, status, period, trial end, history (any member);
- POST /api/billing/checkout {plan, provider} -> {"url"}: the provider's checkout page (owner only).

Usage per kind and day is metering's (`billing.metering.urls`, GET /api/billing/usage).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCompanyMember
from accounts.roles import Role
from billing.models import Plan, Subscription, SubscriptionChange
from billing.payments.errors import PaymentProviderError, PaymentProviderUnavailable
from billing.payments.models import PaymentEvent
from billing.payments.services import checkout_start
from billing.selectors import (
    ALLOWED,
    plan_get_active,
    subscription_effective_status,
    subscription_get,
    subscription_grace_ends_at,
    subscription_history,
)
from secretaria.api import ErrorSerializer, error_responses
from secretaria.ptbr import brl


class IsCompanyOwner(IsCompanyMember):
    """Only the company's owners: paying is theirs to decide."""

    message = "Só o proprietário da empresa pode contratar ou trocar o plano."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.user.role == Role.OWNER


# --- output ---------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    price = serializers.SerializerMethodField(help_text="Preço mensal como se escreve: \"R$ 149,00\".")
    overage_price_per_1000 = serializers.SerializerMethodField(help_text="Excedente por 1.000 mensagens, em R$.")

    class Meta:
        model = Plan
        fields = ["code", "name", "price_cents", "price", "overage_policy", "overage_price_cents_per_1000",
                  "overage_price_per_1000", "trial_days", "grace_days"]

    def get_price(self, plan: Plan) -> str:
        return brl(plan.price_cents)

    def get_overage_price_per_1000(self, plan: Plan) -> str:
        return brl(plan.overage_price_cents_per_1000)


class LimitsSerializer(serializers.Serializer):
    """Per month (messages, ai_tokens, outreach) and standing (channels, staff, professionals); 0 = unlimited."""

    messages = serializers.IntegerField(help_text="Mensagens de clientes respondidas por mês.")
    ai_tokens = serializers.IntegerField(help_text="Tokens de IA por mês.")
    outreach = serializers.IntegerField(help_text="Lembretes, follow-ups e campanhas por mês.")
    channels = serializers.IntegerField()
    staff = serializers.IntegerField()
    professionals = serializers.IntegerField()


class AllowsSerializer(serializers.Serializer):
    auto_reply = serializers.BooleanField(help_text="Respostas automáticas aos clientes.")
    ai = serializers.BooleanField()
    outreach = serializers.BooleanField(help_text="Lembretes, follow-ups e campanhas.")


class ChangeSerializer(serializers.ModelSerializer):
    from_plan = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    to_plan = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SubscriptionChange
        fields = ["occurred_at", "from_status", "to_status", "from_plan", "to_plan", "cause", "actor", "provider",
                  "reference", "note"]


class SubscriptionSerializer(serializers.Serializer):
    plan = PlanSerializer()
    limits = LimitsSerializer()
    status = serializers.ChoiceField(choices=Subscription.Status.choices,
                                     help_text="A situação agora (um teste vencido ou uma tolerância esgotada "
                                               "já contam, mesmo antes de a tarefa diária registrá-los).")
    status_label = serializers.CharField()
    allows = AllowsSerializer()
    provider = serializers.CharField(help_text="Provedor de pagamento que gerencia a assinatura (vazio: nenhum).")
    started_at = serializers.DateTimeField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    current_period_start = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    past_due_since = serializers.DateTimeField(allow_null=True)
    grace_ends_at = serializers.DateTimeField(allow_null=True, help_text="Quando uma assinatura em atraso é suspensa.")
    history = ChangeSerializer(many=True)


def _subscription_output(subscription: Subscription) -> dict:
    status = subscription_effective_status(subscription)
    return {
        **{name: getattr(subscription, name) for name in (
            "plan", "provider", "started_at", "trial_ends_at", "current_period_start", "current_period_end",
            "past_due_since")},
        "limits": subscription.plan.limits(),
        "status": status,
        "status_label": Subscription.Status(status).label,
        "allows": {what: what in ALLOWED[status] for what in ("auto_reply", "ai", "outreach")},
        "grace_ends_at": subscription_grace_ends_at(subscription),
        "history": subscription_history(subscription=subscription),
    }


class SubscriptionView(APIView):
    permission_classes = [IsCompanyMember]

    @extend_schema(summary="Plano, limites, situação, período e histórico da assinatura",
                   responses={200: SubscriptionSerializer, **error_responses(404)})
    def get(self, request):
        subscription = subscription_get(company_id=request.tenant.pk)
        if subscription is None:
            return Response({"detail": "Esta empresa não tem assinatura."}, status=404)
        return Response(SubscriptionSerializer(_subscription_output(subscription)).data)


# --- checkout -------------------------------------------------------------------------------------


class CheckoutInputSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=40, help_text="Código do plano (ex.: pro).")
    provider = serializers.ChoiceField(choices=PaymentEvent.Provider.choices,
                                       error_messages={"invalid_choice": "Provedor desconhecido: {input}."})


class CheckoutOutputSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Página de pagamento do provedor, para onde levar o proprietário.")


class CheckoutView(APIView):
    permission_classes = [IsCompanyOwner]

    @extend_schema(
        summary="Contratar um plano: o link de pagamento do provedor (só o proprietário)",
        request=CheckoutInputSerializer,
        responses={200: CheckoutOutputSerializer, **error_responses(400),
                   503: OpenApiResponse(ErrorSerializer, description="O provedor de pagamento não respondeu.")},
        examples=[OpenApiExample("Asaas", request_only=True, value={"plan": "pro", "provider": "asaas"})],
    )
    def post(self, request):
        data = CheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = plan_get_active(code=data.validated_data["plan"])
        if plan is None or plan.is_free:
            raise ValidationError({"plan": [_plan_error(data.validated_data["plan"], plan)]})
        try:
            url = checkout_start(company=request.tenant, plan=plan, provider=data.validated_data["provider"])
        except PaymentProviderUnavailable as exc:  # not configured here: the owner picks another, or asks us
            raise ValidationError({"provider": [str(exc)]}) from exc
        except PaymentProviderError as exc:
            return Response({"detail": f"O provedor de pagamento não respondeu: {exc}"}, status=503)
        return Response({"url": url})


def _plan_error(code: str, plan: Plan | None) -> str:
    if plan is None:
        return f"Plano desconhecido: {code}."
    return f"O plano {plan.name} é gratuito: não há o que pagar."

