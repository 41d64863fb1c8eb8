# Plans' limits and the subscription lifecycle (B1). The three billing migrations form one chain (no merges).
from datetime import timedelta

import django.db.models.deletion
from django.db import migrations, models

NO_NEGATIVE = "O limite não pode ser negativo (use 0 para ilimitado)."
NO_NEGATIVE_PRICE = "O preço não pode ser negativo."
NO_NEGATIVE_DAYS = "O número de dias não pode ser negativo."
STATUSES = [("trialing", "Em teste"), ("active", "Ativa"), ("past_due", "Em atraso"), ("suspended", "Suspensa"),
            ("canceled", "Cancelada")]
CAUSES = [("api", "API"), ("admin", "Admin da plataforma"), ("provider", "Provedor de pagamento"),
          ("system", "Sistema")]


def _min(message):
    return {"min_value": message}


def _limit(label, *, big=False, help_text="0 = ilimitado."):
    field = models.PositiveBigIntegerField if big else models.PositiveIntegerField
    return field(default=0, help_text=help_text, error_messages=_min(NO_NEGATIVE), verbose_name=label)


# code: name, price (cents of BRL), messages, AI tokens, outreach, channels, staff, professionals,
#       overage policy, overage price per 1,000 messages (cents), trial days, grace days.
PLANS = {
    "free": ("Gratuito", 0, 500, 200_000, 100, 1, 2, 1, "block_ai", 0, 0, 7),
    "essencial": ("Essencial", 7_900, 3_000, 1_500_000, 1_000, 1, 5, 3, "block_ai", 0, 14, 7),
    "pro": ("Profissional", 14_900, 10_000, 5_000_000, 5_000, 3, 15, 10, "allow_overage", 2_500, 14, 7),
}
FIELDS = ("name", "price_cents", "monthly_messages", "monthly_llm_tokens", "monthly_outreach", "max_channels",
          "max_staff", "max_professionals", "overage_policy", "overage_price_cents_per_1000", "trial_days",
          "grace_days")


def seed_and_backfill(apps, schema_editor):
    # Plans and subscriptions live in public only; tenant schemas record the migration and skip it.
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    Subscription = apps.get_model("billing", "Subscription")
    for code, values in PLANS.items():
        Plan.objects.update_or_create(code=code, defaults=dict(zip(FIELDS, values, strict=True)))
    Subscription.objects.filter(status="cancelled").update(status="canceled")
    for subscription in Subscription.objects.filter(current_period_start__isnull=True):
        end = subscription.current_period_end or subscription.started_at + timedelta(days=30)
        subscription.current_period_start, subscription.current_period_end = end - timedelta(days=30), end
        subscription.save(update_fields=["current_period_start", "current_period_end"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_seed_plans")]

    operations = [
        # --- plans: every limit of the issue, no negative values ---
        migrations.AlterField("plan", "price_cents", models.PositiveIntegerField(
            default=0, help_text="Ex.: 14900 = R$ 149,00.", error_messages=_min(NO_NEGATIVE_PRICE),
            verbose_name="preço mensal (centavos de R$)")),
        migrations.AlterField("plan", "monthly_messages", _limit("mensagens respondidas por mês")),
        migrations.AlterField("plan", "monthly_llm_tokens", _limit("tokens de IA por mês", big=True)),
        migrations.AddField("plan", "monthly_outreach", _limit(
            "mensagens ativas por mês", help_text="Lembretes, follow-ups e campanhas. 0 = ilimitado.")),
        migrations.AddField("plan", "max_channels", _limit("canais (números)")),
        migrations.AddField("plan", "max_staff", _limit("usuários da equipe")),
        migrations.AddField("plan", "max_professionals", _limit("profissionais")),
        migrations.AddField("plan", "overage_policy", models.CharField(
            choices=[("block_ai", "Bloquear IA ao atingir o limite"),
                     ("allow_overage", "Permitir excedente (cobrado por 1.000 mensagens)")],
            default="block_ai", max_length=16, verbose_name="ao atingir o limite")),
        migrations.AddField("plan", "overage_price_cents_per_1000", models.PositiveIntegerField(
            default=0, error_messages=_min(NO_NEGATIVE_PRICE),
            verbose_name="preço do excedente por 1.000 mensagens (centavos de R$)")),
        migrations.AddField("plan", "trial_days", models.PositiveSmallIntegerField(
            default=0, help_text="Uma empresa nova começa em teste por estes dias (0 = sem teste).",
            error_messages=_min(NO_NEGATIVE_DAYS), verbose_name="dias de teste")),
        migrations.AddField("plan", "grace_days", models.PositiveSmallIntegerField(
            default=7, help_text="Dias em atraso antes de a assinatura ser suspensa.",
            error_messages=_min(NO_NEGATIVE_DAYS), verbose_name="dias de tolerância")),
        # --- subscriptions: the lifecycle and its dates ---
        migrations.AlterField("subscription", "status", models.CharField(
            choices=STATUSES, default="active", max_length=16, verbose_name="situação")),
        migrations.AddField("subscription", "trial_ends_at", models.DateTimeField(
            blank=True, null=True, verbose_name="fim do teste")),
        migrations.AddField("subscription", "current_period_start", models.DateTimeField(
            blank=True, null=True, verbose_name="início do período")),
        migrations.AddField("subscription", "past_due_since", models.DateTimeField(
            blank=True, null=True, verbose_name="em atraso desde")),
        migrations.AddField("subscription", "canceled_at", models.DateTimeField(
            blank=True, null=True, verbose_name="cancelada em")),
        migrations.AddField("subscription", "provider", models.CharField(
            blank=True, max_length=16, verbose_name="provedor")),
        migrations.AddField("subscription", "state_at", models.DateTimeField(
            blank=True, null=True, verbose_name="data do último estado aplicado")),
        migrations.AddIndex("subscription", models.Index(fields=["status"], name="billing_subscription_status")),
        # --- the change history ---
        migrations.CreateModel(
            name="SubscriptionChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subscription", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="changes", to="billing.subscription",
                    verbose_name="assinatura")),
                ("from_status", models.CharField(blank=True, choices=STATUSES, max_length=16,
                                                 verbose_name="de (situação)")),
                ("to_status", models.CharField(choices=STATUSES, max_length=16, verbose_name="para (situação)")),
                ("from_plan", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="billing.plan", verbose_name="de (plano)")),
                ("to_plan", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="+", to="billing.plan",
                    verbose_name="para (plano)")),
                ("cause", models.CharField(choices=CAUSES, max_length=16, verbose_name="causa")),
                ("actor", models.CharField(blank=True, help_text="E-mail de quem fez a mudança.", max_length=254,
                                           verbose_name="quem")),
                ("provider", models.CharField(blank=True, max_length=16, verbose_name="provedor")),
                ("reference", models.CharField(blank=True, max_length=255, verbose_name="referência do evento")),
                ("note", models.CharField(blank=True, max_length=255, verbose_name="observação")),
                ("occurred_at", models.DateTimeField(verbose_name="ocorreu em")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="registrada em")),
            ],
            options={"verbose_name": "mudança de assinatura", "verbose_name_plural": "mudanças de assinatura",
                     "ordering": ["-recorded_at", "-id"]},
        ),
        migrations.RunPython(seed_and_backfill, migrations.RunPython.noop),
    ]
