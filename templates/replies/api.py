"""/api/templates: the company's reply templates, by slot — list, read, change, reset, preview.

Who (accounts/roles.py, templates is a settings app): every member reads and previews; owners and
managers (`templates.change_replytemplate`) change and reset. An unknown slot is a 404; an unknown
variant in a body, or a text that breaks the slot's rules, a 400 in pt-BR (the services decide).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCompanyMember, require_perm
from secretaria.api import AutoSchema
from templates.replies import serializers as s
from templates.replies.catalogue import slots
from templates.replies.preview import template_preview
from templates.replies.selectors import template_list
from templates.replies.services import template_reset, template_set

_CHANGE = [require_perm("templates.change_replytemplate", reads="templates.view_replytemplate")]


class SlotSchema(AutoSchema):
    """Documents the `{slot}` path parameter as the catalogue's names (read when the schema is built,
    so a slot added to the data files is listed without touching this module)."""

    def get_override_parameters(self):
        names = sorted(slots())
        slot = OpenApiParameter("slot", str, OpenApiParameter.PATH, enum=names or None,
                                description="Nome estável do modelo de resposta (snake_case).")
        return [*super().get_override_parameters(), slot]


_VARIANT_QUERY = OpenApiParameter("variant", str, description="A variação (vazio ou ausente: o texto principal).")


def _slot(slot: str) -> str:
    if slot not in slots():
        raise NotFound(f"Modelo de resposta desconhecido: “{slot}”.")
    return slot


def _entry(slot: str, variant: str = "") -> dict:
    for entry in template_list():
        if entry["slot"] == slot and entry["variant"] == variant:
            return entry
    raise NotFound(f"Variação desconhecida para “{slot}”: “{variant}”.")


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TemplateListView(APIView):
    permission_classes = _CHANGE

    @extend_schema(operation_id="templates_list", summary="Modelos de resposta da empresa, por momento",
                   description="Cada modelo e cada variação dele, com o texto que o cliente recebe hoje e o padrão.",
                   responses=s.TemplateSerializer(many=True))
    def get(self, request):
        return Response(s.TemplateSerializer(template_list(), many=True).data)


class TemplateDetailView(APIView):
    permission_classes = _CHANGE
    schema = SlotSchema()

    @extend_schema(operation_id="templates_retrieve", summary="Um modelo de resposta (ou uma variação dele)",
                   parameters=[_VARIANT_QUERY], responses=s.TemplateSerializer)
    def get(self, request, slot: str):
        return Response(s.TemplateSerializer(_entry(_slot(slot), request.query_params.get("variant", ""))).data)

    @extend_schema(
        operation_id="templates_update", summary="Trocar o texto de um modelo (ou de uma variação)",
        description="Vale a partir da próxima mensagem, em todos os processos. Variável desconhecida, chave "
                    "quebrada, texto vazio ou com mais de 4.096 caracteres: 400.",
        request=s.TemplateInputSerializer, responses=s.TemplateSerializer,
        examples=[OpenApiExample("Saudação", request_only=True, value={
            "text": "Olá, {nome}! Aqui é a {empresa}. Como posso ajudar?"})],
    )
    def put(self, request, slot: str):
        slot = _slot(slot)
        data = _validated(s.TemplateInputSerializer, request.data)
        template_set(slot, data["text"], data["variant"], by=request.user.email)
        return Response(s.TemplateSerializer(_entry(slot, data["variant"])).data)


class TemplateResetView(APIView):
    permission_classes = _CHANGE
    schema = SlotSchema()

    @extend_schema(operation_id="templates_reset", summary="Restaurar o texto padrão de um modelo (ou de uma variação)",
                   description="Só a variação pedida: restaurar o texto principal mantém as variações da empresa.",
                   request=s.TemplateResetSerializer, responses=s.TemplateSerializer)
    def post(self, request, slot: str):
        slot = _slot(slot)
        data = _validated(s.TemplateResetSerializer, request.data)
        template_reset(slot, data["variant"], by=request.user.email)
        return Response(s.TemplateSerializer(_entry(slot, data["variant"])).data)


class TemplatePreviewView(APIView):
    permission_classes = [IsCompanyMember]  # nothing is saved: every member may try a wording
    schema = SlotSchema()

    @extend_schema(operation_id="templates_preview", summary="Ver um modelo preenchido com dados de exemplo",
                   description="Com `text`: o texto ainda não salvo (validado como ao salvar); sem ele: o texto "
                               "atual da empresa.",
                   request=s.TemplatePreviewInputSerializer, responses=s.TemplatePreviewSerializer)
    def post(self, request, slot: str):
        slot = _slot(slot)
        data = _validated(s.TemplatePreviewInputSerializer, request.data)
        preview = template_preview(slot, data.get("text"), data["variant"])
        return Response(s.TemplatePreviewSerializer(preview).data)
