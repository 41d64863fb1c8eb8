"""analytics.reports: its tables."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="FunnelMark",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("booking_intent", "Intenção de agendar"),
                                                   ("slots_offered", "Horários oferecidos"),
                                                   ("reminder_answered", "Lembrete respondido")],
                                          max_length=20, verbose_name="etapa")),
                ("at", models.DateTimeField(verbose_name="em")),
                ("contact_id", models.BigIntegerField(verbose_name="contato")),
                ("conversation_id", models.BigIntegerField(blank=True, null=True, verbose_name="conversa")),
                ("service_id", models.BigIntegerField(blank=True, null=True, verbose_name="serviço")),
                ("professional_ids", models.JSONField(blank=True, default=list, verbose_name="profissionais")),
                ("reminder_id", models.BigIntegerField(blank=True, null=True, verbose_name="lembrete")),
                ("appointment_id", models.BigIntegerField(blank=True, null=True, verbose_name="agendamento")),
                ("answer", models.CharField(blank=True, max_length=16, verbose_name="resposta")),
            ],
            options={
                "verbose_name": "etapa do funil",
                "verbose_name_plural": "etapas do funil",
                "ordering": ["at", "pk"],
                "indexes": [models.Index(fields=["kind", "at"], name="analytics_mark_kind_at")],
            },
        ),
        migrations.CreateModel(
            name="Report",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("granularity", models.CharField(choices=[("day", "Dia"), ("week", "Semana")], max_length=8,
                                                 verbose_name="período")),
                ("start", models.DateField(verbose_name="de")),
                ("end", models.DateField(verbose_name="até")),
                ("timezone", models.CharField(max_length=64, verbose_name="fuso horário")),
                ("figures", models.JSONField(default=dict, verbose_name="indicadores")),
                ("parts", models.JSONField(default=dict, verbose_name="componentes")),
                ("computed_at", models.DateTimeField(verbose_name="calculado em")),
            ],
            options={
                "verbose_name": "relatório",
                "verbose_name_plural": "relatórios",
                "ordering": ["granularity", "start"],
                "constraints": [models.UniqueConstraint(fields=("granularity", "start"), name="analytics_report_once")],
            },
        ),
    ]
