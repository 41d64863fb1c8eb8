"""LGPD rights (Lei 13.709, Art. 18): the record of every request, consent history, retention policies.

Nothing here holds a customer's phone or name: a request names its contact by id (gone once the
contact is erased) and by the keyed hash of the phone (conversations/core/privacy.py).
"""

from django.db import models


class DataRequest(models.Model):
    """One LGPD request, from staff (API, admin) or from the customer over WhatsApp: the DPO's register."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Acesso / portabilidade"
        ERASURE = "erasure", "Exclusão / anonimização"
        OPT_OUT = "opt_out", "Não receber mensagens"
        OPT_IN = "opt_in", "Voltar a receber mensagens"

    class Channel(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Painel"
        WHATSAPP = "whatsapp", "WhatsApp"
        RETENTION = "retention", "Retenção automática"

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Aguardando confirmação do cliente"
        PENDING = "pending", "Em andamento"
        DONE = "done", "Concluído"
        FAILED = "failed", "Falhou"
        CANCELLED = "cancelled", "Cancelado"

    kind = models.CharField("tipo", max_length=16, choices=Kind.choices)
    status = models.CharField("situação", max_length=24, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    requested_by = models.CharField("pedido por", max_length=254)  # staff e-mail or "cliente via WhatsApp"
    channel = models.CharField("canal", max_length=16, choices=Channel.choices)
    phone_hash = models.CharField("telefone (hash)", max_length=64, db_index=True)
    contact = models.ForeignKey("conversations.Contact", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name="contato")
    reason = models.CharField("motivo", max_length=300, blank=True)
    result = models.JSONField("o que foi feito", default=dict, blank=True)  # counts per table, never content
    # Access: the zip, in the private export storage (compliance/lgpd/exports.py); removed after its link expires.
    file = models.CharField("arquivo", max_length=200, blank=True)
    created_at = models.DateTimeField("pedido em", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("concluído em", null=True, blank=True)

    class Meta:
        verbose_name = "pedido LGPD"
        verbose_name_plural = "pedidos LGPD (titulares)"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class Consent(models.Model):
    """One change of a customer's consent, in order: the history behind `Contact.opted_out_at`."""

    class Purpose(models.TextChoices):
        MESSAGES = "messages", "Mensagens iniciadas pela empresa"
        REMINDERS = "reminders", "Lembretes de agendamento"

    contact = models.ForeignKey("conversations.Contact", on_delete=models.CASCADE, related_name="+",
                                verbose_name="contato")
    purpose = models.CharField("finalidade", max_length=16, choices=Purpose.choices)
    granted = models.BooleanField("consentiu")
    source = models.CharField("origem", max_length=40)  # "whatsapp", staff e-mail
    request = models.ForeignKey(DataRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="pedido LGPD")
    created_at = models.DateTimeField("quando", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "consentimento"
        verbose_name_plural = "consentimentos"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {'sim' if self.granted else 'não'}"


class RetentionPolicy(models.Model):
    """How long the company keeps what it stores about customers. One row per company (defaults below).

    Run nightly (compliance.lgpd_retention_run); "0" keeps forever.
    """

    singleton = models.PositiveSmallIntegerField("registro único", default=1, unique=True, editable=False)
    message_text_days = models.PositiveIntegerField(
        "textos das mensagens (dias)", default=180,
        help_text="Depois disso o texto e as mídias das mensagens são apagados; a contagem fica.")
    inactive_contact_days = models.PositiveIntegerField(
        "contatos sem atividade (dias)", default=730,
        help_text="Contatos sem mensagens nem agendamentos há esse tempo são anonimizados.")
    llm_call_days = models.PositiveIntegerField("registros de chamadas de IA (dias)", default=30)
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "política de retenção"
        verbose_name_plural = "política de retenção"

    def __str__(self) -> str:
        return (f"mensagens {self.message_text_days} d · contatos {self.inactive_contact_days} d · "
                f"IA {self.llm_call_days} d")
