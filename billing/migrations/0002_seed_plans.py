from django.db import migrations

PLANS = [
    # code, name, price (cents of BRL), messages/month, LLM tokens/month
    ("free", "Gratuito", 0, 500, 200_000),
    ("pro", "Profissional", 14_900, 10_000, 5_000_000),
]


def seed(apps, schema_editor):
    # Plans live in public only; tenant schemas record the migration and skip it.
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    for code, name, price, messages, tokens in PLANS:
        Plan.objects.update_or_create(
            code=code,
            defaults={"name": name, "price_cents": price, "monthly_messages": messages,
                      "monthly_llm_tokens": tokens},
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
