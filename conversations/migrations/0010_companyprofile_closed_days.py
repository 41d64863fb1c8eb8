from django.db import migrations, models

STATES = [
    ("AC", "Acre"), ("AL", "Alagoas"), ("AP", "Amapá"), ("AM", "Amazonas"), ("BA", "Bahia"), ("CE", "Ceará"),
    ("DF", "Distrito Federal"), ("ES", "Espírito Santo"), ("GO", "Goiás"), ("MA", "Maranhão"),
    ("MT", "Mato Grosso"), ("MS", "Mato Grosso do Sul"), ("MG", "Minas Gerais"), ("PA", "Pará"),
    ("PB", "Paraíba"), ("PR", "Paraná"), ("PE", "Pernambuco"), ("PI", "Piauí"), ("RJ", "Rio de Janeiro"),
    ("RN", "Rio Grande do Norte"), ("RS", "Rio Grande do Sul"), ("RO", "Rondônia"), ("RR", "Roraima"),
    ("SC", "Santa Catarina"), ("SP", "São Paulo"), ("SE", "Sergipe"), ("TO", "Tocantins"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0009_lgpd_optout_tombstone"),
    ]

    operations = [
        migrations.AddField(
            model_name="companyprofile",
            name="opens_on_holidays",
            field=models.BooleanField(
                default=False, help_text="Desmarcado: a assistente diz que não abrimos nos feriados.",
                verbose_name="abre em feriados"),
        ),
        migrations.AddField(
            model_name="companyprofile",
            name="state",
            field=models.CharField(
                blank=True, choices=STATES, help_text="Para a assistente conhecer também os feriados estaduais.",
                max_length=2, verbose_name="estado (UF)"),
        ),
    ]
