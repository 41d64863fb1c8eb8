# Filled by B3 (payment provider events). The three billing migrations form one chain so they never need a merge.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_usage_metering"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaymentEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "provider",
                    models.CharField(
                        choices=[("stripe", "Stripe"), ("asaas", "Asaas")], max_length=16, verbose_name="provedor"
                    ),
                ),
                ("event_id", models.CharField(max_length=255, verbose_name="id do evento")),
                ("type", models.CharField(max_length=80, verbose_name="tipo")),
                (
                    "company_ref",
                    models.CharField(blank=True, max_length=255, verbose_name="referência da empresa enviada"),
                ),
                ("payload", models.JSONField(default=dict, verbose_name="conteúdo")),
                (
                    "object_timestamp",
                    models.DateTimeField(blank=True, null=True, verbose_name="data do objeto no provedor"),
                ),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="recebido em")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("received", "Recebido"),
                            ("applied", "Aplicado"),
                            ("ignored_older", "Ignorado (mais antigo que o último aplicado)"),
                            ("ignored_type", "Ignorado (tipo sem efeito na assinatura)"),
                            ("unmapped", "Sem empresa (para revisão)"),
                            ("rejected", "Recusado"),
                        ],
                        default="received",
                        max_length=16,
                        verbose_name="situação",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="erro")),
                (
                    "company",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="payment_events",
                        to="tenants.company",
                        verbose_name="empresa",
                    ),
                ),
            ],
            options={
                "verbose_name": "evento de pagamento",
                "verbose_name_plural": "eventos de pagamento",
                "ordering": ["-received_at"],
                "indexes": [models.Index(fields=["status", "-received_at"], name="billing_payevent_status_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("provider", "event_id"), name="billing_payment_event_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="ProviderState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "provider",
                    models.CharField(
                        choices=[("stripe", "Stripe"), ("asaas", "Asaas")], max_length=16, verbose_name="provedor"
                    ),
                ),
                (
                    "last_applied_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="data do último estado aplicado"),
                ),
                ("customer_ref", models.CharField(blank=True, max_length=255, verbose_name="cliente no provedor")),
                (
                    "subscription_ref",
                    models.CharField(blank=True, max_length=255, verbose_name="assinatura no provedor"),
                ),
                ("plan_code", models.CharField(blank=True, max_length=40, verbose_name="plano contratado")),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="payment_states",
                        to="tenants.company",
                        verbose_name="empresa",
                    ),
                ),
                (
                    "last_event",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="billing.paymentevent",
                        verbose_name="último evento",
                    ),
                ),
            ],
            options={
                "verbose_name": "estado no provedor",
                "verbose_name_plural": "estados nos provedores",
                "constraints": [
                    models.UniqueConstraint(fields=("company", "provider"), name="billing_provider_state_unique")
                ],
            },
        ),
    ]
