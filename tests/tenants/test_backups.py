"""Backups and restore against the real PostgreSQL with the real pg_dump, pg_restore and psql.

pg_dump reads what is committed, and a company's restore drops its schema (waiting for every lock on
its tables), so the tests' bodies do not run inside the usual rolled-back transaction: `@own_connection`
runs each in a thread of its own, whose connection is in autocommit (the test's `db` only makes sure
the test database exists, and its transaction stays empty). They work on two companies of their own,
committed once for the module and dropped at the end.
"""

import functools
import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from accounts.models import User
from conversations.models import Contact, Message
from secretaria.redis_client import get_redis
from tenants.backups.graph import company_public_tables
from tenants.backups.manifest import NAME as MANIFEST_NAME
from tenants.backups.manifest import BackupCorrupt, manifest_read
from tenants.backups.postgres import Server
from tenants.backups.restore import RestoreFailed, RestoreRefused, company_restore, database_restore
from tenants.backups.selectors import company_fingerprint, fingerprint_session
from tenants.backups.services import backups_prune, company_backup, database_backup, nightly_next, nightly_run
from tenants.backups.tasks import backup_age_sample_task
from tenants.models import AuditHead, BackupRecord, ChannelRoute, Company, Domain
from tests.conversations.factories import ContactFactory, ConversationFactory, MessageFactory
from tests.factories import CompanyFactory

RUN = secrets.token_hex(3)


def own_connection(test):
    """Run the test's body in a thread with a connection of its own, in autocommit."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        def body():
            try:
                return test(*args, **kwargs)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(body).result()

    return run


@pytest.fixture(scope="module")
def companies(django_db_setup, django_db_blocker):
    """Two fresh companies with conversations and a Meta route each: the one backed up, and its neighbour."""
    with django_db_blocker.unblock():  # module fixtures run before the test's transaction: committed
        made = _companies_make()
        yield made
        for company in Company.objects.filter(slug__in=[c.slug for c in made.values()]):
            company.delete()
        BackupRecord.objects.all().delete()


def _companies_make() -> dict[str, Company]:
    made = {}
    for role in ("backed", "neighbour"):
        company = CompanyFactory(slug=f"{role[:3]}-{RUN}")
        ChannelRoute.objects.create(provider="meta", external_id=f"{role}-{RUN}", company=company)
        with schema_context(company.schema_name):
            for n in range(3):
                chat = ConversationFactory(contact=ContactFactory(name=f"Cliente {n}"))
                MessageFactory(conversation=chat, text="Oi, quero marcar às 10h")
                MessageFactory(conversation=chat, outbound=True)
        made[role] = company
    return made


@pytest.fixture
def backup_dir(settings, tmp_path) -> Path:
    settings.BACKUP_DIR = str(tmp_path / "backups")
    return tmp_path / "backups"


def fingerprint(company: Company) -> dict[str, dict]:
    with Server.current().connect(autocommit=True) as conn:
        fingerprint_session(conn)
        return company_fingerprint(conn, schema_name=company.schema_name,
                                   tables=company_public_tables(company_id=company.id))


def test_a_company_s_public_rows_are_found_from_the_model_graph_whatever_app_keeps_them(db, acme):
    tables = [t.table for t in company_public_tables(company_id=acme.id)]

    assert tables[0] == "tenants_company"
    assert {"tenants_domain", "tenants_channelroute", "tenants_audithead", "billing_subscription"} <= set(tables)
    assert "tenants_backuprecord" not in tables
    assert tables.index("billing_subscription") > tables.index("tenants_company")


@own_connection
def test_a_company_backup_holds_its_schema_and_public_rows_with_counts_and_hashes(db, companies, backup_dir):
    backed = companies["backed"]

    result = company_backup(company=backed)

    manifest = manifest_read(result.path)
    assert result.path.parent == backup_dir / "companies" / backed.slug
    assert {"schema.dump", "public/tenants_company.copy", "public/tenants_domain.copy"} <= set(manifest.files)
    assert manifest.company["domains"] == [f"{backed.slug}.localhost"]
    assert manifest.tables == fingerprint(backed)
    assert manifest.tables[f"{backed.schema_name}.conversations_message"]["rows"] == 6
    assert manifest.tables["public.tenants_channelroute"]["rows"] == 1
    assert not any(name.startswith(f"{companies['neighbour'].schema_name}.") for name in manifest.tables)
    assert BackupRecord.objects.filter(path=str(result.path), scope="company", slug=backed.slug).exists()


@own_connection
def test_rows_deleted_inside_a_company_come_back_and_its_neighbour_is_untouched(db, companies, backup_dir):
    backed, neighbour = companies["backed"], companies["neighbour"]
    acme = Company.objects.get(slug="acme")
    folder = company_backup(company=backed).path
    before, neighbour_before, acme_before = fingerprint(backed), fingerprint(neighbour), fingerprint(acme)
    with schema_context(backed.schema_name):  # an operator's mistake
        Message.objects.all().delete()
        Contact.objects.filter(name="Cliente 1").delete()
        User.objects.update(full_name="apagado")
    ChannelRoute.objects.filter(company=backed).delete()
    assert fingerprint(backed) != before

    redis = get_redis()
    redis.set(f"secretaria:{backed.schema_name}:usage:test", "counted since the backup", ex=600)
    redis.set(f"secretaria:{neighbour.schema_name}:usage:test", "the neighbour's", ex=600)

    report = company_restore(folder=folder)

    assert report.ok, report.problems
    assert fingerprint(backed) == before
    assert fingerprint(neighbour) == neighbour_before
    assert redis.get(f"secretaria:{backed.schema_name}:usage:test") is None  # rebuilt from the restored rows
    assert redis.get(f"secretaria:{neighbour.schema_name}:usage:test") == b"the neighbour's"
    redis.delete(f"secretaria:{neighbour.schema_name}:usage:test")
    assert fingerprint(acme) == acme_before
    with schema_context(backed.schema_name):
        assert Message.objects.count() == 6


@own_connection
def test_a_company_deleted_whole_comes_back_with_its_id_domain_and_data(db, companies, backup_dir):
    backed, neighbour = companies["backed"], companies["neighbour"]
    folder = company_backup(company=backed).path
    before, neighbour_before = fingerprint(backed), fingerprint(neighbour)

    Company.objects.get(pk=backed.pk).delete()  # drops the schema, cascades to its public rows
    assert not Domain.objects.filter(tenant_id=backed.pk).exists()
    report = company_restore(folder=folder)

    assert report.ok, report.problems
    restored = Company.objects.get(pk=backed.pk)
    assert (restored.slug, restored.schema_name) == (backed.slug, backed.schema_name)
    assert Domain.objects.get(tenant=restored).domain == f"{backed.slug}.localhost"
    assert AuditHead.objects.filter(company=restored).exists()
    assert fingerprint(restored) == before
    assert fingerprint(neighbour) == neighbour_before
    with schema_context(restored.schema_name):
        assert User.objects.get(email=f"owner@{backed.slug}.test").check_password("Senha-de-teste-9")


@own_connection
def test_a_corrupt_or_missing_file_is_refused_before_anything_changes(db, companies, backup_dir):
    backed = companies["backed"]
    folder = company_backup(company=backed).path
    before = fingerprint(backed)
    dump = folder / "schema.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    with pytest.raises(BackupCorrupt, match="schema.dump"):
        company_restore(folder=folder)
    (folder / "public" / "tenants_domain.copy").unlink()
    with pytest.raises(BackupCorrupt, match="tenants_domain.copy"):
        company_restore(folder=folder)
    with pytest.raises(CommandError, match="recusado"):
        call_command("restore", str(folder), "--yes")
    assert fingerprint(backed) == before


@own_connection
def test_a_restore_that_would_not_match_its_manifest_rolls_back_whole(db, companies, backup_dir):
    backed = companies["backed"]
    folder = company_backup(company=backed).path
    manifest = (folder / MANIFEST_NAME).read_text()
    table = f'"{backed.schema_name}.conversations_contact": {{\n      "md5": "'
    assert table in manifest
    (folder / MANIFEST_NAME).write_text(manifest.replace(table, table + "0"))  # the files still match
    with schema_context(backed.schema_name):
        Message.objects.filter(direction=Message.Direction.OUT).delete()
    changed = fingerprint(backed)

    with pytest.raises(RestoreFailed, match="conversations_contact"):
        company_restore(folder=folder)

    assert fingerprint(backed) == changed  # the schema was not dropped, nothing was half restored
    (folder / MANIFEST_NAME).write_text(manifest)
    assert company_restore(folder=folder).ok


@own_connection
def test_a_restore_is_refused_when_its_domain_or_slug_now_belongs_to_another_company(db, companies, backup_dir):
    backed, neighbour = companies["backed"], companies["neighbour"]
    folder = company_backup(company=backed).path
    Domain.objects.filter(tenant=backed).update(tenant=neighbour, is_primary=False)
    neighbour_before = fingerprint(neighbour)

    with pytest.raises(RestoreRefused, match=f"domínio {backed.slug}.localhost pertence agora a outra empresa"):
        company_restore(folder=folder)
    assert fingerprint(neighbour) == neighbour_before

    Domain.objects.filter(domain=f"{backed.slug}.localhost").update(tenant=backed, is_primary=True)
    Company.objects.filter(pk=backed.pk).update(slug=f"outra-{RUN}")
    Company.objects.filter(pk=neighbour.pk).update(slug=backed.slug)
    try:
        with pytest.raises(RestoreRefused, match="pertence agora a outra empresa"):
            company_restore(folder=folder)
    finally:
        Company.objects.filter(pk=neighbour.pk).update(slug=neighbour.slug)
        Company.objects.filter(pk=backed.pk).update(slug=backed.slug)


@own_connection
def test_the_whole_database_dump_restores_into_a_scratch_database_with_equal_tables(db, companies, backup_dir):
    result = database_backup()
    scratch = f"{Server.current().dbname}_scratch_{RUN}"
    try:
        report = database_restore(folder=result.path, dbname=scratch)

        assert report.ok, report.problems
        assert report.tables == len(result.manifest.tables) > 100
        assert f"{companies['backed'].schema_name}.conversations_message" in result.manifest.tables
        with pytest.raises(RestoreRefused, match="já tem tabelas"):
            database_restore(folder=result.path, dbname=scratch)
        with pytest.raises(RestoreRefused, match="banco em uso"):
            database_restore(folder=result.path, dbname=Server.current().dbname)
    finally:
        with Server.current().with_dbname("postgres").connect(autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                psycopg.sql.Identifier(scratch)))


@own_connection
def test_the_backup_age_gauge_reads_the_records(db, companies, backup_dir):
    database = database_backup().record
    for company in Company.objects.active():
        company_backup(company=company)
    stalest = min(BackupRecord.objects.filter(scope="company", schema_name=c.schema_name).latest("finished_at")
                  .finished_at for c in Company.objects.active())

    shown = backup_age_sample_task.apply().get()  # what beat runs in the worker every minute

    assert shown == {"database": database.finished_at.timestamp(), "company": stalest.timestamp()}
    sample = REGISTRY.get_sample_value("secretaria_backup_last_success_timestamp_seconds", {"scope": "database"})
    assert sample == database.finished_at.timestamp()


@own_connection
def test_retention_deletes_old_backups_but_keeps_the_newest_few(db, companies, backup_dir, settings):
    settings.BACKUP_KEEP_DAYS, settings.BACKUP_KEEP_MIN = 14, 2
    parent = backup_dir / "database"
    stamps = ["20260101T000000Z", "20260102T000000Z", "20260103T000000Z", "20261201T000000Z"]
    for stamp in stamps:
        (parent / stamp).mkdir(parents=True)
        (parent / stamp / MANIFEST_NAME).write_text("{}")
    (parent / "notas").mkdir()

    deleted = backups_prune(now=datetime(2026, 12, 6, tzinfo=UTC))

    assert sorted(p.name for p in deleted) == stamps[:2]
    assert sorted(p.name for p in parent.iterdir()) == ["20260103T000000Z", "20261201T000000Z", "notas"]


@own_connection
def test_the_commands_back_up_and_restore_one_company(db, companies, backup_dir, capsys):
    backed = companies["backed"]

    call_command("backup", "--company", backed.slug)
    with schema_context(backed.schema_name):
        Contact.objects.all().delete()
    call_command("restore", "--company", backed.slug, "--yes")

    out = capsys.readouterr().out
    assert "backup ok" in out and "contagens e hashes conferem com o backup" in out
    with schema_context(backed.schema_name):
        assert Contact.objects.count() == 3


def test_the_nightly_run_is_due_at_the_configured_utc_time(settings):
    settings.BACKUP_NIGHTLY_AT = "06:30"

    assert nightly_next(now=datetime(2026, 12, 6, 6, 29, tzinfo=UTC)) == datetime(2026, 12, 6, 6, 30, tzinfo=UTC)
    assert nightly_next(now=datetime(2026, 12, 6, 6, 30, tzinfo=UTC)) == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


@own_connection
def test_the_nightly_run_backs_up_the_database_and_every_company_then_prunes(db, companies, backup_dir, settings):
    settings.BACKUP_KEEP_DAYS, settings.BACKUP_KEEP_MIN = 0, 1

    first, second = nightly_run(), nightly_run()

    active = Company.objects.active().count()
    assert first["failed"] == {} and second["failed"] == {}
    assert first["companies"] == second["companies"] == active
    assert len(list((backup_dir / "database").iterdir())) == 1  # the newest only (KEEP_MIN=1)
    assert second["pruned"] == active + 1
    assert BackupRecord.objects.filter(path__startswith=str(backup_dir)).count() == active + 1


def test_beat_samples_the_backup_age_every_minute_in_the_worker():
    from celery_app import app

    entry = app.conf.beat_schedule["tenants-backup-age"]

    assert entry["task"] == "tenants.backup_age_sample" in app.tasks
    assert entry["schedule"] == 60.0 and entry["options"]["expires"] < 60


@own_connection
def test_a_public_table_the_backup_did_not_know_is_no_difference_while_it_is_empty(db, companies, backup_dir):
    backed = companies["backed"]
    folder = company_backup(company=backed).path
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["tables"].pop("public.billing_quotaalert") == {"rows": 0, "md5": ""}
    dropped = next(t for t in manifest["public_tables"] if t["table"] == "billing_quotaalert")
    manifest["public_tables"].remove(dropped)
    del manifest["files"][dropped["file"]]
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))  # as if billing had added the table since

    assert company_restore(folder=folder).ok


@own_connection
def test_a_restore_gives_up_on_a_company_busy_past_the_lock_timeout_changing_nothing(db, companies, backup_dir,
                                                                                     settings):
    backed = companies["backed"]
    settings.BACKUP_RESTORE_LOCK_TIMEOUT = 1
    folder = company_backup(company=backed).path
    with schema_context(backed.schema_name):
        Message.objects.filter(direction=Message.Direction.IN).delete()
    changed = fingerprint(backed)

    with Server.current().connect() as worker:  # a worker in the middle of a transaction on the company
        worker.execute(f'SELECT count(*) FROM "{backed.schema_name}".conversations_message')
        with pytest.raises(RestoreFailed, match="lock timeout"):
            company_restore(folder=folder)
        worker.rollback()

    assert fingerprint(backed) == changed
    assert company_restore(folder=folder).ok


@own_connection
def test_make_backup_and_make_restore_run_through_devstack_against_the_configured_server(db, companies, tmp_path):
    backed = companies["backed"]
    env = {**os.environ, "DATABASE_NAME": connection.settings_dict["NAME"], "BACKUP_DIR": str(tmp_path)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)

    def devstack(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "devstack", *args], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True, timeout=300)

    backup = devstack("backup", "--company", backed.slug)
    restore = devstack("restore", "--company", backed.slug, "--yes")

    assert backup.returncode == 0, backup.stderr
    assert restore.returncode == 0, restore.stderr
    assert "contagens e hashes conferem com o backup" in restore.stdout
    assert len(list((tmp_path / "companies" / backed.slug).iterdir())) == 1
