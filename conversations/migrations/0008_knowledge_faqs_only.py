"""The knowledge base keeps FAQs only: services, prices and durations live in agenda.Service.

agenda 0004 moves the service items there first (it declares `run_before` this migration).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("conversations", "0007_channels_registry_cleanup")]

    operations = [
        migrations.RemoveField("knowledgeitem", "price_cents"),
        migrations.RemoveField("knowledgeitem", "duration_minutes"),
        migrations.AlterField(
            model_name="knowledgeitem",
            name="kind",
            field=models.CharField(
                "tipo", max_length=16, default="faq",
                choices=[("faq", "Pergunta frequente"), ("address", "Endereço"), ("hours", "Horário"),
                         ("policy", "Política"), ("other", "Outro")]),
        ),
    ]
