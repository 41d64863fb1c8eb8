from django.db import models


class AuditEvent(models.Model):
    """One entry of the company's tamper-evident audit trail.

    Each row stores the SHA-256 of its own content chained to the previous row's
    hash: editing or deleting a row in the middle breaks every hash after it
    (see `selectors.audit_chain_verify`).
    """

    created_at = models.DateTimeField("quando", auto_now_add=True, db_index=True)
    actor = models.CharField("quem", max_length=254, blank=True)
    action = models.CharField("ação", max_length=80, db_index=True)
    target = models.CharField("alvo", max_length=200, blank=True)
    data = models.JSONField("dados", default=dict, blank=True)
    # Set by callers that may run twice (tasks): a second record with the same key is a no-op.
    key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "evento de auditoria"
        verbose_name_plural = "trilha de auditoria"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
