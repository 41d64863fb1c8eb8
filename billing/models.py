"""Plans, subscriptions and their change history live in the public schema, next to the companies.

The lifecycle (docs/billing.md): trialing -> active -> past_due -> suspended -> canceled. Every
change goes through billing.services, which records a SubscriptionChange row with its cause.
"""

from django.db import models

from secretaria.ptbr import brl

# A positive integer field refuses a negative value (its range check, code "min_value") with these messages.
NO_NEGATIVE = "O limite não pode ser negativo (use 0 para ilimitado)."
NO_NEGATIVE_PRICE = "O preço não pode ser negativo."
NO_NEGATIVE_DAYS = "O número de dias não pode ser negativo."


def _limit(label: str, *, big: bool = False, help_text: str = "0 = ilimitado.") -> models.Field:
    field = models.PositiveBigIntegerField if big else models.PositiveIntegerField
    return field(label, default=0, help_text=help_text, error_messages={"min_value": NO_NEGATIVE})


class Plan(models.Model):
    """What a company may use per month; 0 in any limit means unlimited."""

    class OveragePolicy(models.TextChoices):
        BLOCK_AI = "block_ai", "Bloquear IA ao atingir o limite"
        ALLOW_OVERAGE = "allow_overage", "Permitir excedente (cobrado por 1.000 mensagens)"

    code = models.SlugField("código", max_length=40, unique=True)
    name = models.CharField("nome", max_length=80)
    price_cents = models.PositiveIntegerField(
        "preço mensal (centavos de R$)", default=0, error_messages={"min_value": NO_NEGATIVE_PRICE},
        help_text="Ex.: 14900 = R$ 149,00.",
    )
    monthly_messages = _limit("mensagens respondidas por mês")
    monthly_llm_tokens = _limit("tokens de IA por mês", big=True)
    monthly_outreach = _limit("mensagens ativas por mês", help_text="Lembretes, follow-ups e campanhas. 0 = ilimitado.")
    max_channels = _limit("canais (números)")
    max_staff = _limit("usuários da equipe")
    max_professionals = _limit("profissionais")
    overage_policy = models.CharField(
        "ao atingir o limite", max_length=16, choices=OveragePolicy.choices, default=OveragePolicy.BLOCK_AI
    )
    overage_price_cents_per_1000 = models.PositiveIntegerField(
        "preço do excedente por 1.000 mensagens (centavos de R$)", default=0,
        error_messages={"min_value": NO_NEGATIVE_PRICE},
    )
    trial_days = models.PositiveSmallIntegerField(
        "dias de teste", default=0, error_messages={"min_value": NO_NEGATIVE_DAYS},
        help_text="Uma empresa nova começa em teste por estes dias (0 = sem teste).",
    )
    grace_days = models.PositiveSmallIntegerField(
        "dias de tolerância", default=7, error_messages={"min_value": NO_NEGATIVE_DAYS},
        help_text="Dias em atraso antes de a assinatura ser suspensa.",
    )
    is_active = models.BooleanField("disponível", default=True)

    class Meta:
        verbose_name = "plano"
        verbose_name_plural = "planos"
        ordering = ["price_cents", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def price_display(self) -> str:
        return brl(self.price_cents)

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    def limits(self) -> dict[str, int]:
        """The monthly and standing limits by the names the API and metering use (0 = unlimited)."""
        return {
            "messages": self.monthly_messages,
            "ai_tokens": self.monthly_llm_tokens,
            "outreach": self.monthly_outreach,
            "channels": self.max_channels,
            "staff": self.max_staff,
            "professionals": self.max_professionals,
        }


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "Em teste"
    ACTIVE = "active", "Ativa"
    PAST_DUE = "past_due", "Em atraso"
    SUSPENDED = "suspended", "Suspensa"
    CANCELED = "canceled", "Cancelada"


class Subscription(models.Model):
    Status = SubscriptionStatus

    company = models.OneToOneField(
        "tenants.Company", on_delete=models.CASCADE, related_name="subscription", verbose_name="empresa"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name="plano")
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField("início", auto_now_add=True)
    trial_ends_at = models.DateTimeField("fim do teste", null=True, blank=True)
    current_period_start = models.DateTimeField("início do período", null=True, blank=True)
    current_period_end = models.DateTimeField("fim do período", null=True, blank=True)
    past_due_since = models.DateTimeField("em atraso desde", null=True, blank=True)
    canceled_at = models.DateTimeField("cancelada em", null=True, blank=True)
    # The provider (if any) that manages this subscription, and the time of the newest state of
    # theirs we applied: a state older than it arriving late is ignored (events come out of order).
    provider = models.CharField("provedor", max_length=16, blank=True)
    state_at = models.DateTimeField("data do último estado aplicado", null=True, blank=True)

    class Meta:
        verbose_name = "assinatura"
        verbose_name_plural = "assinaturas"
        indexes = [models.Index(fields=["status"], name="billing_subscription_status")]

    def __str__(self) -> str:
        return f"{self.company} — {self.plan}"


class SubscriptionChange(models.Model):
    """One change of a subscription's status or plan, with what caused it (never edited)."""

    class Cause(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Admin da plataforma"
        PROVIDER = "provider", "Provedor de pagamento"
        SYSTEM = "system", "Sistema"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="changes", verbose_name="assinatura"
    )
    from_status = models.CharField("de (situação)", max_length=16, choices=SubscriptionStatus.choices, blank=True)
    to_status = models.CharField("para (situação)", max_length=16, choices=SubscriptionStatus.choices)
    from_plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="de (plano)"
    )
    to_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", verbose_name="para (plano)")
    cause = models.CharField("causa", max_length=16, choices=Cause.choices)
    actor = models.CharField("quem", max_length=254, blank=True, help_text="E-mail de quem fez a mudança.")
    provider = models.CharField("provedor", max_length=16, blank=True)
    reference = models.CharField("referência do evento", max_length=255, blank=True)
    note = models.CharField("observação", max_length=255, blank=True)
    occurred_at = models.DateTimeField("ocorreu em")
    recorded_at = models.DateTimeField("registrada em", auto_now_add=True)

    class Meta:
        verbose_name = "mudança de assinatura"
        verbose_name_plural = "mudanças de assinatura"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.from_status or '—'} → {self.to_status} ({self.cause})"


# The other billing parts keep their models in their own packages (one migration each).
from billing.metering.models import *  # noqa: E402,F401,F403
from billing.payments.models import *  # noqa: E402,F401,F403
