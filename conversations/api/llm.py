"""GET/PUT /api/llm: which language model answers for the company.

The API key is write-only: answers only say whether one is stored, so it never
reaches a browser, a log of responses or another staff member's screen.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from conversations.assistant.llm import llm_config_get, llm_config_set
from conversations.assistant.models import LLMConfig


class LLMConfigInputSerializer(serializers.Serializer):
    provider = serializers.ChoiceField(choices=LLMConfig.Provider.choices)
    model = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    api_key = serializers.CharField(required=False, allow_blank=True, default="", write_only=True,
                                    max_length=500, trim_whitespace=True,
                                    help_text="Em branco mantém a chave salva, se provedor e URL não mudarem.")
    # Checked by the service (http/https; Docker hostnames without a dot are fine).
    base_url = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class LLMConfigOutputSerializer(serializers.Serializer):
    provider = serializers.CharField()
    model = serializers.CharField()
    base_url = serializers.CharField()
    has_api_key = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


def _output(config: LLMConfig) -> dict:
    return LLMConfigOutputSerializer({
        "provider": config.provider, "model": config.model, "base_url": config.base_url,
        "has_api_key": bool(config.api_key), "updated_at": config.updated_at,
    }).data


class LLMConfigView(APIView):
    """Reading is open to every member; changing needs `accounts.manage_settings` (owner, manager)."""

    permission_classes = [require_perm("accounts.manage_settings", reads="accounts.view_settings")]

    @extend_schema(summary="Configuração de IA da empresa", responses=LLMConfigOutputSerializer)
    def get(self, request):
        return Response(_output(llm_config_get()))

    @extend_schema(
        summary="Trocar o provedor de IA",
        request=LLMConfigInputSerializer,
        responses=LLMConfigOutputSerializer,
        examples=[
            OpenApiExample("Gemini", value={"provider": "gemini", "model": "gemini-2.0-flash", "api_key": "AIza..."},
                           request_only=True),
            OpenApiExample("Ollama", value={"provider": "openai", "model": "llama3.1",
                                            "base_url": "http://ollama:11434/v1"}, request_only=True),
        ],
    )
    def put(self, request):
        serializer = LLMConfigInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(_output(llm_config_set(**serializer.validated_data)))
