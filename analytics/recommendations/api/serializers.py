"""Input and output of the recommendations API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.recommendations.actions import ACTION_LABELS, ACTIONS, action_link
from analytics.recommendations.models import Recommendation


class RecommendationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Recommendation.Status.choices, required=False, allow_blank=True,
                                     error_messages={"invalid_choice": "Situação desconhecida: use new, accepted, "
                                                                       "dismissed ou expired."})


class RecommendationSerializer(serializers.ModelSerializer):
    """One recommendation: its numbers in the title and in `evidence`, its status and its action."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    action = serializers.SerializerMethodField(help_text="O que aceitar faz (ou onde agir, se não há ação automática).")
    action_automatic = serializers.SerializerMethodField(help_text="Aceitar executa a ação (mensagens, lembretes).")
    action_link = serializers.SerializerMethodField(help_text="Página do painel onde agir; vazio se não há.")
    is_open = serializers.BooleanField(read_only=True, help_text="A situação ainda existe.")

    class Meta:
        model = Recommendation
        fields = ["id", "kind", "kind_display", "title", "evidence", "importance", "status", "status_display",
                  "action", "action_automatic", "action_link", "result", "decided_by", "decided_at", "created_at",
                  "refreshed_at", "closed_at", "is_open"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_action(self, row: Recommendation) -> str:
        return ACTION_LABELS.get(row.kind, "")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_action_automatic(self, row: Recommendation) -> bool:
        return row.kind in ACTIONS

    @extend_schema_field(OpenApiTypes.STR)
    def get_action_link(self, row: Recommendation) -> str:
        return action_link(row)
