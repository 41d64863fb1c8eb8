"""analytics.recommendations: its tables."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_reports")]
    operations = [
        migrations.CreateModel(
            name="Recommendation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("inactive_contacts", "Clientes que não voltam"),
                                                   ("noshow_slot", "Horário com muitas faltas"),
                                                   ("handoff_sla", "Atendimento humano atrasado"),
                                                   ("service_unbooked", "Serviço procurado e não agendado")],
                                          max_length=24, verbose_name="tipo")),
                ("subject", models.CharField(max_length=64, verbose_name="assunto")),
                ("title", models.CharField(max_length=240, verbose_name="recomendação")),
                ("evidence", models.JSONField(blank=True, default=dict, verbose_name="evidências")),
                ("importance", models.PositiveSmallIntegerField(default=50, verbose_name="importância (0–100)")),
                ("status", models.CharField(choices=[("new", "Nova"), ("accepted", "Aceita"),
                                                     ("dismissed", "Descartada"), ("expired", "Expirada")],
                                            default="new", max_length=16, verbose_name="situação")),
                ("result", models.JSONField(blank=True, default=dict, verbose_name="resultado da ação")),
                ("decided_by", models.CharField(blank=True, max_length=254, verbose_name="decidida por")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decidida em")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="criada em")),
                ("refreshed_at", models.DateTimeField(auto_now_add=True, verbose_name="evidências de")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="situação encerrada em")),
            ],
            options={
                "verbose_name": "recomendação",
                "verbose_name_plural": "recomendações",
                "ordering": ["-created_at", "-pk"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("closed_at__isnull", True)),
                                                        fields=("kind", "subject"),
                                                        name="recommendation_one_open_per_subject")],
                "indexes": [models.Index(condition=models.Q(("closed_at__isnull", True)),
                                         fields=["status", "-importance"], name="recommendation_open")],
            },
        ),
    ]
