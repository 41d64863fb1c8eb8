"""GET /api/analytics/recommendations, POST .../{id}/accept and .../{id}/dismiss.

Every member reads (viewer and up); accepting and dismissing are a manager's or owner's (analytics is
a "settings app" in accounts/roles.py: its change permission). Ids are looked up in the host
company's schema only, so another company's id is not found (404).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import IsCompanyMember, RoleModelPermissions, require_perm
from analytics.recommendations.api.serializers import RecommendationFilterSerializer, RecommendationSerializer
from analytics.recommendations.models import Recommendation
from analytics.recommendations.selectors import recommendation_list
from analytics.recommendations.services import recommendation_accept, recommendation_dismiss
from secretaria.api import error_responses

_CHANGE = [require_perm("analytics.change_recommendation")]


class RecommendationViewSet(viewsets.GenericViewSet):
    """The company's next best actions, newest first."""

    permission_classes = [IsCompanyMember, RoleModelPermissions]
    queryset = Recommendation.objects.none()  # tells RoleModelPermissions which model's perms apply
    serializer_class = RecommendationSerializer
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=Recommendation.Status.values,
                                     description="Só as desta situação (new, accepted, dismissed, expired).")],
        responses={200: RecommendationSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        filters = RecommendationFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(recommendation_list(status=filters.validated_data.get("status") or None))
        return self.get_paginated_response(RecommendationSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: RecommendationSerializer, **error_responses(409)},
                   description="Aceita e executa a ação (mensagens de retorno, lembretes extras). Aceitar de "
                               "novo não envia nada duas vezes. Uma recomendação descartada ou expirada: 409.")
    @action(detail=True, methods=["post"], permission_classes=_CHANGE)
    def accept(self, request, pk=None):
        row = recommendation_accept(recommendation=get_object_or_404(Recommendation, pk=pk),
                                    actor=request.user.email)
        return Response(RecommendationSerializer(row).data)

    @extend_schema(request=None, responses={200: RecommendationSerializer, **error_responses(409)},
                   description="Descarta: a situação não é lembrada de novo enquanto durar. Uma recomendação "
                               "aceita ou expirada: 409.")
    @action(detail=True, methods=["post"], permission_classes=_CHANGE)
    def dismiss(self, request, pk=None):
        row = recommendation_dismiss(recommendation=get_object_or_404(Recommendation, pk=pk),
                                     actor=request.user.email)
        return Response(RecommendationSerializer(row).data)
