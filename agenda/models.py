"""Agenda: the company's calendar, appointments and everything that follows them.

Appointments live here whatever the calendar (built-in or Cal.com): for Cal.com they
mirror the remote booking (`provider_booking_id` is its uid), so reminders, no-shows,
follow-ups and the scheduling AI work the same for both.

Automations are rows, not broker messages: a reminder or a follow-up is a row with a
due time that beat scans, claimed with a compare-and-set, so a restarted or doubled
beat can neither lose nor repeat one (docs/reliability.md R8).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from conversations.models import Contact
from conversations.outreach.models import ScheduledSend
from secretaria.crypto import EncryptedTextField
from secretaria.ptbr import WEEKDAY_CHOICES

# The states the outreach scans filter on (partial indexes below).
PENDING, SENDING = ScheduledSend.State.PENDING, ScheduledSend.State.SENDING


def default_reminder_offsets() -> list[int]:
    return [24 * 60, 60]


class CalendarConfig(models.Model):
    """Which calendar the company uses and how its automations behave. One row per company."""

    class Provider(models.TextChoices):
        BUILTIN = "builtin", "Agenda própria (integrada)"
        CALCOM = "calcom", "Cal.com"

    singleton = models.PositiveSmallIntegerField("registro único", default=1, unique=True, editable=False)
    provider = models.CharField("calendário", max_length=16, choices=Provider.choices, default=Provider.BUILTIN)
    calcom_base_url = models.URLField("URL da API do Cal.com", blank=True, default="https://api.cal.com")
    calcom_api_key = EncryptedTextField("chave da API do Cal.com", blank=True)
    calcom_webhook_secret = EncryptedTextField("segredo dos webhooks do Cal.com", blank=True)
    timezone = models.CharField("fuso horário", max_length=64, default="America/Sao_Paulo")
    slot_step_minutes = models.PositiveSmallIntegerField("intervalo entre horários (min)", default=30)
    min_notice_minutes = models.PositiveSmallIntegerField("antecedência mínima (min)", default=60)
    booking_horizon_days = models.PositiveSmallIntegerField("agenda aberta por (dias)", default=30)
    reminder_offsets_minutes = models.JSONField("lembretes (minutos antes)", default=default_reminder_offsets)
    noshow_grace_minutes = models.PositiveSmallIntegerField("tolerância para falta (min)", default=30)
    followup_delay_minutes = models.PositiveIntegerField("follow-up após o atendimento (min)", default=120)
    high_risk_threshold = models.FloatField("risco alto a partir de", default=0.5)
    auto_reschedule_no_shows = models.BooleanField("oferecer nova data a quem faltou", default=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "configuração da agenda"
        verbose_name_plural = "configuração da agenda"

    def __str__(self) -> str:
        return self.get_provider_display()


class Professional(models.Model):
    name = models.CharField("nome", max_length=120)
    is_active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "profissional"
        verbose_name_plural = "profissionais"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """The company's catalogue: the one place a service's price and duration live (the assistant reads it too)."""

    name = models.CharField("nome", max_length=120, unique=True)
    description = models.TextField("descrição", blank=True,
                                   help_text="O que a assistente responde quando perguntam o que é este serviço.")
    duration_minutes = models.PositiveSmallIntegerField("duração (min)", default=30)
    buffer_minutes = models.PositiveSmallIntegerField("intervalo após (min)", default=0)
    price_cents = models.PositiveIntegerField("preço (centavos)", null=True, blank=True)
    keywords = models.CharField("palavras-chave", max_length=300, blank=True,
                                help_text="Separadas por vírgula: como os clientes chamam o serviço.")
    professionals = models.ManyToManyField(Professional, related_name="services", blank=True,
                                           verbose_name="profissionais")
    calcom_event_type_id = models.PositiveIntegerField("tipo de evento no Cal.com", null=True, blank=True)
    is_active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "serviço"
        verbose_name_plural = "serviços"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One interval of a professional's week; two intervals on a day leave a break between them."""

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="hours",
                                     verbose_name="profissional")
    weekday = models.PositiveSmallIntegerField("dia da semana", choices=WEEKDAY_CHOICES)
    start = models.TimeField("início")
    end = models.TimeField("fim")

    class Meta:
        verbose_name = "horário de trabalho"
        verbose_name_plural = "horários de trabalho"
        ordering = ["professional", "weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="hours_end_after_start")]

    def __str__(self) -> str:
        return f"{self.professional} {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class TimeOff(models.Model):
    """A holiday (no professional: the whole business) or a professional's day off or absence."""

    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="time_off", verbose_name="profissional",
                                     help_text="Vazio: feriado para todos.")
    start = models.DateTimeField("início")
    end = models.DateTimeField("fim")
    reason = models.CharField("motivo", max_length=120, blank=True)

    class Meta:
        verbose_name = "folga ou feriado"
        verbose_name_plural = "folgas e feriados"
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="timeoff_end_after_start")]

    def __str__(self) -> str:
        return f"{self.reason or 'Folga'} ({self.start:%d/%m/%Y})"


class Appointment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pendente"
        CONFIRMED = "confirmed", "Confirmado"
        CANCELLED = "cancelled", "Cancelado"
        RESCHEDULED = "rescheduled", "Remarcado"  # the old row of a moved appointment; see `rescheduled_to`
        ATTENDED = "attended", "Compareceu"
        NO_SHOW = "no_show", "Faltou"

    class Source(models.TextChoices):
        CHAT = "chat", "Conversa"
        API = "api", "API"
        ADMIN = "admin", "Painel"
        CALCOM = "calcom", "Cal.com"
        WAITLIST = "waitlist", "Lista de espera"

    ACTIVE = (Status.PENDING, Status.CONFIRMED)

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="appointments",
                                verbose_name="contato")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="serviço")
    professional = models.ForeignKey(Professional, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="appointments", verbose_name="profissional")
    start = models.DateTimeField("início", db_index=True)
    end = models.DateTimeField("fim")
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    source = models.CharField("origem", max_length=16, choices=Source.choices, default=Source.CHAT)
    provider = models.CharField("calendário", max_length=16, choices=CalendarConfig.Provider.choices,
                                default=CalendarConfig.Provider.BUILTIN)
    provider_booking_id = models.CharField("id no calendário externo", max_length=100, null=True, blank=True,
                                           unique=True)
    rescheduled_to = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="rescheduled_from", verbose_name="remarcado para")
    notes = models.TextField("observações", blank=True)
    cancel_reason = models.CharField("motivo do cancelamento", max_length=200, blank=True)
    risk_score = models.FloatField("risco de falta", null=True, blank=True)
    risk_factors = models.JSONField("fatores de risco", default=dict, blank=True)
    confirmed_at = models.DateTimeField("confirmado em", null=True, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "agendamento"
        verbose_name_plural = "agendamentos"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="appointment_end_after_start"),
            # Backstop for the per-professional lock in the booking service: one active appointment
            # per professional and start time, whatever code path writes it.
            models.UniqueConstraint(fields=["professional", "start"], condition=Q(status__in=["pending", "confirmed"]),
                                    name="appointment_one_active_per_slot"),
        ]
        indexes = [models.Index(fields=["contact", "start"], name="appt_contact_start"),
                   models.Index(fields=["status", "end"], name="appt_status_end")]

    def __str__(self) -> str:
        # Local time, not UTC: the active time zone, which the panel sets to the company's
        # (secretaria/panel/middleware.py) and is São Paulo elsewhere (settings.TIME_ZONE).
        if self.start is None:  # localtime(None) would be "now"
            return str(self.contact)
        return f"{self.contact} — {timezone.localtime(self.start):%d/%m/%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class AppointmentEvent(models.Model):
    """What happened to an appointment, in order: the history the risk score learns from."""

    class Kind(models.TextChoices):
        CREATED = "created", "Criado"
        CONFIRMED = "confirmed", "Confirmado"
        CANCELLED = "cancelled", "Cancelado"
        RESCHEDULED = "rescheduled", "Remarcado"
        ATTENDED = "attended", "Compareceu"
        NO_SHOW = "no_show", "Faltou"
        REMINDER_SENT = "reminder_sent", "Lembrete enviado"
        FOLLOWUP_SENT = "followup_sent", "Follow-up enviado"
        OFFER_SENT = "offer_sent", "Oferta de nova data enviada"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events",
                                    verbose_name="agendamento")
    kind = models.CharField("o que aconteceu", max_length=20, choices=Kind.choices)
    actor = models.CharField("por", max_length=254, blank=True)  # "customer", "system", "calcom", staff e-mail
    data = models.JSONField("detalhes", default=dict, blank=True)
    created_at = models.DateTimeField("quando", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "evento do agendamento"
        verbose_name_plural = "eventos do agendamento"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m %H:%M})"


class Reminder(ScheduledSend):
    """One reminder to send at `due_at`; sent exactly once by the outreach service (claimed pending ->
    sending, outbox key `reminder:<id>`)."""

    OUTREACH_KIND = "reminder"

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", "Programado"
        HIGH_RISK = "high_risk", "Extra (risco de falta)"
        MANUAL = "manual", "Enviado pela equipe"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders",
                                    verbose_name="agendamento")
    kind = models.CharField("tipo", max_length=16, choices=Kind.choices, default=Kind.SCHEDULED)
    offset_minutes = models.PositiveIntegerField("minutos antes", default=0)
    created_at = models.DateTimeField("criado em", auto_now_add=True)

    class Meta:
        verbose_name = "lembrete"
        verbose_name_plural = "lembretes"
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["appointment", "kind", "due_at"], name="reminder_once")]
        # The beat scan: pending reminders by due time.
        indexes = [models.Index(fields=["due_at"], condition=Q(state=PENDING), name="reminder_due_pending"),
                   # Recovery of sends interrupted by a killed worker.
                   models.Index(fields=["claimed_at"], condition=Q(state=SENDING), name="reminder_sending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.due_at:%d/%m %H:%M}"


class FollowUp(ScheduledSend):
    """The after-visit message (sent once by the outreach service, outbox key `followup:<id>`) and the
    customer's answer (state `answered`)."""

    OUTREACH_KIND = "followup"

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", "Positivo"
        NEUTRAL = "neutral", "Neutro"
        NEGATIVE = "negative", "Negativo"

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="followup",
                                       verbose_name="agendamento")
    answered_at = models.DateTimeField("respondido em", null=True, blank=True)
    sentiment = models.CharField("avaliação", max_length=16, choices=Sentiment.choices, blank=True)
    score = models.PositiveSmallIntegerField("nota (0–10)", null=True, blank=True)
    comment = models.TextField("comentário", blank=True)
    flagged = models.BooleanField("requer atenção da equipe", default=False, db_index=True)

    class Meta:
        verbose_name = "follow-up"
        verbose_name_plural = "follow-ups"
        ordering = ["-due_at"]
        indexes = [models.Index(fields=["due_at"], condition=Q(state=PENDING), name="followup_due_pending"),
                   models.Index(fields=["claimed_at"], condition=Q(state=SENDING), name="followup_sending")]

    def __str__(self) -> str:
        return f"Follow-up de {self.appointment}"


class WaitlistEntry(models.Model):
    """A customer who found no good slot and wants to be told when one frees up."""

    class State(models.TextChoices):
        WAITING = "waiting", "Aguardando"
        OFFERED = "offered", "Vaga oferecida"
        BOOKED = "booked", "Agendado"
        EXPIRED = "expired", "Expirado"
        CANCELLED = "cancelled", "Cancelado"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="waitlist_entries",
                                verbose_name="contato")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="serviço")
    professional = models.ForeignKey(Professional, on_delete=models.SET_NULL, null=True, blank=True,
                                     verbose_name="profissional")
    not_before = models.DateTimeField("a partir de", null=True, blank=True)
    not_after = models.DateTimeField("até", null=True, blank=True)
    preferences = models.JSONField("preferências", default=dict, blank=True)  # e.g. {"after": "17:00"}
    state = models.CharField("situação", max_length=16, choices=State.choices, default=State.WAITING,
                             db_index=True)
    offered_start = models.DateTimeField("horário oferecido", null=True, blank=True)
    offered_professional = models.ForeignKey(Professional, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+", verbose_name="profissional oferecido")
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name="agendamento")
    created_at = models.DateTimeField("entrou em", auto_now_add=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "lista de espera"
        verbose_name_plural = "lista de espera"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_state_display()})"


class Dialog(models.Model):
    """Where the agenda conversation with a contact stands: what we offered and what an answer means.

    One row per contact. `step` says how to read the customer's next message (a slot number,
    a reminder answer "1/2/3", a follow-up rating...); `data` holds what was offered. A row
    past `expires_at` is ignored, so a stale offer never books anything.
    """

    class Step(models.TextChoices):
        CHOOSING_SLOT = "choosing_slot", "Escolhendo horário"
        CONFIRMING = "confirming", "Confirmando"
        CHOOSING_APPOINTMENT = "choosing_appointment", "Escolhendo qual agendamento"
        CONFIRMING_CANCEL = "confirming_cancel", "Confirmando cancelamento"
        REMINDER = "reminder", "Respondendo lembrete"
        FOLLOWUP = "followup", "Respondendo follow-up"
        WAITLIST_OFFER = "waitlist_offer", "Respondendo oferta da lista de espera"
        REBOOK_OFFER = "rebook_offer", "Respondendo oferta de nova data"

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="agenda_dialog",
                                   verbose_name="contato")
    step = models.CharField("etapa", max_length=24, choices=Step.choices)
    data = models.JSONField("o que foi oferecido", default=dict, blank=True)
    expires_at = models.DateTimeField("vale até")
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "diálogo de agenda"
        verbose_name_plural = "diálogos de agenda"

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_step_display()}"


class SchedulingInsight(models.Model):
    """One run of the daily scheduling AI: what the history says about the company's hours."""

    created_at = models.DateTimeField("calculado em", auto_now_add=True, db_index=True)
    period_start = models.DateField("de")
    period_end = models.DateField("até")
    appointments_analyzed = models.PositiveIntegerField("agendamentos analisados", default=0)
    attendance_rate = models.FloatField("taxa de comparecimento", null=True, blank=True)
    heatmap = models.JSONField("comparecimento por dia e hora", default=dict)  # {"0": {"8": {"n":..,"rate":..}}}
    best_slots = models.JSONField("melhores horários", default=list)
    worst_slots = models.JSONField("piores horários", default=list)
    high_risk_count = models.PositiveIntegerField("agendamentos de risco alto", default=0)
    recommendation = models.TextField("recomendação", blank=True)

    class Meta:
        verbose_name = "análise da agenda"
        verbose_name_plural = "análises da agenda"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Análise de {self.created_at:%d/%m/%Y}"
