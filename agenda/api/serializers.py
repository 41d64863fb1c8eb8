"""Input and output shapes of the agenda API. Inputs only validate; the services decide."""

from datetime import datetime, time

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agenda.models import (
    Appointment,
    AppointmentEvent,
    CalendarConfig,
    FollowUp,
    Professional,
    Reminder,
    SchedulingInsight,
    Service,
    WorkingHours,
)
from agenda.services.calendar_settings import LIMITS, MAX_REMINDER_OFFSET, MAX_REMINDERS

DATE_ERRORS = {"invalid": "Data inválida; use o formato AAAA-MM-DD (ex.: 2025-06-02)."}
DATETIME_ERRORS = {"invalid": "Data e hora inválidas; use o formato ISO 8601 (ex.: 2025-06-02T15:00:00-03:00)."}
ID_ERRORS = {"invalid": "Informe o número (id).", "max_value": "Id inexistente: grande demais."}
# Numbers a client sends must fit their column, or PostgreSQL refuses the row ("integer out of
# range") and the client gets a 500 instead of a message: ids are bigint, counters integer.
BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1
INTEGER_ERRORS = {"invalid": "Informe um número inteiro.", "max_value": "Use no máximo {max_value}.",
                  "min_value": "Use no mínimo {min_value}.", "max_string_length": "Número grande demais."}


# --- outputs -------------------------------------------------------------------------


class ContactBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    name = serializers.CharField()


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "09:00"})
class HourMinuteField(serializers.TimeField):
    """A time of day written "09:00" (read: "09:00" or "09:00:00"); OpenAPI's `time` format wants seconds."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class WorkingHoursSerializer(serializers.ModelSerializer):
    start = HourMinuteField()
    end = HourMinuteField()

    class Meta:
        model = WorkingHours
        fields = ["weekday", "start", "end"]


class ServiceOutputSerializer(serializers.ModelSerializer):
    professionals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Service
        fields = ["id", "name", "description", "duration_minutes", "buffer_minutes", "price_cents", "keywords",
                  "professionals", "calcom_event_type_id", "is_active"]


class ProfessionalOutputSerializer(serializers.ModelSerializer):
    services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    hours = WorkingHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Professional
        fields = ["id", "name", "is_active", "services", "hours"]


class SlotOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    service_id = serializers.IntegerField(allow_null=True)
    professional_id = serializers.IntegerField(allow_null=True)
    professional = serializers.SerializerMethodField()
    key = serializers.SerializerMethodField()

    def get_professional(self, slot) -> str | None:
        names = self.context.get("professional_names", {})
        return names.get(slot.professional_id)

    def get_key(self, slot) -> str:
        return slot.key()


class AvailabilityOutputSerializer(serializers.Serializer):
    slots = SlotOutputSerializer(many=True)


class AppointmentOutputSerializer(serializers.ModelSerializer):
    contact = ContactBriefSerializer()
    service = NamedSerializer(allow_null=True)
    professional = NamedSerializer(allow_null=True)
    status_display = serializers.CharField(source="get_status_display")
    rescheduled_to = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = ["id", "contact", "service", "professional", "start", "end", "status", "status_display", "source",
                  "provider", "provider_booking_id", "rescheduled_to", "notes", "cancel_reason", "risk_score",
                  "risk_factors", "confirmed_at", "created_at", "updated_at"]


class AppointmentEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = AppointmentEvent
        fields = ["kind", "kind_display", "actor", "data", "created_at"]


class ReminderOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "kind", "offset_minutes", "due_at", "state", "sent_at", "created_at"]


class AppointmentDetailSerializer(AppointmentOutputSerializer):
    events = AppointmentEventSerializer(many=True)
    reminders = ReminderOutputSerializer(many=True)

    class Meta(AppointmentOutputSerializer.Meta):
        fields = [*AppointmentOutputSerializer.Meta.fields, "events", "reminders"]


class FollowUpOutputSerializer(serializers.ModelSerializer):
    appointment = AppointmentOutputSerializer()

    class Meta:
        model = FollowUp
        fields = ["id", "appointment", "state", "due_at", "sent_at", "answered_at", "sentiment", "score", "comment",
                  "flagged"]


class DayAgendaSerializer(serializers.Serializer):
    date = serializers.DateField()
    appointments = AppointmentOutputSerializer(many=True)


class FollowUpStatsSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    positive = serializers.IntegerField()
    neutral = serializers.IntegerField()
    negative = serializers.IntegerField()
    flagged = serializers.IntegerField()
    average_score = serializers.FloatField(allow_null=True)


class InsightOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchedulingInsight
        fields = ["id", "created_at", "period_start", "period_end", "appointments_analyzed", "attendance_rate",
                  "heatmap", "best_slots", "worst_slots", "high_risk_count", "recommendation"]


class AttendanceSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    attended = serializers.IntegerField()
    no_show = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class CalendarConfigOutputSerializer(serializers.ModelSerializer):
    """Secrets are never returned: only whether each is stored."""

    base_url = serializers.CharField(source="calcom_base_url")
    api_key_set = serializers.SerializerMethodField()
    webhook_secret_set = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarConfig
        fields = ["provider", "base_url", "api_key_set", "webhook_secret_set", "webhook_url", "timezone",
                  "slot_step_minutes", "min_notice_minutes", "booking_horizon_days", "reminder_offsets_minutes",
                  "noshow_grace_minutes", "followup_delay_minutes", "high_risk_threshold",
                  "auto_reschedule_no_shows", "updated_at"]

    def get_api_key_set(self, config) -> bool:
        return bool(config.calcom_api_key)

    def get_webhook_secret_set(self, config) -> bool:
        return bool(config.calcom_webhook_secret)

    def get_webhook_url(self, config) -> str:
        return self.context["webhook_url"]


class CountSerializer(serializers.Serializer):
    offers_sent = serializers.IntegerField()


# --- inputs --------------------------------------------------------------------------


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=BIGINT_MAX, error_messages=ID_ERRORS, **kwargs)


def as_company_time(value: datetime, tz) -> datetime:
    """A start without an offset is the company's local time, as staff type it."""
    return timezone.make_aware(value, tz) if timezone.is_naive(value) else value


class AvailabilityQuerySerializer(serializers.Serializer):
    service = _id_field(required=False, allow_null=True, default=None)
    professional = _id_field(required=False, allow_null=True, default=None)
    date = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    # "after=17:00": slots from that time of day on; "after=<date and time>": slots after that instant
    # (the last slot of the previous page).
    after = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    before = serializers.TimeField(required=False, allow_null=True, default=None,
                                   error_messages={"invalid": "Horário inválido; use HH:MM (ex.: 12:00)."})
    limit = serializers.IntegerField(required=False, default=10, min_value=1, max_value=50)

    def validate_after(self, value: str) -> time | datetime | None:
        value = value.strip()
        if not value:
            return None
        for parse in (time.fromisoformat, datetime.fromisoformat):
            try:
                return parse(value)
            except ValueError:
                continue
        raise serializers.ValidationError("Use um horário (17:00) ou data e hora ISO 8601.")


class AppointmentFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    date_to = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    contact = _id_field(required=False, allow_null=True, default=None)
    phone = serializers.RegexField(r"^[\d\s()+-]*$", required=False, default="", allow_blank=True, max_length=32,
                                   error_messages={"invalid": "Informe só os dígitos do telefone."})
    status = serializers.ChoiceField(choices=Appointment.Status.choices, required=False, allow_blank=True,
                                     default="", error_messages={"invalid_choice": "Situação desconhecida."})

    def validate_phone(self, value: str) -> str:
        return "".join(ch for ch in value if ch.isdigit())

    def validate(self, data):
        if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": ["A data final vem antes da inicial."]})
        return data


class AppointmentCreateSerializer(serializers.Serializer):
    contact = _id_field(required=False, allow_null=True, default=None)
    phone = serializers.RegexField(r"^[\d\s()+-]*$", required=False, default="", allow_blank=True, max_length=32,
                                   error_messages={"invalid": "Informe só os dígitos do telefone."})
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    service = _id_field()
    professional = _id_field(required=False, allow_null=True, default=None)
    start = serializers.DateTimeField(error_messages=DATETIME_ERRORS, default_timezone=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate_phone(self, value: str) -> str:
        digits = "".join(ch for ch in value if ch.isdigit())
        if value and not 10 <= len(digits) <= 15:
            raise serializers.ValidationError("Telefone inválido; use DDI + DDD + número (ex.: 5511912345678).")
        return digits

    def validate(self, data):
        if not data["contact"] and not data["phone"]:
            raise serializers.ValidationError({"contact": ["Informe o contato (id) ou o telefone."]})
        return data


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class RescheduleSerializer(serializers.Serializer):
    start = serializers.DateTimeField(error_messages=DATETIME_ERRORS, default_timezone=None)
    professional = _id_field(required=False, allow_null=True, default=None)


class FollowUpFilterSerializer(serializers.Serializer):
    flagged = serializers.BooleanField(required=False, allow_null=True, default=None)
    state = serializers.ChoiceField(choices=FollowUp.State.choices, required=False, allow_blank=True, default="")
    sentiment = serializers.ChoiceField(choices=FollowUp.Sentiment.choices, required=False, allow_blank=True,
                                        default="")
    date_from = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    date_to = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)


class AttendanceFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    date_to = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    professional = _id_field(required=False, allow_null=True, default=None)
    service = _id_field(required=False, allow_null=True, default=None)

    def validate(self, data):
        if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": ["A data final vem antes da inicial."]})
        return data


class DayFilterSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, default=None, error_messages=DATE_ERRORS)
    professional = _id_field(required=False, allow_null=True, default=None)


class NoShowRescheduleSerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, default=14, min_value=1, max_value=90)


class CalendarConfigInputSerializer(serializers.Serializer):
    """Every field but `provider` is optional: what is left out keeps its current value."""

    provider = serializers.ChoiceField(choices=CalendarConfig.Provider.choices,
                                       error_messages={"invalid_choice": "Escolha builtin (agenda própria) ou calcom."})
    base_url = serializers.CharField(required=False, allow_blank=True, default=None, max_length=200)
    api_key = serializers.CharField(required=False, allow_blank=True, default="", write_only=True, max_length=500,
                                    help_text="Em branco mantém a chave salva, se a URL não mudar.")
    webhook_secret = serializers.CharField(required=False, allow_blank=True, default="", write_only=True,
                                           max_length=500)
    timezone = serializers.CharField(required=False, default=None, max_length=64)
    reminder_offsets_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_REMINDER_OFFSET), required=False, default=None,
        max_length=MAX_REMINDERS, allow_empty=True)
    high_risk_threshold = serializers.FloatField(required=False, default=None, min_value=0.01, max_value=1)
    auto_reschedule_no_shows = serializers.BooleanField(required=False, default=None, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in LIMITS.items():
            self.fields[name] = serializers.IntegerField(required=False, default=None, min_value=low,
                                                         max_value=high)

    def to_service(self) -> dict:
        """The validated data as calendar_config_set's keyword arguments."""
        data = dict(self.validated_data)
        return {"calcom_base_url": data.pop("base_url"), "calcom_api_key": data.pop("api_key"),
                "calcom_webhook_secret": data.pop("webhook_secret"), **data}


class ServiceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, default=30)
    buffer_minutes = serializers.IntegerField(min_value=0, max_value=240, default=0)
    price_cents = serializers.IntegerField(min_value=0, max_value=INTEGER_MAX, required=False, allow_null=True,
                                           default=None, error_messages=INTEGER_ERRORS)
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    professionals = serializers.ListField(child=_id_field(), required=False, default=list)
    calcom_event_type_id = serializers.IntegerField(min_value=1, max_value=INTEGER_MAX, required=False,
                                                    allow_null=True, default=None, error_messages=INTEGER_ERRORS)


class ProfessionalInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    services = serializers.ListField(child=_id_field(), required=False, default=list)
    hours = WorkingHoursSerializer(many=True, required=False, default=list)

    def validate_hours(self, hours):
        for span in hours:
            if span["end"] <= span["start"]:
                raise serializers.ValidationError("O fim de cada horário deve vir depois do início.")
        return hours
