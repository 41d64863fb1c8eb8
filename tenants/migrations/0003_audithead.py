import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tenants", "0002_channelroute"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("company", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                 related_name="audit_head", serialize=False,
                                                 to="tenants.company")),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                ("verified_ok", models.BooleanField(null=True)),
            ],
            options={
                "verbose_name": "topo da trilha de auditoria",
                "verbose_name_plural": "topos das trilhas de auditoria",
            },
        ),
    ]
