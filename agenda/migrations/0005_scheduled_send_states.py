# The one scheduled-send state machine (conversations.outreach.models.ScheduledSend) for reminders and follow-ups.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agenda', '0004_services_from_knowledge'),
    ]

    operations = [
        migrations.AlterField(
            model_name='followup',
            name='state',
            field=models.CharField(choices=[('pending', 'Aguardando'), ('sending', 'Enviando'), ('sent', 'Enviado'), ('answered', 'Respondido'), ('cancelled', 'Cancelado'), ('failed', 'Falhou')], default='pending', max_length=16, verbose_name='situação'),
        ),
        migrations.AlterField(
            model_name='reminder',
            name='state',
            field=models.CharField(choices=[('pending', 'Aguardando'), ('sending', 'Enviando'), ('sent', 'Enviado'), ('answered', 'Respondido'), ('cancelled', 'Cancelado'), ('failed', 'Falhou')], default='pending', max_length=16, verbose_name='situação'),
        ),
    ]
