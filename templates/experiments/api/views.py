"""/api/abtests: A/B tests on a template slot, their start, pause and stop, and their results.

Who (accounts/roles.py, templates is a settings app): every member reads; owners and managers
(`templates.change_experiment`) create, start, pause and stop. Ids are looked up in the host company's
schema only, so another company's id is simply not found (404).
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from secretaria.api import error_responses, page_of
from templates.experiments import selectors, services
from templates.experiments.api import serializers as s
from templates.experiments.models import Experiment

_PERMISSIONS = [require_perm("templates.change_experiment", reads="templates.view_experiment")]
AbTestPage = page_of(s.AbTestSerializer, "AbTestPage")


def _experiment(pk: int) -> Experiment:
    experiment = selectors.experiment_get(experiment_id=pk)
    if experiment is None:
        raise NotFound("Teste A/B não encontrado.")
    return experiment


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _shown(experiment: Experiment) -> dict:
    return s.AbTestSerializer(_experiment(experiment.pk)).data


class AbTestListView(GenericAPIView):
    permission_classes = _PERMISSIONS
    serializer_class = s.AbTestSerializer

    @extend_schema(operation_id="abtests_list", summary="Testes A/B da empresa, dos mais novos aos mais antigos",
                   responses=AbTestPage)
    def get(self, request):
        page = self.paginate_queryset(selectors.experiment_list())
        return self.get_paginated_response(s.AbTestSerializer(page, many=True).data)

    @extend_schema(
        operation_id="abtests_create",
        summary="Criar um teste A/B (rascunho) com 2 a 4 textos para um momento",
        description="Recusado (400) se outro teste estiver em andamento no mesmo momento. Inicie com "
                    "POST /api/abtests/{id}/start.",
        request=s.AbTestInputSerializer, responses={201: s.AbTestSerializer},
        examples=[OpenApiExample("Saudação", request_only=True, value={
            "slot": "greeting", "variants": [{"text": "Olá, {nome}! Como posso ajudar?"},
                                             {"text": "Oi, {nome}! Quer agendar um horário?"}],
            "epsilon": 0.1, "outcome": "booked", "window_hours": 24,
            "auto_stop": {"threshold": 0.95, "min_exposures": 200}})],
    )
    def post(self, request):
        data = _validated(s.AbTestInputSerializer, request.data)
        auto_stop = data["auto_stop"]
        experiment = services.experiment_create(
            slot=data["slot"], variant=data["variant"], name=data["name"], texts=[v["text"] for v in data["variants"]],
            epsilon=data["epsilon"], outcome=data["outcome"], window_hours=data["window_hours"],
            auto_stop=auto_stop is not None,
            auto_stop_threshold=auto_stop["threshold"] if auto_stop else 0.95,
            auto_stop_min_exposures=auto_stop["min_exposures"] if auto_stop else 100,
            actor=request.user.email)
        return Response(_shown(experiment), status=status.HTTP_201_CREATED)


class AbTestDetailView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(operation_id="abtests_retrieve", summary="Um teste A/B", responses=s.AbTestSerializer)
    def get(self, request, pk: int):
        return Response(s.AbTestSerializer(_experiment(pk)).data)


class AbTestStartView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(summary="Iniciar (ou retomar) um teste A/B: os clientes passam a ver as variações",
                   request=None, responses={200: s.AbTestSerializer, **error_responses(409)})
    def post(self, request, pk: int):
        return Response(_shown(services.experiment_start(experiment=_experiment(pk), actor=request.user.email)))


class AbTestPauseView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(summary="Pausar um teste A/B: ninguém novo é exposto; quem já viu ainda conta na janela",
                   request=None, responses={200: s.AbTestSerializer, **error_responses(409)})
    def post(self, request, pk: int):
        return Response(_shown(services.experiment_pause(experiment=_experiment(pk), actor=request.user.email)))


class AbTestStopView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(summary="Encerrar um teste A/B; com `winner`, o texto da vencedora vira o do modelo",
                   request=s.AbTestStopInputSerializer, responses={200: s.AbTestSerializer, **error_responses(409)})
    def post(self, request, pk: int):
        experiment = _experiment(pk)
        data = _validated(s.AbTestStopInputSerializer, request.data)
        return Response(_shown(services.experiment_stop(experiment=experiment, winner_id=data["winner"],
                                                        actor=request.user.email)))


class AbTestResultsView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(summary="Resultados por variação: exposições, conversões, taxa com intervalo de 95 % e "
                           "probabilidade de ser a melhor", responses=s.AbTestResultsSerializer)
    def get(self, request, pk: int):
        return Response(selectors.experiment_results(experiment=_experiment(pk)))
