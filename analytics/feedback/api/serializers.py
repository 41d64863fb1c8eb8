"""Input and output of /api/feedback."""

import re

from rest_framework import serializers

from analytics.feedback.models import Feedback, FeedbackKey
from analytics.feedback.phones import phone_digits
from analytics.feedback.services import FOLLOWUP_SOURCE

BIGINT_MAX = 2**63 - 1  # ids are bigint: a larger one is a 400, never PostgreSQL's "out of range"
ID_ERRORS = {"invalid": "Informe o número (id).", "max_value": "Id inexistente: grande demais.",
             "min_value": "Id inexistente."}
SCORE_ERRORS = {"invalid": "A nota deve ser um número inteiro de 0 a 10.",
                "max_value": "A nota deve ser um número inteiro de 0 a 10.",
                "min_value": "A nota deve ser um número inteiro de 0 a 10.",
                "required": "Informe a nota (score), de 0 a 10.", "null": "Informe a nota (score), de 0 a 10.",
                "max_string_length": "A nota deve ser um número inteiro de 0 a 10."}
DATETIME_ERRORS = {"invalid": "Data e hora inválidas; use ISO 8601 (ex.: 2026-03-02T15:00:00-03:00).",
                   "overflow": "Data e hora fora do intervalo aceito."}
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, required=False, allow_null=True, default=None,
                                    error_messages=ID_ERRORS, **kwargs)


class StrictScoreField(serializers.IntegerField):
    """0–10 as a JSON number (or its digits): DRF would also take 10.0 and true; a score is neither."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, float) and not data.is_integer()):
            self.fail("invalid")
        if isinstance(data, str) and not data.strip().isdigit():
            self.fail("invalid")
        return super().to_internal_value(data)


class FeedbackIngestSerializer(serializers.Serializer):
    external_id = serializers.RegexField(
        r"^[\w.:@/#-]+$", max_length=200,
        help_text="O id da avaliação no sistema que envia: o mesmo id de novo devolve a avaliação já guardada.",
        error_messages={"invalid": "Use só letras, números e _ . : @ / # - no external_id.",
                        "required": "Informe o external_id (o id da avaliação no seu sistema)."})
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=32,
        help_text="Telefone do cliente (ex.: +55 11 98888-7777); ou use contact_id.")
    contact_id = _id_field(help_text="Id do contato; ou use contact_phone.")
    score = StrictScoreField(min_value=0, max_value=10, error_messages=SCORE_ERRORS, help_text="Nota de 0 a 10.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                    trim_whitespace=True, help_text="O que o cliente escreveu (até 2.000 caracteres).")
    source = serializers.CharField(max_length=40, help_text="De onde veio: google, pesquisa, crm... (minúsculas, "
                                                            "números e _ . -; \"followup\" é reservado).")
    timestamp = serializers.DateTimeField(
        required=False, allow_null=True, default=None, error_messages=DATETIME_ERRORS,
        help_text="Quando o cliente avaliou (ISO 8601; sem fuso, é o horário da empresa). Padrão: agora.")
    appointment_id = _id_field(help_text="O agendamento avaliado (dele vêm o profissional e o serviço).")
    professional_id = _id_field(help_text="O profissional avaliado, se não há agendamento.")
    service_id = _id_field(help_text="O serviço avaliado, se não há agendamento.")

    def validate_contact_phone(self, value: str) -> str:
        if value and not 10 <= len(phone_digits(value)) <= 15:
            raise serializers.ValidationError("Telefone inválido; use DDI + DDD + número (ex.: +55 11 98888-7777).")
        return value

    def validate_source(self, value: str) -> str:
        value = value.strip().lower()
        if value == FOLLOWUP_SOURCE:
            raise serializers.ValidationError("\"followup\" é reservado às respostas do pós-atendimento.")
        if not re.fullmatch(SOURCE_PATTERN, value):
            raise serializers.ValidationError("Origem inválida: use letras minúsculas, números e _ . - "
                                              "(até 40), ex.: google.")
        return value

    def validate(self, attrs):
        if not attrs["contact_phone"] and attrs["contact_id"] is None and attrs["appointment_id"] is None:
            raise serializers.ValidationError({"contact_phone": ["Informe contact_phone ou contact_id."]})
        return attrs


class FeedbackSerializer(serializers.ModelSerializer):
    contact_id = serializers.IntegerField()
    timestamp = serializers.DateTimeField(source="given_at", help_text="Quando o cliente avaliou, no fuso da empresa.")
    appointment_id = serializers.IntegerField(allow_null=True)
    professional_id = serializers.IntegerField(allow_null=True)
    service_id = serializers.IntegerField(allow_null=True)
    handoff_conversation_id = serializers.IntegerField(
        allow_null=True, help_text="A conversa passada à equipe por este comentário de detrator (nulo se não foi).")
    received_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Feedback
        fields = ["id", "external_id", "contact_id", "score", "comment", "source", "timestamp", "appointment_id",
                  "professional_id", "service_id", "handoff_conversation_id", "received_at"]


class FeedbackKeyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, help_text="Qual sistema usa a chave (ex.: CRM, pesquisa).")


class FeedbackKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(help_text="O começo da chave, para reconhecê-la (a chave inteira não é guardada).")
    active = serializers.BooleanField()

    class Meta:
        model = FeedbackKey
        fields = ["id", "name", "prefix", "active", "created_by", "created_at", "last_used_at", "revoked_at"]


class FeedbackKeyCreatedSerializer(FeedbackKeySerializer):
    secret = serializers.CharField(help_text="fbk_...: mostrada só nesta resposta. Envie-a em "
                                             "Authorization: Bearer fbk_... no POST /api/feedback/ingest.")

    class Meta(FeedbackKeySerializer.Meta):
        fields = [*FeedbackKeySerializer.Meta.fields, "secret"]


# --- NPS --------------------------------------------------------------------------------------------

class _Tally(serializers.Serializer):
    nps = serializers.FloatField(allow_null=True, help_text="% promotores − % detratores (−100 a 100); "
                                                           "null: sem respostas (sem dados).")
    promoters = serializers.IntegerField(help_text="Notas 9 e 10.")
    passives = serializers.IntegerField(help_text="Notas 7 e 8.")
    detractors = serializers.IntegerField(help_text="Notas de 0 a 6.")
    responses = serializers.IntegerField()


class NpsNamedSerializer(_Tally):
    id = serializers.IntegerField(allow_null=True, help_text="Nulo: respostas que não dizem qual.")
    name = serializers.CharField()


class NpsSourceSerializer(_Tally):
    source = serializers.CharField(help_text="\"followup\" (respostas do pós-atendimento) ou a origem enviada.")


class NpsSerializer(_Tally):
    by_professional = NpsNamedSerializer(many=True)
    by_service = NpsNamedSerializer(many=True)
    by_source = NpsSourceSerializer(many=True)

    def get_fields(self):
        return {"from": serializers.DateField(), "to": serializers.DateField(help_text="Inclusive."),
                "timezone": serializers.CharField(help_text="Fuso da empresa, ex.: America/Sao_Paulo."),
                **super().get_fields()}
