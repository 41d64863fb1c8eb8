"""Models of this part (re-exported by analytics/models.py).

- `Report`: a company's figures for one day or one ISO week of its own calendar, one row each, replaced
  whole when recomputed. `figures` is what readers show (analytics/reports/figures.py keys); `parts`
  holds what the figures are derived from (sums, the contacts seen, the reply times), so a week or a
  month is combined from its days without reading the messages again, and still exactly.
- `FunnelMark`: the funnel steps nothing else records: a conversation showed booking intent, was
  offered slots, a customer answered a reminder. Written by this part's event subscribers.
"""

from django.db import models
from django.utils import timezone

__all__ = ["FunnelMark", "Report"]


class Report(models.Model):
    class Granularity(models.TextChoices):
        DAY = "day", "Dia"
        WEEK = "week", "Semana"

    granularity = models.CharField("período", max_length=8, choices=Granularity.choices)
    start = models.DateField("de")
    end = models.DateField("até")  # inclusive: the day itself, or the week's Sunday
    timezone = models.CharField("fuso horário", max_length=64)
    figures = models.JSONField("indicadores", default=dict)
    parts = models.JSONField("componentes", default=dict)
    computed_at = models.DateTimeField("calculado em")

    class Meta:
        verbose_name = "relatório"
        verbose_name_plural = "relatórios"
        ordering = ["granularity", "start"]
        # One row per period; a year of a company's days is one range scan of this index.
        constraints = [models.UniqueConstraint(fields=["granularity", "start"], name="analytics_report_once")]

    def __str__(self) -> str:
        return f"{self.get_granularity_display()} {self.start:%d/%m/%Y}"


class FunnelMark(models.Model):
    class Kind(models.TextChoices):
        BOOKING_INTENT = "booking_intent", "Intenção de agendar"
        SLOTS_OFFERED = "slots_offered", "Horários oferecidos"
        REMINDER_ANSWERED = "reminder_answered", "Lembrete respondido"

    # Plain ids, not foreign keys: a mark is a fact about the past and outlives an erased contact.
    kind = models.CharField("etapa", max_length=20, choices=Kind.choices)
    at = models.DateTimeField("em")
    contact_id = models.BigIntegerField("contato")
    conversation_id = models.BigIntegerField("conversa", null=True, blank=True)
    service_id = models.BigIntegerField("serviço", null=True, blank=True)
    professional_ids = models.JSONField("profissionais", default=list, blank=True)
    reminder_id = models.BigIntegerField("lembrete", null=True, blank=True)
    appointment_id = models.BigIntegerField("agendamento", null=True, blank=True)
    answer = models.CharField("resposta", max_length=16, blank=True)

    class Meta:
        verbose_name = "etapa do funil"
        verbose_name_plural = "etapas do funil"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["kind", "at"], name="analytics_mark_kind_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({timezone.localtime(self.at):%d/%m %H:%M})"
