"""The audit trail's tables. PostgreSQL refuses UPDATE, DELETE and TRUNCATE on both
(migration 0002's trigger); only `audit_archive_segment` moves old entries, whole and verified,
from the first into the second."""

from auditlog.models import LogEntry
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One entry of the company's audit trail, sealed and chained (see compliance/audit/chain.py).

    `seq` numbers the company's entries 1, 2, 3... with no gaps; `hash` is the entry's
    HMAC under the key `key_id`, covering `prev_hash`, the previous entry's seal.
    """

    seq = models.PositiveBigIntegerField("nº", unique=True)
    # Set before the insert (not auto_now_add): the seal covers it and the row is never updated.
    created_at = models.DateTimeField("quando", default=timezone.now, editable=False, db_index=True)
    actor = models.CharField("quem", max_length=254, blank=True)
    action = models.CharField("ação", max_length=80, db_index=True)
    target = models.CharField("alvo", max_length=200, blank=True)
    data = models.JSONField("dados", default=dict, blank=True)
    # Set by callers that may run twice (tasks): a second record with the same key is a no-op.
    key = models.CharField("chave de idempotência", max_length=100, unique=True, null=True, blank=True)
    prev_hash = models.CharField("selo anterior", max_length=64, blank=True)
    key_id = models.CharField("chave", max_length=32)
    hash = models.CharField("selo", max_length=64, unique=True)

    class Meta:
        app_label = "compliance"
        verbose_name = "evento de auditoria"
        verbose_name_plural = "trilha de auditoria"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"nº {self.seq} {self.created_at:%Y-%m-%d %H:%M} {self.action}"


class AuditArchiveSegment(models.Model):
    """Entries first_seq..last_seq, moved out of the live table whole and after verification.

    `rows` keeps them as they were (every field, seals included), so the verifier goes on
    across segments; `mac` seals the segment's bounds and rows under `key_id`.
    """

    first_seq = models.PositiveBigIntegerField("primeira entrada", unique=True)
    last_seq = models.PositiveBigIntegerField("última entrada", unique=True)
    first_prev_hash = models.CharField("selo anterior à primeira entrada", max_length=64, blank=True)
    last_hash = models.CharField("selo da última entrada", max_length=64)
    rows = models.JSONField("entradas")
    key_id = models.CharField("chave", max_length=32)
    mac = models.CharField("selo do segmento", max_length=64)
    created_at = models.DateTimeField("arquivado em", default=timezone.now, editable=False)

    class Meta:
        app_label = "compliance"
        verbose_name = "segmento arquivado da auditoria"
        verbose_name_plural = "segmentos arquivados da auditoria"
        ordering = ["first_seq"]
        constraints = [models.CheckConstraint(condition=models.Q(last_seq__gte=models.F("first_seq")),
                                              name="audit_segment_bounds")]

    def __str__(self) -> str:
        return f"nº {self.first_seq}–{self.last_seq}"


class SettingsChange(LogEntry):
    """django-auditlog's field-level changes, as the company admin lists them (in pt-BR, with
    the compliance pages rather than under a separate "auditlog" heading)."""

    class Meta:
        proxy = True
        app_label = "compliance"
        verbose_name = "alteração de configuração"
        verbose_name_plural = "histórico de configurações"
