"""A company's own wording of a template slot (its schema); a slot without a row says the default."""

from django.db import models


class ReplyTemplate(models.Model):
    slot = models.CharField("momento", max_length=64)
    variant = models.CharField("variação", max_length=32, blank=True, default="")
    text = models.TextField("texto")
    updated_at = models.DateTimeField("alterado em", auto_now=True)
    updated_by = models.CharField("alterado por", max_length=254, blank=True)

    class Meta:
        verbose_name = "modelo de resposta"
        verbose_name_plural = "modelos de resposta"
        ordering = ["slot", "variant"]
        constraints = [models.UniqueConstraint(fields=["slot", "variant"], name="reply_template_slot_variant")]

    def __str__(self) -> str:
        return f"{self.slot}:{self.variant}" if self.variant else self.slot
