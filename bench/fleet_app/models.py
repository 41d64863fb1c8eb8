from django.db import models


class FleetProbe(models.Model):
    """A table like the ones a release adds: a few columns, a default, an index."""

    label = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["label", "created_at"], name="fleet_probe_label_idx")]

    def __str__(self) -> str:
        return self.label
