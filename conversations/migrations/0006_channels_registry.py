"""Several channels per company, configured through the channel registry.

The single `Channel` row (one per company, `singleton`) becomes the company's default channel;
its kind-specific columns move into `config` (plain) and `secrets` (encrypted JSON), and
conversations and messages are tied to the channel they came in on (all to the only channel
that existed until now).
"""

import json

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Q

import secretaria.crypto

LABELS = {"sandbox": "Sandbox", "meta": "WhatsApp (Meta)", "whaticket": "Whaticket"}


def forwards(apps, schema_editor):
    Channel = apps.get_model("conversations", "Channel")
    for channel in Channel.objects.all():
        config, secrets = {}, {}
        if channel.kind == "meta":
            config = {"phone_number_id": channel.phone_number_id, "template_name": channel.template_name,
                      "template_language": channel.template_language or "pt_BR"}
            channel.account = channel.phone_number_id
        elif channel.kind == "whaticket":
            config = {"base_url": channel.base_url}
        if channel.access_token and channel.kind != "sandbox":
            secrets["access_token"] = channel.access_token
        channel.config = config
        channel.secrets = json.dumps(secrets) if secrets else ""
        channel.is_default = True
        channel.name = LABELS.get(channel.kind, channel.kind)
        channel.save()
    default = Channel.objects.filter(is_default=True).values_list("pk", flat=True).first()
    if default is not None:
        apps.get_model("conversations", "Conversation").objects.update(channel_id=default)
        apps.get_model("conversations", "Message").objects.update(channel_id=default)


def backwards(apps, schema_editor):
    Channel = apps.get_model("conversations", "Channel")
    Channel.objects.exclude(is_default=True).delete()
    for channel in Channel.objects.all():
        secrets = json.loads(channel.secrets) if channel.secrets else {}
        channel.phone_number_id = channel.config.get("phone_number_id", "")
        channel.base_url = channel.config.get("base_url", "")
        channel.template_name = channel.config.get("template_name", "")
        channel.template_language = channel.config.get("template_language", "pt_BR")
        channel.access_token = secrets.get("access_token", "")
        channel.save()


class Migration(migrations.Migration):
    dependencies = [("conversations", "0005_outbox_attempted_at")]

    operations = [
        migrations.AddField("channel", "name", models.CharField(
            "nome", max_length=80, blank=True,
            help_text="Para a equipe distinguir os números, ex.: Recepção, Unidade Centro.")),
        migrations.AddField("channel", "enabled", models.BooleanField(
            "ativo", default=True,
            help_text="Desativado, o canal recusa os webhooks e os envios pendentes vão para a fila de falhas.")),
        migrations.AddField("channel", "is_default", models.BooleanField("canal padrão", default=False)),
        migrations.AddField("channel", "account", models.CharField(
            "conta no provedor", max_length=64, blank=True, db_index=True)),
        migrations.AddField("channel", "config", models.JSONField("configuração", default=dict, blank=True)),
        migrations.AddField("channel", "secrets", secretaria.crypto.EncryptedTextField(
            "credenciais", blank=True, default="")),
        migrations.AddField("channel", "created_at", models.DateTimeField(
            "criado em", auto_now_add=True, default=django.utils.timezone.now), preserve_default=False),
        migrations.AlterField("channel", "kind", models.CharField("tipo", max_length=32, default="sandbox")),
        migrations.AddField("conversation", "channel", models.ForeignKey(
            "conversations.Channel", on_delete=models.deletion.PROTECT, null=True, blank=True,
            related_name="conversations", verbose_name="canal", db_constraint=False)),
        migrations.AddField("message", "channel", models.ForeignKey(
            "conversations.Channel", on_delete=models.deletion.PROTECT, null=True, blank=True,
            related_name="messages", verbose_name="canal", db_constraint=False)),
        migrations.AlterField("message", "provider", models.CharField(max_length=32)),
        migrations.AddField("deadletter", "channel", models.ForeignKey(
            "conversations.Channel", on_delete=models.deletion.SET_NULL, null=True, blank=True,
            related_name="+", verbose_name="canal", db_constraint=False)),
        migrations.RunPython(forwards, backwards),
    ]
