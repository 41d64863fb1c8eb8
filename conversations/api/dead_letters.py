"""The dead-letter queue: what failed for good, and a button to redo it.

Who may do what, and why:
- Every member may *see* the queue. It holds the same customer messages and replies any
  member already reads in the inbox, and a viewer noticing "the bot has not answered
  since 10 h" is exactly what the queue is for.
- Operators and up may *reprocess* (the `change_deadletter` permission of roles.py).
  Reprocessing answers or re-sends to customers: the same day-to-day act as a staff
  reply, which operators already perform. It cannot lose data (the row is kept and a
  repeat is a no-op), so it does not need a manager. Deleting rows stays with managers,
  in the admin.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.permissions import IsCompanyMember, RoleModelPermissions, require_perm
from conversations.core.dead_letters import OUTCOME_LABELS, dead_letter_reprocess
from conversations.core.models import DeadLetter
from secretaria.api import error_responses


def dead_letter_list(*, pending: bool | None = None, source: str = "") -> QuerySet[DeadLetter]:
    """Newest first; `pending` keeps only rows never (or only) reprocessed."""
    rows = DeadLetter.objects.order_by("-created_at", "-id")
    if pending is not None:
        rows = rows.filter(reprocessed_at__isnull=pending)
    if source:
        rows = rows.filter(source=source)
    return rows


class DeadLetterOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields = ["id", "source", "reason", "payload", "message", "created_at", "reprocessed_at", "reprocess_count"]


class ReprocessOutputSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    detail = serializers.CharField()
    dead_letter = DeadLetterOutputSerializer()


class DeadLetterFilterSerializer(serializers.Serializer):
    pending = serializers.BooleanField(required=False, allow_null=True, default=None)
    source = serializers.CharField(required=False, default="", max_length=40)


class DeadLetterViewSet(viewsets.GenericViewSet):
    """Failures kept with their payload until reprocessed (see the module docstring for roles)."""

    permission_classes = [IsCompanyMember, RoleModelPermissions]
    queryset = DeadLetter.objects.none()
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("pending", bool, description="Só as ainda não reprocessadas (true) "
                                                                  "ou só as reprocessadas (false)."),
                    OpenApiParameter("source", description="Origem, ex.: webhook:sandbox, send.")],
        responses={200: DeadLetterOutputSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        serializer = DeadLetterFilterSerializer(data=request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        page = self.paginate_queryset(dead_letter_list(**serializer.validated_data))
        return self.get_paginated_response(DeadLetterOutputSerializer(page, many=True).data)

    @extend_schema(responses=DeadLetterOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(DeadLetterOutputSerializer(get_object_or_404(DeadLetter, pk=pk)).data)

    @extend_schema(request=None, responses={200: ReprocessOutputSerializer, **error_responses(400)})
    @action(detail=True, methods=["post"],
            permission_classes=[require_perm("conversations.change_deadletter")])
    def reprocess(self, request, pk=None):
        dead_letter = get_object_or_404(DeadLetter, pk=pk)
        outcome = dead_letter_reprocess(dead_letter=dead_letter, actor=request.user)
        body = {"outcome": outcome, "detail": OUTCOME_LABELS.get(outcome, outcome), "dead_letter": dead_letter}
        return Response(ReprocessOutputSerializer(body).data)


_router = SimpleRouter()
_router.trailing_slash = "/?"
_router.register("dead-letters", DeadLetterViewSet, basename="dead-letter")
dead_letter_urlpatterns = _router.urls
