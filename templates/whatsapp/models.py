"""WhatsApp message templates (Meta), per company: what Meta holds, which one carries which message.

- `WhatsAppTemplate`: a template of the channel's business account (WABA), as last synced from
  the Graph API or reported by Meta's status webhook; created from the admin, it starts PENDING.
- `WhatsAppTemplateMapping`: which template carries a template slot's message outside the 24-hour
  window (`reminder_24h` → `lembrete_consulta`), and which of the slot's variables fills `{{1}}`,
  `{{2}}`… in order.
- `WhatsAppTemplateSync`: one row per sync attempt, so that a failed one (Meta's rate limit, a bad
  token) is visible with its reason.
"""

import re

from django.db import models

__all__ = ["WhatsAppTemplate", "WhatsAppTemplateMapping", "WhatsAppTemplateSync"]

# `{{1}}`, `{{2}}`… in a template's text (Meta's positional parameters).
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


class WhatsAppTemplate(models.Model):
    class Category(models.TextChoices):
        MARKETING = "MARKETING", "Marketing"
        UTILITY = "UTILITY", "Utilidade"
        AUTHENTICATION = "AUTHENTICATION", "Autenticação"

    class Status(models.TextChoices):
        APPROVED = "APPROVED", "Aprovado"
        PENDING = "PENDING", "Em análise"
        REJECTED = "REJECTED", "Rejeitado"
        PAUSED = "PAUSED", "Pausado"
        DISABLED = "DISABLED", "Desativado"
        IN_APPEAL = "IN_APPEAL", "Em recurso"
        FLAGGED = "FLAGGED", "Sinalizado (qualidade baixa)"
        ARCHIVED = "ARCHIVED", "Arquivado"
        PENDING_DELETION = "PENDING_DELETION", "Exclusão pendente"
        DELETED = "DELETED", "Excluído na Meta"
        LIMIT_EXCEEDED = "LIMIT_EXCEEDED", "Limite de templates excedido"

    channel = models.ForeignKey("conversations.Channel", on_delete=models.CASCADE, related_name="+",
                                verbose_name="canal")
    meta_id = models.CharField("ID na Meta", max_length=64, blank=True)
    name = models.CharField("nome", max_length=512)
    language = models.CharField("idioma", max_length=16)
    category = models.CharField("categoria", max_length=16, choices=Category.choices)
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField("motivo da rejeição", max_length=200, blank=True)
    header_text = models.CharField("cabeçalho", max_length=60, blank=True)
    body_text = models.TextField("corpo", blank=True)
    footer_text = models.CharField("rodapé", max_length=60, blank=True)
    examples = models.JSONField("exemplos das variáveis", default=list, blank=True,
                                help_text="Um exemplo por variável do corpo, na ordem {{1}}, {{2}}…")
    components = models.JSONField("componentes (Meta)", default=list, blank=True)
    synced_at = models.DateTimeField("sincronizado em", null=True, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "template do WhatsApp"
        verbose_name_plural = "templates do WhatsApp"
        ordering = ["name", "language"]
        constraints = [models.UniqueConstraint(fields=["channel", "name", "language"],
                                               name="one_whatsapp_template_per_channel_name_language")]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    @property
    def body_placeholders(self) -> list[int]:
        """The numbers of the body's `{{n}}`, sorted and without repeats."""
        return sorted({int(number) for number in PLACEHOLDER.findall(self.body_text)})

    @property
    def sendable(self) -> bool:
        return self.status == self.Status.APPROVED


class WhatsAppTemplateMapping(models.Model):
    channel = models.ForeignKey("conversations.Channel", on_delete=models.CASCADE, related_name="+",
                                verbose_name="canal")
    slot = models.CharField("mensagem (slot)", max_length=64,
                            help_text="O texto fixo do produto que este template leva fora da janela de 24h, "
                                      "ex.: reminder_24h.")
    template = models.ForeignKey(WhatsAppTemplate, on_delete=models.CASCADE, related_name="mappings",
                                 verbose_name="template do WhatsApp")
    variables = models.JSONField("variáveis, na ordem {{1}}, {{2}}…", default=list, blank=True,
                                 help_text="Qual variável do texto preenche cada {{n}} do corpo do template.")
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "template por mensagem"
        verbose_name_plural = "templates por mensagem"
        ordering = ["slot"]
        constraints = [models.UniqueConstraint(fields=["channel", "slot"], name="one_whatsapp_template_per_slot")]

    def __str__(self) -> str:
        return f"{self.slot} → {self.template.name}"


class WhatsAppTemplateSync(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", "Concluída"
        RETRYING = "retrying", "Falhou; será repetida"
        FAILED = "failed", "Falhou"

    channel = models.ForeignKey("conversations.Channel", on_delete=models.CASCADE, related_name="+",
                                verbose_name="canal")
    started_at = models.DateTimeField("início")
    finished_at = models.DateTimeField("fim")
    outcome = models.CharField("resultado", max_length=16, choices=Outcome.choices)
    templates = models.PositiveIntegerField("templates lidos", default=0)
    error = models.CharField("motivo", max_length=500, blank=True)

    class Meta:
        verbose_name = "sincronização de templates"
        verbose_name_plural = "sincronizações de templates"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.started_at:%d/%m/%Y %H:%M})"
