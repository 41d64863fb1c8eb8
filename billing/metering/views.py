"""GET /api/billing/usage?period=YYYY-MM: the month's usage per kind and per day, against the plan."""

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCompanyMember
from billing.metering.models import UsageKind
from billing.metering.periods import period_label, period_of, period_parse
from billing.metering.selectors import usage_days, usage_for_period
from secretaria.api import error_responses
from secretaria.ptbr import brl

LABELS = dict(UsageKind.choices)


class KindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    used = serializers.IntegerField()
    limit = serializers.IntegerField(help_text="0: ilimitado.")
    percent = serializers.FloatField(help_text="Percentual do limite do plano usado (0 quando ilimitado).")
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    cost_display = serializers.CharField()


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    kind = serializers.CharField()
    quantity = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    cost_display = serializers.CharField()


class UsageSerializer(serializers.Serializer):
    period = serializers.CharField()
    kinds = KindSerializer(many=True)
    days = DaySerializer(many=True)
    cost_total = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    cost_total_display = serializers.CharField()


def _cents(cost: Decimal) -> int:
    return int(cost * 100)


def usage_output(*, company_id: int, period) -> dict:
    figures = usage_for_period(company_id, period)
    kinds = [{"kind": f.kind, "label": LABELS.get(f.kind, f.kind), "used": f.used, "limit": f.limit,
              "percent": round(f.ratio * 100, 1), "cost": f.cost, "cost_display": brl(_cents(f.cost))}
             for f in figures.values()]
    days = [{"day": row.day, "kind": row.kind, "quantity": row.quantity, "cost": Decimal(row.cost_cents) / 100,
             "cost_display": brl(row.cost_cents)} for row in usage_days(company_id=company_id, period=period)]
    total = sum((f.cost for f in figures.values()), Decimal("0.00"))
    return {"period": period_label(period), "kinds": kinds, "days": days, "cost_total": total,
            "cost_total_display": brl(_cents(total))}


class UsageView(APIView):
    permission_classes = [IsCompanyMember]

    @extend_schema(
        summary="Uso do mês por tipo e por dia, com o percentual do plano e o custo em R$",
        parameters=[OpenApiParameter("period", str, description="Mês no formato AAAA-MM (padrão: o atual).")],
        responses={200: UsageSerializer, **error_responses(400)},
    )
    def get(self, request):
        text = request.query_params.get("period")
        period = period_of() if not text else period_parse(text)
        if period is None:
            return Response({"detail": "Período inválido: use o formato AAAA-MM (ex.: 2026-12).",
                             "field": "period"}, status=400)
        return Response(UsageSerializer(usage_output(company_id=request.tenant.pk, period=period)).data)


usage = UsageView.as_view()
