"""The body of each event type, as serializers: drf-spectacular turns them into the OpenAPI components
(`BookingCreatedEvent`...) documented as callbacks of `POST /api/webhooks`, and the tests check every
body sent against them. Only documentation: bodies are built by events.py, never by these classes.

Every body is `{"type", "timestamp", "data"}`; times carry the company's UTC offset
("2026-03-02T10:00:00-03:00"), phones are E.164 ("+5511912345678").
"""

from rest_framework import serializers

from agenda.models import Appointment
from analytics.webhooks.events import EVENT_TYPES, TEST_EVENT


class WebhookNamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class WebhookContactDataSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True, help_text="Nulo se o cliente não tem nome ou teve os dados apagados.")
    phone = serializers.CharField(allow_null=True, help_text="E.164, ex.: +5511912345678; nulo se apagado (LGPD).")


class WebhookAppointmentDataSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    start = serializers.DateTimeField(help_text="Início, com o fuso da empresa.")
    end = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=Appointment.Source.choices, help_text="Por onde foi agendado.")
    service = WebhookNamedSerializer(allow_null=True)
    professional = WebhookNamedSerializer(allow_null=True)


class WebhookAppointmentEventDataSerializer(serializers.Serializer):
    appointment = WebhookAppointmentDataSerializer()
    contact = WebhookContactDataSerializer()


class WebhookCancelledDataSerializer(WebhookAppointmentEventDataSerializer):
    reason = serializers.CharField(allow_null=True, help_text="Motivo do cancelamento, se informado.")


class WebhookPreviousAppointmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField(allow_null=True)
    end = serializers.DateTimeField(allow_null=True)


class WebhookRescheduledDataSerializer(WebhookAppointmentEventDataSerializer):
    previous_appointment = WebhookPreviousAppointmentSerializer(
        help_text="O agendamento anterior (situação: remarcado).")


class WebhookHandoffDataSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    reason = serializers.CharField()
    taken_by = serializers.CharField(allow_null=True, help_text="E-mail de quem assumiu; nulo se foi o assistente.")
    contact = WebhookContactDataSerializer()


class WebhookFeedbackDataSerializer(serializers.Serializer):
    """A follow-up answer (source "followup") or a score another system sent (POST /api/feedback/ingest)."""

    source = serializers.CharField(help_text="\"followup\" (resposta ao follow-up) ou a origem informada na ingestão.")
    followup_id = serializers.IntegerField(allow_null=True, help_text="Nulo para uma avaliação recebida pela API.")
    feedback_id = serializers.IntegerField(allow_null=True, help_text="Nulo para uma resposta ao follow-up.")
    external_id = serializers.CharField(allow_null=True, help_text="O id do sistema que enviou a avaliação.")
    given_at = serializers.DateTimeField(help_text="Quando a nota foi dada, com o fuso da empresa.")
    score = serializers.IntegerField(allow_null=True, min_value=0, max_value=10, help_text="Nota de 0 a 10.")
    sentiment = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_null=True)
    flagged = serializers.BooleanField(help_text="Requer atenção da equipe.")
    appointment = WebhookAppointmentDataSerializer(allow_null=True)
    contact = WebhookContactDataSerializer()


class WebhookQuotaDataSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["messages", "ai_tokens", "outreach"])
    threshold = serializers.ChoiceField(choices=[80, 100], help_text="Percentual da cota atingido.")
    used = serializers.IntegerField()
    limit = serializers.IntegerField()
    period = serializers.CharField(help_text="Mês da cota, AAAA-MM.")


class WebhookRecommendationDataSerializer(serializers.Serializer):
    recommendation_id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()


class WebhookTestDataSerializer(serializers.Serializer):
    endpoint_id = serializers.IntegerField()
    message = serializers.CharField()


DATA = {
    "booking.created": WebhookAppointmentEventDataSerializer,
    "booking.cancelled": WebhookCancelledDataSerializer,
    "booking.rescheduled": WebhookRescheduledDataSerializer,
    "appointment.attended": WebhookAppointmentEventDataSerializer,
    "appointment.no_show": WebhookAppointmentEventDataSerializer,
    "handoff.opened": WebhookHandoffDataSerializer,
    "feedback.received": WebhookFeedbackDataSerializer,
    "quota.alert": WebhookQuotaDataSerializer,
    "recommendation.created": WebhookRecommendationDataSerializer,
    TEST_EVENT: WebhookTestDataSerializer,
}
DESCRIPTIONS = {**{name: kind.description for name, kind in EVENT_TYPES.items()},
                TEST_EVENT: "Evento de teste (POST /api/webhooks/{id}/test)."}


def _component_name(event_type: str) -> str:
    """"booking.no_show" -> "BookingNoShowEvent"."""
    return "".join(part.capitalize() for part in event_type.replace(".", "_").split("_")) + "Event"


def _envelope(event_type: str) -> type[serializers.Serializer]:
    fields = {
        "type": serializers.ChoiceField(choices=[event_type]),
        "timestamp": serializers.DateTimeField(help_text="Quando aconteceu, com o fuso da empresa (RFC 3339)."),
        "data": DATA[event_type](),
        "__doc__": DESCRIPTIONS[event_type],
    }
    return type(_component_name(event_type), (serializers.Serializer,), fields)


EVENTS: dict[str, type[serializers.Serializer]] = {name: _envelope(name) for name in DATA}
