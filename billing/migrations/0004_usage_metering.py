# Filled by B2 (usage metering, quotas, alerts). The three billing migrations form one chain so they never need a merge.
import django.db.models.deletion
from django.db import migrations, models

KINDS = [
    ("messages", "Mensagens respondidas"),
    ("ai_tokens", "Tokens de IA"),
    ("outreach", "Mensagens ativas (lembretes, follow-ups, campanhas)"),
    ("handoffs", "Transferências para atendente"),
    ("inbound", "Mensagens recebidas"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_plans_lifecycle"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="UsageDaily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="dia")),
                ("kind", models.CharField(choices=KINDS, max_length=16, verbose_name="tipo")),
                ("quantity", models.PositiveBigIntegerField(default=0, verbose_name="quantidade")),
                ("cost_cents", models.PositiveBigIntegerField(default=0, verbose_name="custo (centavos de R$)")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="atualizado em")),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="usage_days",
                        to="tenants.company",
                        verbose_name="empresa",
                    ),
                ),
            ],
            options={
                "verbose_name": "uso diário",
                "verbose_name_plural": "usos diários",
                "ordering": ["-day", "kind"],
                "constraints": [
                    models.UniqueConstraint(fields=("company", "day", "kind"), name="billing_usage_daily_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="QuotaAlert",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period_start", models.DateField(verbose_name="início do período")),
                ("kind", models.CharField(choices=KINDS, max_length=16, verbose_name="tipo")),
                (
                    "threshold",
                    models.PositiveSmallIntegerField(choices=[(80, "80 %"), (100, "100 %")], verbose_name="limite"),
                ),
                ("used", models.PositiveBigIntegerField(default=0, verbose_name="uso no momento")),
                ("limit", models.PositiveBigIntegerField(default=0, verbose_name="limite do plano")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="criado em")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="enviado em")),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quota_alerts",
                        to="tenants.company",
                        verbose_name="empresa",
                    ),
                ),
            ],
            options={
                "verbose_name": "alerta de cota",
                "verbose_name_plural": "alertas de cota",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "period_start", "kind", "threshold"), name="billing_quota_alert_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="QuotaContact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "whatsapp",
                    models.CharField(
                        blank=True,
                        help_text="Só números, com DDI e DDD (ex.: 5511999998888).",
                        max_length=20,
                        verbose_name="WhatsApp do proprietário",
                    ),
                ),
                (
                    "company",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="quota_contact",
                        to="tenants.company",
                        verbose_name="empresa",
                    ),
                ),
            ],
            options={
                "verbose_name": "contato para alertas de cota",
                "verbose_name_plural": "contatos para alertas de cota",
            },
        ),
    ]
