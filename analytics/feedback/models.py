"""Feedback from other systems (Google reviews, a survey tool, a CRM) and the keys they send it with.

A `Feedback` row is one customer's score (0–10) as another system recorded it; together with the
follow-up answers (agenda's `FollowUp`) it makes the company's NPS. `external_id` is the sender's own id
for it: sending the same one again returns the stored row instead of writing a second.

A `FeedbackKey` authenticates those systems on the company's host (`Authorization: Bearer fbk_...`).
Only the SHA-256 of the secret is stored; the secret itself is shown once, when the key is created.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from agenda.models import Appointment, Professional, Service
from conversations.models import Contact, Conversation

KEY_PREFIX = "fbk_"
# "fbk_" and the first 8 characters of the random part: enough to tell keys apart in a list and to find
# the row of a presented secret by an index, without being a usable part of the secret.
KEY_LOOKUP_LENGTH = len(KEY_PREFIX) + 8


class FeedbackKey(models.Model):
    name = models.CharField("nome", max_length=80, help_text="Qual sistema usa a chave (ex.: CRM, pesquisa).")
    prefix = models.CharField("início da chave", max_length=KEY_LOOKUP_LENGTH, db_index=True, editable=False)
    digest = models.CharField("SHA-256 da chave", max_length=64, unique=True, editable=False)
    created_by = models.CharField("criada por", max_length=254, blank=True, editable=False)
    created_at = models.DateTimeField("criada em", auto_now_add=True)
    last_used_at = models.DateTimeField("último uso", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("revogada em", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "chave de integração (avaliações)"
        verbose_name_plural = "chaves de integração (avaliações)"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Feedback(models.Model):
    """One score a customer gave somewhere else, sent to us by that system."""

    external_id = models.CharField("id no sistema de origem", max_length=200, unique=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="feedback", verbose_name="contato")
    score = models.PositiveSmallIntegerField("nota (0–10)", validators=[MaxValueValidator(10)])
    comment = models.TextField("comentário", blank=True)
    source = models.CharField("origem", max_length=40, help_text="Ex.: google, pesquisa, crm.")
    given_at = models.DateTimeField("avaliado em", db_index=True)
    # What the score is about, when the sender knows: an appointment (its professional and service are
    # copied here at ingest, so the NPS per professional reads one table), or just whom and what.
    appointment = models.ForeignKey(Appointment, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="agendamento")
    professional = models.ForeignKey(Professional, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name="profissional")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name="serviço")
    key = models.ForeignKey(FeedbackKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name="chave usada", editable=False)
    sent_by = models.CharField("enviada por", max_length=254, blank=True, editable=False,
                               help_text="E-mail de quem enviou, quando não foi por uma chave de integração.")
    # A detractor's comment opens a handoff, once: set (compare-and-set) when it was opened.
    handoff_at = models.DateTimeField("encaminhada à equipe em", null=True, blank=True, editable=False)
    handoff_conversation = models.ForeignKey(Conversation, on_delete=models.SET_NULL, null=True, blank=True,
                                             related_name="+", verbose_name="conversa do atendimento",
                                             editable=False)
    created_at = models.DateTimeField("recebida em", auto_now_add=True)

    class Meta:
        verbose_name = "avaliação recebida"
        verbose_name_plural = "avaliações recebidas"
        ordering = ["-given_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=10), name="feedback_score_0_10")]

    def __str__(self) -> str:
        return f"Nota {self.score} ({self.source})"

    @property
    def detractor_comment(self) -> bool:
        """A detractor (0–6) who said why: the staff should hear about it."""
        return self.score <= 6 and bool(self.comment.strip())
