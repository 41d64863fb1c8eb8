"""A service's description: what the assistant answers to "o que é X?" (it was a knowledge item's answer)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("agenda", "0002_sending_indexes")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="description",
            field=models.TextField(
                blank=True, verbose_name="descrição",
                help_text="O que a assistente responde quando perguntam o que é este serviço."),
        ),
    ]
