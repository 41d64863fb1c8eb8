"""The reports over the API, under /api/analytics/ on the company's host (every member reads):

- GET /api/analytics/summary?period=day|week|month&date=AAAA-MM-DD -> the period's figures, the previous
  period's and the change;
- GET /api/analytics/history?from=&to=&granularity=day|week -> one entry per day or ISO week;
- GET /api/analytics/funnel?from=&to= -> the funnel, per service, per professional, and the reminders'.

Figures are JSON numbers (null: "sem dados"), dates ISO, in the company's time zone.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from analytics.reports.compute import company_timezone
from analytics.reports.figures import FIGURES, Kind
from analytics.reports.selectors import (
    GRANULARITIES,
    PERIODS,
    range_check,
    report_funnel,
    report_history_json,
    report_summary,
)
from secretaria.api import error_responses

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
CanRead = require_perm("analytics.view_report", reads_too=True)


def _date_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise serializers.ValidationError("Data fora do intervalo aceito (2000 a 2100).")
    return value


def _dates_field(**kwargs) -> serializers.DateField:
    return serializers.DateField(input_formats=["iso-8601"], validators=[_date_in_range],
                                 error_messages={"invalid": "Data inválida: use o formato AAAA-MM-DD."}, **kwargs)


# --- input ------------------------------------------------------------------------------------------


class SummaryQuery(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIODS, default="day",
                                     error_messages={"invalid_choice": "Período desconhecido: use day, week ou month."})
    date = _dates_field(required=False)


class RangeQuery(serializers.Serializer):
    """`from` and `to` (inclusive), both required, at most two years apart."""

    def get_fields(self):
        return {"from": _dates_field(), "to": _dates_field()}

    def validate(self, attrs):
        try:
            range_check(date_from=attrs["from"], date_to=attrs["to"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"to": exc.messages}) from exc
        return attrs


class HistoryQuery(RangeQuery):
    def get_fields(self):
        choice = serializers.ChoiceField(choices=GRANULARITIES, default="day", error_messages={
            "invalid_choice": "Granularidade desconhecida: use day ou week."})
        return {**super().get_fields(), "granularity": choice}


# --- output -----------------------------------------------------------------------------------------


def _figure_field(figure) -> serializers.Field:
    text = f"{figure.label} ({figure.kind})" + (f": {figure.help}" if figure.help else "")
    if figure.kind == Kind.COUNT:
        return serializers.IntegerField(help_text=text)
    if figure.kind == Kind.BRL_CENTS:
        return serializers.IntegerField(allow_null=True, help_text=text + " (centavos). null: sem dados.")
    return serializers.FloatField(allow_null=True, help_text=text + ". null: sem dados.")


# One typed field per figure of the catalogue: the schema documents every key.
Figures = type("Figures", (serializers.Serializer,), {f.key: _figure_field(f) for f in FIGURES})
Changes = type("FigureChanges", (serializers.Serializer,), {
    f.key: serializers.FloatField(allow_null=True, help_text="Variação relativa (0.25 = +25 %); null sem base.")
    for f in FIGURES})


class PeriodSerializer(serializers.Serializer):
    """`from` and `to` (inclusive) and the time zone they are read in ("from" is a keyword: get_fields)."""

    def get_fields(self):
        return {"from": serializers.DateField(), "to": serializers.DateField(help_text="Inclusive."),
                "timezone": serializers.CharField(help_text="Fuso da empresa, ex.: America/Sao_Paulo."),
                **super().get_fields()}


class SummarySerializer(PeriodSerializer):
    period = serializers.ChoiceField(choices=PERIODS)
    figures = Figures()
    previous = Figures(help_text="O período anterior de mesmo tipo.")
    change = Changes()


class HistoryEntrySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Inclusive.")
    figures = Figures()


class StepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    drop = serializers.FloatField(allow_null=True,
                                  help_text="Parte que não seguiu desde a etapa anterior (0.4 = 40 %).")


class FunnelBreakdownSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    steps = StepSerializer(many=True)


class ReminderFunnelSerializer(serializers.Serializer):
    steps = StepSerializer(many=True)


class FunnelSerializer(PeriodSerializer):
    steps = StepSerializer(many=True)
    by_service = FunnelBreakdownSerializer(many=True)
    by_professional = FunnelBreakdownSerializer(many=True)
    reminders = ReminderFunnelSerializer()


# --- views ------------------------------------------------------------------------------------------

RANGE_PARAMETERS = [
    OpenApiParameter("from", date, required=True, description="Primeiro dia (AAAA-MM-DD), no fuso da empresa."),
    OpenApiParameter("to", date, required=True, description="Último dia, inclusive; no máximo 2 anos após o início."),
]


class SummaryView(APIView):
    permission_classes = [CanRead]

    @extend_schema(
        summary="Indicadores do dia, da semana ISO ou do mês, com o período anterior e a variação",
        parameters=[OpenApiParameter("period", str, enum=list(PERIODS), description="day (padrão), week ou month."),
                    OpenApiParameter("date", date, description="Um dia do período (padrão: hoje na empresa).")],
        responses={200: SummarySerializer, **error_responses(400)},
    )
    def get(self, request):
        query = SummaryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("date") or timezone.localdate(timezone=ZoneInfo(company_timezone()))
        summary = report_summary(period=query.validated_data["period"], day=day)
        return Response(SummarySerializer(summary).data)


class HistoryView(APIView):
    permission_classes = [CanRead]

    @extend_schema(
        summary="Indicadores por dia ou por semana ISO de um período (sem cálculo: zeros onde não há)",
        parameters=[*RANGE_PARAMETERS, OpenApiParameter("granularity", str, enum=list(GRANULARITIES),
                                                        description="day (padrão) ou week.")],
        responses={200: HistoryEntrySerializer(many=True), **error_responses(400)},
    )
    def get(self, request):
        query = HistoryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        # The stored figures are already JSON: copied as they are (HistoryEntrySerializer documents the shape).
        body = report_history_json(date_from=data["from"], date_to=data["to"], granularity=data["granularity"])
        return HttpResponse(body, content_type="application/json")


class FunnelView(APIView):
    permission_classes = [CanRead]

    @extend_schema(
        summary="Funil do período: conversas, intenção de agendar, horários oferecidos, agendados, compareceram",
        parameters=RANGE_PARAMETERS,
        responses={200: FunnelSerializer, **error_responses(400)},
    )
    def get(self, request):
        query = RangeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        funnel = report_funnel(date_from=query.validated_data["from"], date_to=query.validated_data["to"])
        return Response(FunnelSerializer(funnel).data)
