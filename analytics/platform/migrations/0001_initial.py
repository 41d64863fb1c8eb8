"""analytics.platform: its tables (public schema)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("tenants", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="CompanyRecommendation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("churn_risk", "Risco de cancelamento"),
                                                   ("upgrade", "Sugestão de upgrade")],
                                          max_length=16, verbose_name="tipo")),
                ("subject", models.CharField(blank=True, max_length=32, verbose_name="assunto")),
                ("score", models.FloatField(default=0.0, verbose_name="pontuação (0–1)")),
                ("summary", models.TextField(verbose_name="motivos")),
                ("reasons", models.JSONField(blank=True, default=list, verbose_name="motivos (dados)")),
                ("evidence", models.JSONField(blank=True, default=dict, verbose_name="evidências")),
                ("status", models.CharField(choices=[("new", "Nova"), ("accepted", "Aceita"),
                                                     ("dismissed", "Descartada"), ("expired", "Expirada")],
                                            default="new", max_length=16, verbose_name="situação")),
                ("decided_by", models.CharField(blank=True, max_length=254, verbose_name="decidida por")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decidida em")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="criada em")),
                ("refreshed_at", models.DateTimeField(auto_now_add=True, verbose_name="evidências de")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="situação encerrada em")),
                ("company", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="platform_recommendations", to="tenants.company",
                                              verbose_name="empresa")),
            ],
            options={
                "verbose_name": "recomendação da plataforma",
                "verbose_name_plural": "recomendações da plataforma",
                "ordering": ["-score", "-created_at"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("closed_at__isnull", True)),
                                                        fields=("company", "kind", "subject"),
                                                        name="platform_rec_one_open_per_subject")],
            },
        ),
    ]
