"""Public-schema models of the platform view: what the daily global run found about each company.

One row per company and situation (kind + subject: the churn risk, or an upgrade per quota) while it
lasts; the platform staff answer it (accept: someone will act; dismiss: not raised again while it
lasts). When the situation goes away the row is closed, an unanswered one as `expired`.
"""

from django.db import models
from django.db.models import Q

from analytics.situations import Situation

__all__ = ["CompanyRecommendation"]


class CompanyRecommendation(Situation):
    class Kind(models.TextChoices):
        CHURN_RISK = "churn_risk", "Risco de cancelamento"
        UPGRADE = "upgrade", "Sugestão de upgrade"

    company = models.ForeignKey("tenants.Company", on_delete=models.CASCADE, related_name="platform_recommendations",
                                verbose_name="empresa")
    kind = models.CharField("tipo", max_length=16, choices=Kind.choices)
    subject = models.CharField("assunto", max_length=32, blank=True)  # the quota of an upgrade; "" for churn
    score = models.FloatField("pontuação (0–1)", default=0.0)
    summary = models.TextField("motivos")  # the reasons in pt-BR, one per line
    reasons = models.JSONField("motivos (dados)", default=list, blank=True)
    evidence = models.JSONField("evidências", default=dict, blank=True)

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
