"""A release whose second migration writes a row from Python: the fast path must leave it to `migrate`."""

from django.db import models


class Note(models.Model):
    text = models.CharField("texto", max_length=60)

    def __str__(self) -> str:
        return self.text
