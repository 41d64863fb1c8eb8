"""Two migrations a release could bring, all SQL: a table with an index and foreign keys (one to the
schema's users), then a column with a default and an index made by hand (RunSQL)."""

from django.conf import settings
from django.db import models


class Shelf(models.Model):
    name = models.CharField("nome", max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="books")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    title = models.CharField("título", max_length=120)
    pages = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["shelf", "title"], name="replay_sql_book_shelf_title")]
        permissions = [("lend_book", "Pode emprestar livros")]

    def __str__(self) -> str:
        return self.title
