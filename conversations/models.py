"""Conversations: the company's WhatsApp channel, contacts, sessions, messages, outbox, dead letters.

Inbound messages are the system of record: a webhook answers 2xx only once the
row is committed, and (provider, provider_message_id) is unique, so a provider's
redelivery is a no-op.
"""

from django.db import models
from django.db.models import Q

from secretaria.crypto import EncryptedTextField


class Channel(models.Model):
    """How the company's WhatsApp number is reached. One row per company."""

    class Kind(models.TextChoices):
        SANDBOX = "sandbox", "Sandbox (simulador)"
        META = "meta", "WhatsApp Cloud API (Meta)"
        WHATICKET = "whaticket", "Whaticket"

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    kind = models.CharField("tipo", max_length=16, choices=Kind.choices, default=Kind.SANDBOX)
    phone_number_id = models.CharField("phone_number_id (Meta)", max_length=64, blank=True)
    base_url = models.URLField("URL do Whaticket", blank=True)
    access_token = EncryptedTextField("token de acesso", blank=True)
    # Our own secret for this company's inbound webhook (path token and HMAC key).
    inbound_secret = EncryptedTextField("segredo do webhook")
    # Meta refuses free text outside the 24-hour window (error 131047); this template carries it instead.
    template_name = models.CharField(
        "template para mensagens fora da janela de 24h", max_length=512, blank=True,
        help_text="Somente WhatsApp Cloud API (Meta). Nome de um template aprovado na Meta com uma única "
                  "variável no corpo, {{1}}, que recebe o texto da mensagem (ex.: lembretes e ofertas de vaga "
                  "enviados mais de 24h após a última mensagem do cliente). Letras minúsculas, números e _. "
                  "Em branco, essas mensagens falham e vão para a fila de erros.",
    )
    template_language = models.CharField(
        "idioma do template", max_length=16, default="pt_BR", blank=True,
        help_text="Código do idioma em que o template foi aprovado, ex.: pt_BR (padrão), en_US.",
    )
    updated_at = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "canal"
        verbose_name_plural = "canal"

    def __str__(self) -> str:
        return self.get_kind_display()


class Contact(models.Model):
    phone = models.CharField("telefone", max_length=64, unique=True)  # digits, no "+"
    name = models.CharField("nome", max_length=120, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    last_message_at = models.DateTimeField("última mensagem", null=True, blank=True)

    class Meta:
        verbose_name = "contato"
        verbose_name_plural = "contatos"
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return self.name or self.phone


class Conversation(models.Model):
    """A session with one contact: closed after 30 min idle or 2 h in total."""

    class Status(models.TextChoices):
        BOT = "bot", "Com o assistente"
        HANDOFF = "handoff", "Com a equipe"
        CLOSED = "closed", "Encerrada"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.BOT)
    intents = models.JSONField("intenções abertas", default=list, blank=True)
    summary = models.TextField("resumo", blank=True)
    handoff_reason = models.CharField("motivo do atendimento humano", max_length=200, blank=True)
    # Bot answers in a row that it was not sure of; two in a row hand the conversation over.
    low_confidence_streak = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField("aberta em", auto_now_add=True)
    last_activity_at = models.DateTimeField("última atividade", auto_now_add=True, db_index=True)
    handoff_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "conversa"
        verbose_name_plural = "conversas"
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=~Q(status="closed"), name="one_open_conversation_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_status_display()})"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "Recebida"
        OUT = "out", "Enviada"

    class State(models.TextChoices):
        RECEIVED = "received", "Recebida"  # committed, waiting for the pipeline
        PROCESSING = "processing", "Em processamento"
        ANSWERED = "answered", "Respondida"
        SKIPPED = "skipped", "Sem resposta"  # handoff, reactions, statuses...
        LIMITED = "limited", "Acima do limite"  # stored, not answered (flood)
        DEAD = "dead", "Na fila de falhas"
        OUTBOUND = "outbound", "Saída"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    provider = models.CharField(max_length=16)
    provider_message_id = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, default="text")
    text = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED, db_index=True)
    delivery_status = models.CharField(max_length=16, blank=True)
    sent_by = models.CharField("enviada por", max_length=254, blank=True)  # staff e-mail, "" for the bot
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mensagem"
        verbose_name_plural = "mensagens"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="unique_provider_message",
            )
        ]
        indexes = [models.Index(fields=["contact", "state"], name="msg_contact_state")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:40]}"


class Outbox(models.Model):
    """One reply to send. The idempotency key makes a task that runs twice send once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pendente"
        SENDING = "sending", "Enviando"
        SENT = "sent", "Enviada"
        FAILED = "failed", "Falhou"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbox")
    idempotency_key = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the last attempt took the row (pending -> sending): the sweeper's clock.
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "envio"
        verbose_name_plural = "envios"

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.get_state_display()})"


class DeadLetter(models.Model):
    """Work that failed for good, kept with its payload and reason until reprocessed."""

    source = models.CharField("origem", max_length=40)
    reason = models.TextField("motivo")
    payload = models.JSONField("conteúdo", default=dict)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    reprocessed_at = models.DateTimeField("reprocessado em", null=True, blank=True)
    reprocess_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "falha"
        verbose_name_plural = "fila de falhas"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source}: {self.reason[:60]}"


class CompanyProfile(models.Model):
    """How the assistant speaks and when the company works. One row per company."""

    class Formality(models.TextChoices):
        INFORMAL = "informal", "Informal (você, descontraído)"
        NEUTRAL = "neutral", "Neutro"
        FORMAL = "formal", "Formal (o senhor / a senhora)"

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    assistant_name = models.CharField("nome da assistente", max_length=60, default="Ana")
    formality = models.CharField("formalidade", max_length=16, choices=Formality.choices,
                                 default=Formality.NEUTRAL)
    empathy = models.BooleanField("empatia explícita", default=True)
    humour = models.BooleanField("bom humor", default=False)
    emoji = models.BooleanField("usa emojis", default=False)
    # {"0": [["08:00", "12:00"], ["13:00", "18:00"]], ...}: Monday is "0"; a missing day is closed.
    business_hours = models.JSONField("horário de atendimento", default=dict, blank=True)
    out_of_hours_message = models.TextField("mensagem fora do horário", blank=True)
    handoff_timeout_minutes = models.PositiveSmallIntegerField(
        "minutos até oferecer retorno (atendimento humano)", default=15)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "perfil de atendimento"
        verbose_name_plural = "perfil de atendimento"

    def __str__(self) -> str:
        return self.assistant_name


class KnowledgeItem(models.Model):
    """One fact of the company the assistant may answer from."""

    class Kind(models.TextChoices):
        FAQ = "faq", "Pergunta frequente"
        SERVICE = "service", "Serviço e preço"
        ADDRESS = "address", "Endereço"
        HOURS = "hours", "Horário"
        POLICY = "policy", "Política"
        OTHER = "other", "Outro"

    kind = models.CharField("tipo", max_length=16, choices=Kind.choices, default=Kind.FAQ)
    title = models.CharField("pergunta ou título", max_length=200)
    answer = models.TextField("resposta")
    keywords = models.CharField("palavras-chave", max_length=300, blank=True,
                                help_text="Separadas por vírgula; ajudam a encontrar esta resposta.")
    price_cents = models.PositiveIntegerField("preço (centavos)", null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("duração (min)", null=True, blank=True)
    is_active = models.BooleanField("ativo", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "item de conhecimento"
        verbose_name_plural = "base de conhecimento"
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class LLMConfig(models.Model):
    """Which language model answers for the company. `local` needs no account."""

    class Provider(models.TextChoices):
        LOCAL = "local", "Local (offline)"
        GEMINI = "gemini", "Google Gemini"
        OPENAI = "openai", "OpenAI ou compatível (Ollama, vLLM...)"

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    provider = models.CharField("provedor", max_length=16, choices=Provider.choices, default=Provider.LOCAL)
    model = models.CharField("modelo", max_length=100, blank=True)
    api_key = EncryptedTextField("chave de API", blank=True)
    base_url = models.URLField("URL base", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "configuração de IA"
        verbose_name_plural = "configuração de IA"

    def __str__(self) -> str:
        return self.get_provider_display()


class LLMCall(models.Model):
    """One call to a language model, for token accounting and quotas."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    provider = models.CharField(max_length=16)
    model = models.CharField(max_length=100, blank=True)
    conversation = models.ForeignKey(Conversation, on_delete=models.SET_NULL, null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16)  # ok, blocked, error, fallback, breaker_open

    class Meta:
        verbose_name = "chamada de IA"
        verbose_name_plural = "chamadas de IA"

    def __str__(self) -> str:
        return f"{self.provider} {self.outcome} ({self.input_tokens}+{self.output_tokens})"
