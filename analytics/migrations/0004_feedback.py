"""analytics.feedback: scores from other systems and the integration keys they are sent with."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agenda', '0005_scheduled_send_states'),
        ('analytics', '0003_webhooks'),
        ('conversations', '0010_companyprofile_closed_days'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedbackKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Qual sistema usa a chave (ex.: CRM, pesquisa).', max_length=80, verbose_name='nome')),
                ('prefix', models.CharField(db_index=True, editable=False, max_length=12, verbose_name='início da chave')),
                ('digest', models.CharField(editable=False, max_length=64, unique=True, verbose_name='SHA-256 da chave')),
                ('created_by', models.CharField(blank=True, editable=False, max_length=254, verbose_name='criada por')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='criada em')),
                ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='último uso')),
                ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revogada em')),
            ],
            options={
                'verbose_name': 'chave de integração (avaliações)',
                'verbose_name_plural': 'chaves de integração (avaliações)',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Feedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('external_id', models.CharField(max_length=200, unique=True, verbose_name='id no sistema de origem')),
                ('score', models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(10)], verbose_name='nota (0–10)')),
                ('comment', models.TextField(blank=True, verbose_name='comentário')),
                ('source', models.CharField(help_text='Ex.: google, pesquisa, crm.', max_length=40, verbose_name='origem')),
                ('given_at', models.DateTimeField(db_index=True, verbose_name='avaliado em')),
                ('sent_by', models.CharField(blank=True, editable=False, help_text='E-mail de quem enviou, quando não foi por uma chave de integração.', max_length=254, verbose_name='enviada por')),
                ('handoff_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='encaminhada à equipe em')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='recebida em')),
                ('appointment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='agenda.appointment', verbose_name='agendamento')),
                ('contact', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='conversations.contact', verbose_name='contato')),
                ('handoff_conversation', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='conversations.conversation', verbose_name='conversa do atendimento')),
                ('professional', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='agenda.professional', verbose_name='profissional')),
                ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='agenda.service', verbose_name='serviço')),
                ('key', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='analytics.feedbackkey', verbose_name='chave usada')),
            ],
            options={
                'verbose_name': 'avaliação recebida',
                'verbose_name_plural': 'avaliações recebidas',
                'ordering': ['-given_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('score__lte', 10)), name='feedback_score_0_10')],
            },
        ),
    ]
