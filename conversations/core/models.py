"""Contacts, conversations, messages, the outbox and dead letters.

Inbound messages are the system of record: a webhook answers 2xx only once the
row is committed, and (provider, provider_message_id) is unique, so a provider's
redelivery is a no-op.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Contact(models.Model):
    phone = models.CharField("telefone", max_length=64, unique=True)  # digits, no "+"
    name = models.CharField("nome", max_length=120, blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    last_message_at = models.DateTimeField("última mensagem", null=True, blank=True)
    # LGPD (compliance/lgpd): the customer said "parar"; business-initiated messages stop
    # (conversations/outreach), except reminders when `reminders_kept` ("quero continuar recebendo lembretes").
    opted_out_at = models.DateTimeField("não quer receber mensagens desde", null=True, blank=True)
    reminders_kept = models.BooleanField("mantém lembretes", default=False)
    # Set when the contact's personal data was erased: the row stays, anonymised, so counts keep.
    erased_at = models.DateTimeField("dados apagados em", null=True, blank=True)

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

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations",
                                verbose_name="contato")
    # The channel the conversation's first message came in on: every reply leaves through it.
    # No database constraint on the channel links (here, Message, DeadLetter): every insert would
    # lock the company's one channel row (FOR KEY SHARE), and at hundreds of messages a second those
    # shared locks on one hot row cost PostgreSQL CPU and the webhook its latency. PROTECT still
    # holds (Django checks it before a delete), and channels are only removed by channel_delete.
    channel = models.ForeignKey("conversations.Channel", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="conversations", verbose_name="canal", db_constraint=False)
    status = models.CharField("situação", max_length=16, choices=Status.choices, default=Status.BOT)
    intents = models.JSONField("intenções abertas", default=list, blank=True)
    summary = models.TextField("resumo", blank=True)
    handoff_reason = models.CharField("motivo do atendimento humano", max_length=200, blank=True)
    # Bot answers in a row that it was not sure of; two in a row hand the conversation over.
    low_confidence_streak = models.PositiveSmallIntegerField("respostas incertas seguidas", default=0)
    opened_at = models.DateTimeField("aberta em", auto_now_add=True)
    last_activity_at = models.DateTimeField("última atividade", auto_now_add=True, db_index=True)
    handoff_at = models.DateTimeField("com a equipe desde", null=True, blank=True)
    closed_at = models.DateTimeField("encerrada em", null=True, blank=True)
    # The inbox (conversations/inbox): the id of the last message staff saw in this conversation;
    # the customer's messages after it are unread. Shared by the team: one receptionist reading
    # the thread reads it for everyone.
    # db_default too: during a rolling deploy the old code inserts conversations without this column.
    staff_seen_message_id = models.BigIntegerField("última mensagem vista pela equipe", default=0, db_default=0)

    class Meta:
        verbose_name = "conversa"
        verbose_name_plural = "conversas"
        ordering = ["-last_activity_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=~Q(status="closed"), name="one_open_conversation_per_contact"
            )
        ]
        indexes = [
            # The inbox's queue and its polls: the conversations waiting for a person, and the
            # latest close (the newest of each is one index probe; both indexes stay small).
            models.Index(fields=["handoff_at"], condition=Q(status="handoff"), name="conv_waiting_handoff_at"),
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False), name="conv_closed_at"),
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

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages", verbose_name="contato")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages",
        verbose_name="conversa",
    )
    direction = models.CharField("sentido", max_length=3, choices=Direction.choices)
    # In: the channel it arrived on. Out: the channel it leaves through.
    channel = models.ForeignKey("conversations.Channel", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="messages", verbose_name="canal", db_constraint=False)
    provider = models.CharField("provedor", max_length=32)
    provider_message_id = models.CharField("id no provedor", max_length=200, blank=True)
    kind = models.CharField("tipo", max_length=16, default="text")
    text = models.TextField("texto", blank=True)
    payload = models.JSONField("conteúdo recebido do provedor", default=dict, blank=True)
    state = models.CharField("situação", max_length=16, choices=State.choices, default=State.RECEIVED,
                             db_index=True)
    delivery_status = models.CharField("entrega", max_length=16, blank=True)
    sent_by = models.CharField("enviada por", max_length=254, blank=True)  # staff e-mail, "" for the bot
    created_at = models.DateTimeField("criada em", auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField("processada em", null=True, blank=True)
    # The worker whose reply holds the message while `processing` (secretaria/worker_heartbeat.py):
    # once its heartbeat stops, another worker takes the message back (conversations/core/claims.py).
    # "" when claimed outside a worker: only the sweeper's fixed age takes those back.
    # db_default: during a rolling deploy the old code inserts messages without this column.
    claimed_by = models.CharField("em processamento por", max_length=64, blank=True, default="", db_default="")

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

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="outbox", verbose_name="mensagem")
    idempotency_key = models.CharField("chave de idempotência", max_length=100, unique=True)
    state = models.CharField("situação", max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("tentativas", default=0)
    last_error = models.TextField("último erro", blank=True)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    # When the last attempt took the row (pending -> sending): the sweeper's clock.
    attempted_at = models.DateTimeField("última tentativa em", null=True, blank=True)
    # The worker that made the last attempt: while `sending`, it holds the row (see Message.claimed_by);
    # back in `pending`, it most likely holds the retry too (a Celery task with a countdown).
    claimed_by = models.CharField("tentativa feita por", max_length=64, blank=True, default="", db_default="")
    sent_at = models.DateTimeField("enviado em", null=True, blank=True)

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
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="mensagem")
    # The channel the failed work came in on or was to leave through (a reprocessed webhook is stored for it).
    channel = models.ForeignKey("conversations.Channel", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name="canal", db_constraint=False)
    created_at = models.DateTimeField("criado em", auto_now_add=True)
    reprocessed_at = models.DateTimeField("reprocessado em", null=True, blank=True)
    reprocess_count = models.PositiveSmallIntegerField("reprocessamentos", default=0)

    class Meta:
        verbose_name = "falha"
        verbose_name_plural = "fila de falhas"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source}: {self.reason[:60]}"


class ErasureTombstone(models.Model):
    """What is left of a customer whose data was erased: enough to refuse their old messages, nothing to find them.

    `phone_hash` is an HMAC of the phone (conversations/core/privacy.py), `message_hashes` HMACs of the
    provider message ids erased. Ingest refuses a message from that phone timestamped before
    `erased_at`, or one of those ids (a provider redelivering an old webhook), so erased data is not
    re-created; a new message from the same person starts a fresh contact.
    """

    phone_hash = models.CharField("telefone (hash)", max_length=64, db_index=True)
    erased_at = models.DateTimeField("dados apagados em")
    message_hashes = ArrayField(models.CharField(max_length=64), default=list, blank=True,
                                verbose_name="mensagens apagadas (hashes)")

    class Meta:
        verbose_name = "registro de exclusão"
        verbose_name_plural = "registros de exclusão"

    def __str__(self) -> str:
        return f"{self.phone_hash[:12]}… ({self.erased_at:%d/%m/%Y})"
