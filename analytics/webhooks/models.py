"""Outgoing webhooks: the company's endpoints and the log of what was delivered to them.

One WebhookDelivery row per event and endpoint: its `message_id` is the Standard Webhooks
`webhook-id` (the same on every retry) and `body` the exact JSON sent, so each attempt signs the
same bytes. The row is the source of truth of what is still owed: the delivery task and the
minute sweeper both read it, never the Celery message alone.
"""

import base64
import secrets
import uuid

from django.db import models
from django.db.models import Q

from secretaria.crypto import EncryptedTextField

SECRET_PREFIX = "whsec_"


def secret_new() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id_new() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    # Checked by the SSRF guard (secretaria/url_check.py), which also takes hostnames without a dot.
    url = models.CharField("URL", max_length=200)
    description = models.CharField("descrição", max_length=200, blank=True)
    events = models.JSONField("eventos", default=list, help_text="Tipos de evento enviados a este endpoint.")
    secret = EncryptedTextField("segredo", default=secret_new, editable=False)
    enabled = models.BooleanField("ativo", default=True)
    # The failure clock: since when nothing was accepted (None while it works). 24 h of it disables.
    failing_since = models.DateTimeField("falhando desde", null=True, blank=True)
    disabled_at = models.DateTimeField("desativado em", null=True, blank=True)
    note = models.CharField("observação", max_length=400, blank=True,
                            help_text="Por que o endpoint foi desativado automaticamente.")
    last_attempt_at = models.DateTimeField("última tentativa", null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField("último status HTTP", null=True, blank=True)
    last_success_at = models.DateTimeField("última entrega", null=True, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "webhook de saída"
        verbose_name_plural = "webhooks de saída"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pendente"
        DELIVERED = "delivered", "Entregue"
        FAILED = "failed", "Falhou"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries",
                                 verbose_name="webhook de saída")
    message_id = models.CharField("id da mensagem (webhook-id)", max_length=40, unique=True, default=message_id_new)
    event_type = models.CharField("tipo de evento", max_length=40)
    body = models.TextField("corpo enviado")
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("tentativas", default=0)
    next_attempt_at = models.DateTimeField("próxima tentativa", null=True, blank=True)
    # Leases: when a scan last queued it (not queued again for a while), and when a task took it to
    # send (no other task sends it meanwhile; a claim older than the lease is a dead worker's).
    queued_at = models.DateTimeField("na fila desde", null=True, blank=True, editable=False)
    sending_since = models.DateTimeField("enviando desde", null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField("última tentativa", null=True, blank=True)
    status_code = models.PositiveSmallIntegerField("status HTTP", null=True, blank=True)
    error = models.CharField("erro", max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField("duração (ms)", null=True, blank=True)
    delivered_at = models.DateTimeField("entregue em", null=True, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)

    class Meta:
        verbose_name = "entrega de webhook"
        verbose_name_plural = "entregas de webhooks"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due"),
            models.Index(fields=["created_at"], name="webhook_delivery_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"
