"""Plans and subscriptions live in the public schema, next to the companies."""

from django.db import models


class Plan(models.Model):
    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nome", max_length=80)
    price_cents = models.PositiveIntegerField("preço mensal (centavos de R$)", default=0)
    monthly_messages = models.PositiveIntegerField("mensagens por mês", default=0)
    monthly_llm_tokens = models.PositiveBigIntegerField("tokens de IA por mês", default=0)
    is_active = models.BooleanField("disponível", default=True)

    class Meta:
        verbose_name = "plano"
        verbose_name_plural = "planos"
        ordering = ["price_cents", "code"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Ativa"
        PAST_DUE = "past_due", "Em atraso"
        CANCELLED = "cancelled", "Cancelada"

    company = models.OneToOneField(
        "tenants.Company", on_delete=models.CASCADE, related_name="subscription", verbose_name="empresa"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name="plano")
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField("início", auto_now_add=True)
    current_period_end = models.DateTimeField("fim do período", null=True, blank=True)

    class Meta:
        verbose_name = "assinatura"
        verbose_name_plural = "assinaturas"

    def __str__(self) -> str:
        return f"{self.company} — {self.plan}"
