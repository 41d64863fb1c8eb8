"""What the payment providers told us, kept in the public schema next to the companies.

Every webhook that authenticates is stored once per (provider, event id): a replay finds the
row and is not applied again, and an event we could not map to a company stays for review.
"""

from django.db import models

__all__ = ["PaymentEvent", "ProviderState"]


class PaymentEvent(models.Model):
    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        ASAAS = "asaas", "Asaas"

    class Status(models.TextChoices):
        RECEIVED = "received", "Recebido"
        APPLIED = "applied", "Aplicado"
        IGNORED_OLDER = "ignored_older", "Ignorado (mais antigo que o último aplicado)"
        IGNORED_TYPE = "ignored_type", "Ignorado (tipo sem efeito na assinatura)"
        UNMAPPED = "unmapped", "Sem empresa (para revisão)"
        REJECTED = "rejected", "Recusado"

    provider = models.CharField("provedor", max_length=16, choices=Provider.choices)
    event_id = models.CharField("id do evento", max_length=255)
    type = models.CharField("tipo", max_length=80)
    company = models.ForeignKey(
        "tenants.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payment_events",
        verbose_name="empresa",
    )
    company_ref = models.CharField("referência da empresa enviada", max_length=255, blank=True)
    payload = models.JSONField("conteúdo", default=dict)
    object_timestamp = models.DateTimeField("data do objeto no provedor", null=True, blank=True)
    received_at = models.DateTimeField("recebido em", auto_now_add=True)
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField("erro", blank=True)

    class Meta:
        verbose_name = "evento de pagamento"
        verbose_name_plural = "eventos de pagamento"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="billing_payment_event_unique"),
        ]
        indexes = [models.Index(fields=["status", "-received_at"], name="billing_payevent_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.type} {self.event_id}"


class ProviderState(models.Model):
    """The newest provider state applied to a company, per provider: older events arriving late lose to it."""

    company = models.ForeignKey(
        "tenants.Company", on_delete=models.CASCADE, related_name="payment_states", verbose_name="empresa"
    )
    provider = models.CharField("provedor", max_length=16, choices=PaymentEvent.Provider.choices)
    # Null until a first event is applied (a checkout creates the row with the provider's refs).
    last_applied_at = models.DateTimeField("data do último estado aplicado", null=True, blank=True)
    last_event = models.ForeignKey(
        PaymentEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="último evento"
    )
    customer_ref = models.CharField("cliente no provedor", max_length=255, blank=True)
    subscription_ref = models.CharField("assinatura no provedor", max_length=255, blank=True)
    # The plan our checkout subscribed to: Asaas' events carry no plan of ours, only the subscription id.
    plan_code = models.CharField("plano contratado", max_length=40, blank=True)

    class Meta:
        verbose_name = "estado no provedor"
        verbose_name_plural = "estados nos provedores"
        constraints = [
            models.UniqueConstraint(fields=["company", "provider"], name="billing_provider_state_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.company} @ {self.provider}"
