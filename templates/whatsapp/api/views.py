"""/api/whatsapp-templates: the company's WhatsApp message templates (Meta), a new one, a sync now.

Who: every member reads; owners and managers (`templates.add_whatsapptemplate`) submit a template
to Meta and ask for a sync. Meta's refusals come back as a 400 in pt-BR; Meta limiting the calls
(#130429) or not answering is a 503 to try again later, never a 500.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from secretaria.api import ErrorSerializer, error_responses
from templates.whatsapp import selectors, services
from templates.whatsapp.models import WhatsAppTemplate

_PERMISSIONS = [require_perm("templates.add_whatsapptemplate", reads="templates.view_whatsapptemplate")]


class MetaUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A Meta não respondeu; tente de novo em alguns minutos."


class TemplateSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = WhatsAppTemplate
        fields = ["id", "channel", "name", "language", "category", "status", "status_label", "rejection_reason",
                  "header_text", "body_text", "footer_text", "examples", "synced_at"]


class TemplateInputSerializer(serializers.Serializer):
    channel = serializers.IntegerField(required=False, help_text="Canal da Meta; sem ele, o da empresa com WABA.")
    name = serializers.CharField(max_length=512, help_text="Letras minúsculas, números e _.")
    language = serializers.CharField(max_length=16, default="pt_BR")
    category = serializers.ChoiceField(choices=WhatsAppTemplate.Category.choices)
    body = serializers.CharField(max_length=4096, help_text="Até 1.024 caracteres, variáveis {{1}}, {{2}}…")
    examples = serializers.ListField(child=serializers.CharField(max_length=1024), required=False, default=list,
                                     max_length=100, help_text="Um exemplo por variável do corpo, em ordem.")
    header = serializers.CharField(max_length=1024, required=False, allow_blank=True, default="")
    footer = serializers.CharField(max_length=1024, required=False, allow_blank=True, default="")


class SyncQueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Canais da Meta cuja sincronização foi para a fila.")


_UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="A Meta limitou as chamadas ou não respondeu.")


class WhatsAppTemplateListView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(operation_id="whatsapp_templates_list", summary="Templates do WhatsApp (Meta) da empresa",
                   responses=TemplateSerializer(many=True))
    def get(self, request):
        return Response(TemplateSerializer(selectors.template_list(), many=True).data)

    @extend_schema(operation_id="whatsapp_templates_create", summary="Enviar um template novo para análise da Meta",
                   request=TemplateInputSerializer,
                   responses={201: TemplateSerializer, **error_responses(400), 503: _UNAVAILABLE})
    def post(self, request):
        serializer = TemplateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        channel = selectors.channel_for_templates(data.get("channel"))
        if channel is None:
            raise ValidationError({"channel": ["Nenhum canal da Meta com o ID da conta do WhatsApp Business (WABA)."]})
        try:
            template = services.whatsapp_template_create(
                channel=channel, name=data["name"], language=data["language"], category=data["category"],
                body=data["body"], examples=data["examples"], header=data["header"], footer=data["footer"])
        except services.MetaBusy as exc:
            raise MetaUnavailable(exc.message) from exc
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class WhatsAppTemplateSyncView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(operation_id="whatsapp_templates_sync", summary="Sincronizar agora os templates com a Meta",
                   request=None, responses={202: SyncQueuedSerializer})
    def post(self, request):
        return Response({"queued": services.whatsapp_templates_sync_all()}, status=status.HTTP_202_ACCEPTED)
