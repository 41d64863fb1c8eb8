"""/api/feedback: scores from other systems, the NPS, and the integration keys they are sent with.

Who (accounts/roles.py, analytics is a settings app):
- ingest: a company's integration key (`Authorization: Bearer fbk_...`), or a staff token with
  `analytics.add_feedback` (managers and owners);
- the NPS: every member;
- the keys: owners and managers (`analytics.change_feedbackkey`), reads too: a key lets a system write
  in the company's name.

The ingest is the one route here called by machines from outside: like the inbound webhooks it is
limited per source IP (RATE_LIMIT_IP_PER_MINUTE, before the key is even checked, so guessing keys is
bounded too) and refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a 413; then per key or user
(FEEDBACK_INGEST_PER_MINUTE).
"""

import time

import redis
from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from accounts.authentication import TenantJWTAuthentication
from accounts.permissions import IsCompanyMember, require_perm
from agenda.reports import company_tz
from analytics.feedback import selectors, services
from analytics.feedback.api import serializers as s
from analytics.feedback.api.authentication import FeedbackKeyAuthentication
from analytics.feedback.models import FeedbackKey
from analytics.reports.api import RANGE_PARAMETERS, RangeQuery
from conversations.core.limits import ip_allow
from secretaria.api import error_responses, page_of
from secretaria.client_ip import client_ip
from secretaria.redis_client import get_redis, tenant_key
from secretaria.webhook_input import BadWebhook, raw_body

KeyPage = page_of(s.FeedbackKeySerializer, "FeedbackKeyPage")
_KEYS = [require_perm("analytics.change_feedbackkey", reads_too=True)]
_READ = [require_perm("analytics.view_feedback")]


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Corpo grande demais."


class CanIngest(IsCompanyMember):
    """A valid integration key, or a member of the company allowed to add feedback."""

    def has_permission(self, request, view):
        if isinstance(request.auth, FeedbackKey):
            return True
        return super().has_permission(request, view) and request.user.has_perm("analytics.add_feedback")


class IngestThrottle(BaseThrottle):
    """FEEDBACK_INGEST_PER_MINUTE per key (or staff user), a fixed minute in Redis; fails open with Redis
    away, as the webhooks' limits do (a score is worth more than strictness)."""

    def allow_request(self, request, view) -> bool:
        caller = f"key:{request.auth.pk}" if isinstance(request.auth, FeedbackKey) else f"user:{request.user.pk}"
        now = time.time()
        self._wait = 60 - now % 60
        counter = tenant_key("rl", "feedback", caller, str(int(now // 60)))
        try:
            pipe = get_redis().pipeline()
            pipe.incr(counter)
            pipe.expire(counter, 120)
            count, _ = pipe.execute()
        except redis.RedisError:
            return True
        return count <= settings.FEEDBACK_INGEST_PER_MINUTE

    def wait(self) -> float:
        return self._wait


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


_INGEST_EXAMPLE = OpenApiExample("Avaliação do Google", request_only=True, value={
    "external_id": "google-review-8f2a", "contact_phone": "+55 11 98888-7777", "score": 3,
    "comment": "Esperei 40 minutos além do horário.", "source": "google", "timestamp": "2026-03-02T18:30:00-03:00"})


class FeedbackIngestView(APIView):
    authentication_classes = [FeedbackKeyAuthentication, TenantJWTAuthentication]
    permission_classes = [CanIngest]
    throttle_classes = [IngestThrottle]

    def initial(self, request, *args, **kwargs):
        # Before authenticating: a caller guessing keys is limited like any other.
        if not ip_allow(ip=client_ip(request)):
            raise Throttled(detail="Muitas requisições.")
        try:
            raw_body(request._request)  # read once, under DATA_UPLOAD_MAX_MEMORY_SIZE; DRF parses this copy
        except BadWebhook as exc:
            raise PayloadTooLarge(str(exc)) from exc
        super().initial(request, *args, **kwargs)

    def throttled(self, request, wait):
        raise Throttled(wait=wait, detail="Muitas avaliações neste minuto; tente de novo em instantes.")

    @extend_schema(
        operation_id="feedback_ingest",
        summary="Receber uma avaliação (nota 0–10) de outro sistema: Google, pesquisa, CRM",
        description="Idempotente por `external_id`: o mesmo id com o mesmo conteúdo devolve 200 com a avaliação "
                    "já guardada; com outro conteúdo, 409. Um detrator (nota até 6) que deixou comentário passa a "
                    "conversa do cliente para a equipe (motivo \"feedback negativo\"), uma vez por avaliação. "
                    "Autentique com a chave de integração (`Authorization: Bearer fbk_...`) ou com o token de um "
                    "gerente ou proprietário.",
        request=s.FeedbackIngestSerializer, examples=[_INGEST_EXAMPLE],
        responses={201: s.FeedbackSerializer,
                   200: OpenApiResponse(s.FeedbackSerializer, description="Já recebida antes (mesmo external_id)."),
                   **error_responses(409, 413)},
    )
    def post(self, request):
        key = request.auth if isinstance(request.auth, FeedbackKey) else None
        with timezone.override(company_tz()):  # a timestamp without an offset is the company's local time
            data = _validated(s.FeedbackIngestSerializer, request.data)
            result = services.feedback_ingest(
                external_id=data["external_id"], score=data["score"], source=data["source"],
                contact_id=data["contact_id"], contact_phone=data["contact_phone"], comment=data["comment"],
                given_at=data["timestamp"], appointment_id=data["appointment_id"],
                professional_id=data["professional_id"], service_id=data["service_id"], key=key,
                actor="" if key else request.user.email)
            body = s.FeedbackSerializer(result.feedback).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class NpsView(APIView):
    permission_classes = _READ

    @extend_schema(
        operation_id="feedback_nps",
        summary="NPS do período: respostas do pós-atendimento e avaliações recebidas, por profissional, "
                "serviço e origem",
        parameters=RANGE_PARAMETERS,
        responses={200: s.NpsSerializer, **error_responses(400)},
    )
    def get(self, request):
        query = _validated(RangeQuery, request.query_params)
        report = selectors.nps_report(date_from=query["from"], date_to=query["to"])
        return Response(s.NpsSerializer(report).data)


class FeedbackKeyListView(GenericAPIView):
    permission_classes = _KEYS
    serializer_class = s.FeedbackKeySerializer

    @extend_schema(operation_id="feedback_keys_list", summary="Chaves de integração para enviar avaliações",
                   responses=KeyPage)
    def get(self, request):
        page = self.paginate_queryset(selectors.feedback_key_list())
        return self.get_paginated_response(s.FeedbackKeySerializer(page, many=True).data)

    @extend_schema(operation_id="feedback_keys_create",
                   summary="Criar uma chave de integração (a chave fbk_ aparece só nesta resposta)",
                   request=s.FeedbackKeyInputSerializer, responses={201: s.FeedbackKeyCreatedSerializer})
    def post(self, request):
        data = _validated(s.FeedbackKeyInputSerializer, request.data)
        key, secret = services.feedback_key_create(name=data["name"], actor=request.user.email)
        key.secret = secret
        return Response(s.FeedbackKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)


class FeedbackKeyDetailView(APIView):
    permission_classes = _KEYS

    @extend_schema(operation_id="feedback_keys_revoke",
                   summary="Revogar uma chave de integração (deixa de ser aceita na hora)", responses={204: None})
    def delete(self, request, pk: int):
        key = selectors.feedback_key_get(key_id=pk)
        if key is None:
            raise NotFound("Chave não encontrada.")
        services.feedback_key_revoke(key=key, actor=request.user.email)
        return Response(status=status.HTTP_204_NO_CONTENT)
