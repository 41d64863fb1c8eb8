"""What the company's and the platform's recommendations share: a situation a daily run found,
one row while it lasts, answered by a person (accept or dismiss), closed when it goes away."""

from django.db import models


class SituationStatus(models.TextChoices):
    NEW = "new", "Nova"
    ACCEPTED = "accepted", "Aceita"
    DISMISSED = "dismissed", "Descartada"
    EXPIRED = "expired", "Expirada"


class Situation(models.Model):
    Status = SituationStatus

    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.NEW)
    decided_by = models.CharField("decidida por", max_length=254, blank=True)
    decided_at = models.DateTimeField("decidida em", null=True, blank=True)
    created_at = models.DateTimeField("criada em", auto_now_add=True)
    refreshed_at = models.DateTimeField("evidências de", auto_now_add=True)
    closed_at = models.DateTimeField("situação encerrada em", null=True, blank=True)

    class Meta:
        abstract = True
