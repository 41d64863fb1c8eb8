"""Models of this part (re-exported by analytics/models.py).

A recommendation is a *situation* the daily run found (kind + subject), told in numbers. While the
situation lasts it stays one row (`closed_at` empty), whatever its status: the owner is not asked
twice about the same thing. When the situation goes away the row is closed (an unanswered one also
turns `expired`); if it comes back later it is a new row.
"""

from django.db import models
from django.db.models import Q

from analytics.situations import Situation

__all__ = ["Recommendation"]


class Recommendation(Situation):
    class Kind(models.TextChoices):
        INACTIVE_CONTACTS = "inactive_contacts", "Clientes que não voltam"
        NOSHOW_SLOT = "noshow_slot", "Horário com muitas faltas"
        HANDOFF_SLA = "handoff_sla", "Atendimento humano atrasado"
        SERVICE_UNBOOKED = "service_unbooked", "Serviço procurado e não agendado"

    kind = models.CharField("tipo", max_length=24, choices=Kind.choices)
    # What the situation is about inside its kind ("days:90", "slot:1:14", "service:7"): with the kind,
    # the dedupe key of the daily run.
    subject = models.CharField("assunto", max_length=64)
    title = models.CharField("recomendação", max_length=240)
    evidence = models.JSONField("evidências", default=dict, blank=True)
    importance = models.PositiveSmallIntegerField("importância (0–100)", default=50)
    # What accepting did (how many messages queued, reminders planned...).
    result = models.JSONField("resultado da ação", default=dict, blank=True)

    class Meta:
        verbose_name = "recomendação"
        verbose_name_plural = "recomendações"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The dedupe key: one row per situation while it lasts, even if two daily runs overlap.
            models.UniqueConstraint(fields=["kind", "subject"], condition=Q(closed_at__isnull=True),
                                    name="recommendation_one_open_per_subject"),
        ]
        indexes = [models.Index(fields=["status", "-importance"], condition=Q(closed_at__isnull=True),
                                name="recommendation_open")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
