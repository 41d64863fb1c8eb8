"""The keyed audit chain (issue 16): numbered entries, HMAC seals, archive segments, and a
trigger that refuses UPDATE, DELETE and TRUNCATE on the trail.

Existing entries are renumbered in id order and resealed with the current key before the
trigger exists, and the company's head is written in `public` (tenants.AuditHead). The
trigger function lives in each company's schema; django-tenants' clone copies it and the
triggers from the template schema to every new company.
"""

import django.utils.timezone
from django.db import migrations, models

from compliance.audit.chain import entry_seal
from compliance.audit.keys import current_key_id, hmac_keys

TABLES = ("compliance_auditevent", "compliance_auditarchivesegment")

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION compliance_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the archive service moves entries out (compliance/audit/services.py): whole segments
    -- it verified first, under this transaction-local setting.
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'compliance_auditevent'
            AND current_setting('compliance.audit_archive', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$;
"""

TRIGGERS = "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION compliance_audit_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION compliance_audit_append_only();
"""
    for table in TABLES
)

DROP = "".join(
    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
    for table in TABLES
) + "DROP FUNCTION IF EXISTS compliance_audit_append_only();"

FIELDS = ("seq", "created_at", "actor", "action", "target", "data", "key", "prev_hash", "key_id", "hash")


def reseal(apps, schema_editor):
    """Number and seal the entries written under the old plain SHA-256 chain, and set the head."""
    AuditEvent = apps.get_model("compliance", "AuditEvent")
    key_id = current_key_id()
    key = hmac_keys()[key_id]
    events = list(AuditEvent.objects.order_by("id"))
    prev_hash = ""
    for seq, event in enumerate(events, start=1):
        event.seq, event.key_id, event.prev_hash = seq, key_id, prev_hash
        row = {name: getattr(event, name) for name in FIELDS}
        event.hash = entry_seal({**row, "created_at": event.created_at.isoformat()}, key)
        prev_hash = event.hash
    AuditEvent.objects.bulk_update(events, ["seq", "key_id", "prev_hash", "hash"], batch_size=1000)
    company = apps.get_model("tenants", "Company").objects.filter(
        schema_name=schema_editor.connection.schema_name).first()
    if events and company is not None:
        apps.get_model("tenants", "AuditHead").objects.update_or_create(
            company=company, defaults={"seq": events[-1].seq, "hash": events[-1].hash})


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("tenants", "0003_audithead"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["-seq"], "verbose_name": "evento de auditoria",
                     "verbose_name_plural": "trilha de auditoria"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="nº"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", max_length=32, verbose_name="chave"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="quando"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="selo"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="selo anterior"),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="nº"),
        ),
        migrations.CreateModel(
            name="AuditArchiveSegment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("first_seq", models.PositiveBigIntegerField(unique=True, verbose_name="primeira entrada")),
                ("last_seq", models.PositiveBigIntegerField(unique=True, verbose_name="última entrada")),
                ("first_prev_hash", models.CharField(blank=True, max_length=64)),
                ("last_hash", models.CharField(max_length=64)),
                ("rows", models.JSONField(verbose_name="entradas")),
                ("key_id", models.CharField(max_length=32, verbose_name="chave")),
                ("mac", models.CharField(max_length=64, verbose_name="selo do segmento")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False,
                                                    verbose_name="arquivado em")),
            ],
            options={
                "verbose_name": "segmento arquivado da auditoria",
                "verbose_name_plural": "segmentos arquivados da auditoria",
                "ordering": ["first_seq"],
                "constraints": [models.CheckConstraint(condition=models.Q(("last_seq__gte", models.F("first_seq"))),
                                                       name="audit_segment_bounds")],
            },
        ),
        migrations.RunSQL(APPEND_ONLY_FUNCTION + TRIGGERS, DROP),
        migrations.CreateModel(
            name="SettingsChange",
            fields=[],
            options={
                "verbose_name": "alteração de configuração",
                "verbose_name_plural": "histórico de configurações",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("auditlog.logentry",),
        ),
    ]
