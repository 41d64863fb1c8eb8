"""Public-schema models of the platform view: what the daily global run found about each company.

One row per company and situation (kind + subject: the churn risk, or an upgrade per quota) while it
lasts; the platform staff answer it (accept: someone will act; dismiss: not raised again while it
lasts). When the situation goes away the row is closed, an unanswered one as `expired`.
"""

from django.db import models
from django.db.models import Q

__all__ = ["CompanyRecommendation"]


class CompanyRecommendation(models.Model):
    class Kind(models.TextChoices):
        CHURN_RISK = "churn_risk", "Risco de cancelamento"
        UPGRADE = "upgrade", "Sugestão de upgrade"

    class Status(models.TextChoices):
        NEW = "new", "Nova"
        ACCEPTED = "accepted", "Aceita"
        DISMISSED = "dismissed", "Descartada"
        EXPIRED = "expired", "Expirada"

    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="platform_recommendations",
                                verbose_name="empresa")
    kind = models.CharField("tipo", max_length=16, choices=Kind.choices)
    subject = models.CharField("assunto", max_length=32, blank=True)  # the quota of an upgrade; "" for churn
    score = models.FloatField("pontuação (0–1)", default=0.0)
    summary = models.TextField("motivos")  # the reasons in pt-BR, one per line
    reasons = models.JSONField("motivos (dados)", default=list, blank=True)
    evidence = models.JSONField("evidências", default=dict, blank=True)
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.NEW)
    decided_by = models.CharField("decidida por", max_length=254, blank=True)
    decided_at = models.DateTimeField("decidida em", null=True, blank=True)
    created_at = models.DateTimeField("criada em", auto_now_add=True)
    refreshed_at = models.DateTimeField("evidências de", auto_now_add=True)
    closed_at = models.DateTimeField("situação encerrada em", null=True, blank=True)

    class Meta:
        verbose_name = "recomendação da plataforma"
        verbose_name_plural = "recomendações da plataforma"
        ordering = ["-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "subject"], condition=Q(closed_at__isnull=True),
                                    name="platform_rec_one_open_per_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.company_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
