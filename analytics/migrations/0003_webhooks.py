"""analytics.webhooks: its tables."""

import django.db.models.deletion
from django.db import migrations, models

import analytics.webhooks.models
import secretaria.crypto


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_recommendations")]
    operations = [
        migrations.CreateModel(
            name="WebhookEndpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("url", models.CharField(max_length=200, verbose_name="URL")),
                ("description", models.CharField(blank=True, max_length=200, verbose_name="descrição")),
                ("events", models.JSONField(default=list, help_text="Tipos de evento enviados a este endpoint.",
                                            verbose_name="eventos")),
                ("secret", secretaria.crypto.EncryptedTextField(default=analytics.webhooks.models.secret_new,
                                                                editable=False, verbose_name="segredo")),
                ("enabled", models.BooleanField(default=True, verbose_name="ativo")),
                ("failing_since", models.DateTimeField(blank=True, null=True, verbose_name="falhando desde")),
                ("disabled_at", models.DateTimeField(blank=True, null=True, verbose_name="desativado em")),
                ("note", models.CharField(blank=True, help_text="Por que o endpoint foi desativado automaticamente.",
                                          max_length=400, verbose_name="observação")),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="última tentativa")),
                ("last_status_code", models.PositiveSmallIntegerField(blank=True, null=True,
                                                                      verbose_name="último status HTTP")),
                ("last_success_at", models.DateTimeField(blank=True, null=True, verbose_name="última entrega")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="criado em")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="atualizado em")),
            ],
            options={
                "verbose_name": "webhook de saída",
                "verbose_name_plural": "webhooks de saída",
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("message_id", models.CharField(default=analytics.webhooks.models.message_id_new, max_length=40,
                                                unique=True, verbose_name="webhook-id")),
                ("event_type", models.CharField(max_length=40, verbose_name="tipo de evento")),
                ("body", models.TextField(verbose_name="corpo enviado")),
                ("status", models.CharField(choices=[("pending", "Pendente"), ("delivered", "Entregue"),
                                                     ("failed", "Falhou")],
                                            default="pending", max_length=16, verbose_name="situação")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="tentativas")),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="próxima tentativa")),
                ("queued_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("sending_since", models.DateTimeField(blank=True, editable=False, null=True)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="última tentativa")),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="status HTTP")),
                ("error", models.CharField(blank=True, max_length=300, verbose_name="erro")),
                ("duration_ms", models.PositiveIntegerField(blank=True, null=True, verbose_name="duração (ms)")),
                ("delivered_at", models.DateTimeField(blank=True, null=True, verbose_name="entregue em")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="criado em")),
                ("endpoint", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deliveries",
                                               to="analytics.webhookendpoint", verbose_name="endpoint")),
            ],
            options={
                "verbose_name": "entrega de webhook",
                "verbose_name_plural": "entregas de webhooks",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
                    models.Index(condition=models.Q(("status", "pending")), fields=["next_attempt_at"],
                                 name="webhook_delivery_due"),
                    models.Index(fields=["created_at"], name="webhook_delivery_created"),
                ],
            },
        ),
    ]
