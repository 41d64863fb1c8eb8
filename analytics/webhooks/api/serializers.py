"""Input and output of /api/webhooks. The events' bodies are documented in payloads.py."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.webhooks.events import EVENT_TYPES, valid_types_text
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint

EVENT_CHOICES = [(name, kind.description) for name, kind in EVENT_TYPES.items()]


def _event_list(**kwargs) -> serializers.ListField:
    unknown = f"Tipo de evento desconhecido: {{input}}. Os válidos são: {valid_types_text()}."
    child = serializers.ChoiceField(choices=EVENT_CHOICES, error_messages={"invalid_choice": unknown})
    return serializers.ListField(child=child, allow_empty=False, max_length=50,
                                 error_messages={"empty": "Escolha ao menos um tipo de evento."}, **kwargs)


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=200, help_text="Para onde enviar (http ou https, endereço público).")
    events = _event_list(help_text="Tipos de evento a enviar.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookEndpointPatchSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=200, required=False)
    events = _event_list(required=False)
    enabled = serializers.BooleanField(required=False, help_text="Reativar zera a contagem de falhas.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))
    note = serializers.CharField(help_text="Por que foi desativado automaticamente (vazio se não foi).")
    failing_since = serializers.DateTimeField(allow_null=True,
                                              help_text="Desde quando nenhuma entrega é aceita (nulo: funcionando).")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "enabled", "failing_since", "disabled_at", "note",
                  "last_attempt_at", "last_status_code", "last_success_at", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="whsec_...: mostrado só nesta resposta. Guarde-o para verificar as "
                                             "assinaturas (webhook-signature).")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message_id", help_text="O cabeçalho webhook-id (igual nas repetições).")
    payload = serializers.SerializerMethodField(help_text="O corpo enviado: {type, timestamp, data}.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook_id", "event_type", "status", "attempts", "status_code", "error", "duration_ms",
                  "created_at", "last_attempt_at", "next_attempt_at", "delivered_at", "payload"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, delivery: WebhookDelivery) -> dict:
        return json.loads(delivery.body)
