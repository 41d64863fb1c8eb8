"""Usage per company and day, and the quota alerts already sent, in the public schema."""

from django.db import models

__all__ = ["QuotaAlert", "QuotaContact", "UsageDaily"]


class UsageKind(models.TextChoices):
    MESSAGES = "messages", "Mensagens respondidas"
    AI_TOKENS = "ai_tokens", "Tokens de IA"
    OUTREACH = "outreach", "Mensagens ativas (lembretes, follow-ups, campanhas)"
    HANDOFFS = "handoffs", "Transferências para atendente"
    INBOUND = "inbound", "Mensagens recebidas"


class UsageDaily(models.Model):
    """One kind of usage of one company on one day (company's time zone), rebuilt from the facts."""

    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="usage_days", verbose_name="empresa"
    )
    day = models.DateField("dia")
    kind = models.CharField("tipo", max_length=16, choices=UsageKind.choices)
    quantity = models.PositiveBigIntegerField("quantidade", default=0)
    cost_cents = models.PositiveBigIntegerField("custo (centavos de R$)", default=0)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "uso diário"
        verbose_name_plural = "usos diários"
        ordering = ["-day", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["company", "day", "kind"], name="billing_usage_daily_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day} {self.kind}={self.quantity}"


class QuotaAlert(models.Model):
    """An 80 % or 100 % alert, stored before it is sent: the unique row is what makes it exactly once."""

    class Threshold(models.IntegerChoices):
        WARNING = 80, "80 %"
        EXHAUSTED = 100, "100 %"

    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="quota_alerts", verbose_name="empresa"
    )
    period_start = models.DateField("início do período")
    kind = models.CharField("tipo", max_length=16, choices=UsageKind.choices)
    threshold = models.PositiveSmallIntegerField("limite", choices=Threshold.choices)
    used = models.PositiveBigIntegerField("uso no momento", default=0)
    limit = models.PositiveBigIntegerField("limite do plano", default=0)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    sent_at = models.DateTimeField("enviado em", null=True, blank=True)

    class Meta:
        verbose_name = "alerta de cota"
        verbose_name_plural = "alertas de cota"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period_start", "kind", "threshold"], name="billing_quota_alert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} {self.threshold} % ({self.period_start})"


class QuotaContact(models.Model):
    """Where quota alerts reach the owner on WhatsApp (the e-mail goes to every owner user)."""

    company = models.OneToOneField(
        "tenants.Company", on_delete=models.CASCADE, related_name="quota_contact", verbose_name="empresa"
    )
    whatsapp = models.CharField("WhatsApp do proprietário", max_length=20, blank=True,
                                help_text="Só números, com DDI e DDD (ex.: 5511999998888).")

    class Meta:
        verbose_name = "contato para alertas de cota"
        verbose_name_plural = "contatos para alertas de cota"

    def __str__(self) -> str:
        return self.whatsapp or "—"
