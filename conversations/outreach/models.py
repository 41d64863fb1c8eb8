"""The scheduled-send state machine every automation's rows share (abstract: no table of its own).

    pending --claim--> sending --outbox row committed--> sent [--customer answers--> answered]
       |                  |
       +--> cancelled     +--> failed / cancelled (nothing to send any more)
    sending for too long (a killed worker) --> pending again, and the outbox key keeps it single
"""

from django.db import models


class ScheduledSend(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Aguardando"
        SENDING = "sending", "Enviando"
        SENT = "sent", "Enviado"
        ANSWERED = "answered", "Respondido"
        CANCELLED = "cancelled", "Cancelado"
        FAILED = "failed", "Falhou"

    due_at = models.DateTimeField("enviar em")
    state = models.CharField("situação", max_length=16, choices=State.choices, default=State.PENDING)
    outbox = models.OneToOneField("conversations.Outbox", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="envio")
    # While pending: when a scan leased it (not enqueued again for a while); while sending: when claimed.
    claimed_at = models.DateTimeField("reservado em", null=True, blank=True)
    sent_at = models.DateTimeField("enviado em", null=True, blank=True)

    # The outbox key of a row's message is f"{OUTREACH_KIND}:{pk}" (and OutreachQueued's kind).
    OUTREACH_KIND = ""

    class Meta:
        abstract = True
