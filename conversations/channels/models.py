"""The company's WhatsApp channels: how each of its numbers is reached, with its credentials (encrypted).

A company may have several (reception on Meta, a second unit on Whaticket). Exactly one is the
default: automations for a contact who never wrote in go out through it, and `PUT /api/channel`
edits it. What a kind needs (a phone_number_id, a URL, a token...) is declared by its spec in the
channel registry (channels/registry.py) and kept in `config` (plain values) and `secrets`
(encrypted JSON), so a new kind needs no new column.
"""

import json

from django.db import models
from django.db.models import Q

from secretaria.crypto import EncryptedTextField


class Channel(models.Model):
    name = models.CharField("nome", max_length=80, blank=True,
                            help_text="Para a equipe distinguir os números, ex.: Recepção, Unidade Centro.")
    kind = models.CharField("tipo", max_length=32, default="sandbox")
    enabled = models.BooleanField(
        "ativo", default=True,
        help_text="Desativado, o canal recusa os webhooks e os envios pendentes vão para a fila de falhas.")
    is_default = models.BooleanField("canal padrão", default=False)
    # The id the provider routes notifications by (Meta's phone_number_id); "" for per-channel URLs.
    account = models.CharField("conta no provedor", max_length=64, blank=True, db_index=True)
    config = models.JSONField("configuração", default=dict, blank=True)
    secrets = EncryptedTextField("credenciais", blank=True, default="")
    # Our own secret for this channel's inbound webhook (path token and HMAC key).
    inbound_secret = EncryptedTextField("segredo do webhook")
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "canal"
        verbose_name_plural = "canais"
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_channel"),
            models.UniqueConstraint(fields=["kind", "account"], condition=~Q(account=""),
                                    name="one_channel_per_account"),
        ]

    def __str__(self) -> str:
        return self.name or self.kind

    # --- values ---------------------------------------------------------------------------------

    @property
    def secret_values(self) -> dict[str, str]:
        return json.loads(self.secrets) if self.secrets else {}

    def values(self) -> dict[str, str]:
        """Every configured value, secrets decrypted: what the kind's client is built from."""
        return {**(self.config or {}), **self.secret_values}

    def value(self, name: str) -> str:
        return str(self.values().get(name, ""))

    # The settings most code and the panel talk about, whatever kind stores them.
    @property
    def phone_number_id(self) -> str:
        return self.value("phone_number_id")

    @property
    def base_url(self) -> str:
        return self.value("base_url")

    @property
    def access_token(self) -> str:
        return self.value("access_token")

    @property
    def template_name(self) -> str:
        return self.value("template_name")

    @property
    def template_language(self) -> str:
        return self.value("template_language")
