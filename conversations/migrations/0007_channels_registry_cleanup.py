"""The kind-specific channel columns, now in `config`/`secrets` (0006), are dropped.

A migration of its own: PostgreSQL refuses to ALTER a table with the row updates of 0006
still pending in the same transaction.
"""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("conversations", "0006_channels_registry")]

    operations = [
        migrations.RemoveField("channel", "singleton"),
        migrations.RemoveField("channel", "phone_number_id"),
        migrations.RemoveField("channel", "base_url"),
        migrations.RemoveField("channel", "access_token"),
        migrations.RemoveField("channel", "template_name"),
        migrations.RemoveField("channel", "template_language"),
        migrations.AlterModelOptions("channel", options={
            "ordering": ["-is_default", "id"], "verbose_name": "canal", "verbose_name_plural": "canais"}),
        migrations.AddConstraint("channel", models.UniqueConstraint(
            fields=["is_default"], condition=Q(is_default=True), name="one_default_channel")),
        migrations.AddConstraint("channel", models.UniqueConstraint(
            fields=["kind", "account"], condition=~Q(account=""), name="one_channel_per_account")),
    ]
