"""Writes: take a backup (the whole database, or one company), record it, prune old ones.

Both kinds are taken from one exported snapshot: a REPEATABLE READ transaction publishes its snapshot
(`pg_export_snapshot()`), computes every table's fingerprint and copies the company's public rows in
it, and pg_dump dumps with `--snapshot` while it is still open. So the manifest describes exactly
what the dump holds, however busy the system is while it runs.

Layout under BACKUP_DIR:

    database/<stamp>/database.dump, manifest.json
    companies/<slug>/<stamp>/schema.dump, public/<table>.copy..., manifest.json

A backup is written into a hidden `.<stamp>.partial` folder and renamed once its manifest is in:
a crash leaves no half backup that looks whole.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import structlog
from django.conf import settings
from django.utils import timezone

from tenants.backups import postgres
from tenants.backups.graph import company_public_tables
from tenants.backups.manifest import NAME as MANIFEST_NAME
from tenants.backups.manifest import Manifest
from tenants.backups.metrics import backup_age_export
from tenants.backups.selectors import company_fingerprint, fingerprint_session, schema_tables, tables_fingerprint
from tenants.models import BackupRecord, Company, Domain

log = structlog.get_logger(__name__)

STAMP = "%Y%m%dT%H%M%SZ"
DATABASE_DUMP = "database.dump"
SCHEMA_DUMP = "schema.dump"


class BackupRefused(Exception):
    """A backup that cannot be taken (the platform's own schemas are not companies)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    record: BackupRecord
    seconds: float


def backup_root() -> Path:
    return Path(settings.BACKUP_DIR)


def company_backup_folder(slug: str) -> Path:
    return backup_root() / "companies" / slug


def database_backup_folder() -> Path:
    return backup_root() / "database"


@contextmanager
def _exported_snapshot(server: postgres.Server):
    """A read-only REPEATABLE READ transaction whose snapshot pg_dump can share; yields (conn, snapshot id)."""
    with server.connect(autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        fingerprint_session(conn)
        try:
            yield conn, snapshot
        finally:
            conn.execute("ROLLBACK")


def _pg_dump(server: postgres.Server, *, snapshot: str, target: Path, schema: str | None = None) -> str:
    args = [postgres.program("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
    if schema is not None:
        args.append(f"--schema={schema}")
    postgres.run(args, server=server)
    return postgres.run([postgres.program("pg_dump"), "--version"], server=server).stdout.strip()


def _new_folder(parent: Path, started: datetime) -> tuple[Path, Path]:
    """(the hidden folder to write into, the final name it is renamed to)."""
    parent.mkdir(parents=True, exist_ok=True)
    name = started.strftime(STAMP)
    final, n = parent / name, 0
    while final.exists():
        n += 1
        final = parent / f"{name}-{n}"
    work = parent / f".{final.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    return work, final


def _finish(*, work: Path, final: Path, manifest: Manifest, started: datetime, company: Company | None,
            clock_start: float) -> BackupResult:
    digest = manifest.write(work)
    work.rename(final)
    record = BackupRecord.objects.create(
        scope=manifest.scope, schema_name=company.schema_name if company else "", slug=company.slug if company else "",
        path=str(final), size_bytes=manifest.size_bytes, manifest_sha256=digest, started_at=started,
        finished_at=timezone.now())
    backup_age_export()
    seconds = time.monotonic() - clock_start
    log.info("backup_done", scope=manifest.scope, company=record.slug or None, path=str(final),
             bytes=record.size_bytes, tables=len(manifest.tables), seconds=round(seconds, 2))
    return BackupResult(path=final, manifest=manifest, record=record, seconds=seconds)


def _manifest(scope: str, server: postgres.Server, conn: psycopg.Connection, started: datetime) -> Manifest:
    return Manifest(scope=scope, created_at=started.isoformat(), database=server.dbname,
                    server_version=conn.execute("SHOW server_version").fetchone()[0], pg_dump_version="")


def database_backup() -> BackupResult:
    """pg_dump of the whole database (custom format) with every table's count and hash."""
    clock_start, started = time.monotonic(), timezone.now()
    server = postgres.Server.current()
    work, final = _new_folder(database_backup_folder(), started)
    try:
        with _exported_snapshot(server) as (conn, snapshot):
            manifest = _manifest(BackupRecord.Scope.DATABASE, server, conn, started)
            manifest.tables = tables_fingerprint(conn, tables=schema_tables(conn))
            manifest.pg_dump_version = _pg_dump(server, snapshot=snapshot, target=work / DATABASE_DUMP)
        manifest.add_file(work, DATABASE_DUMP)
        return _finish(work=work, final=final, manifest=manifest, started=started, company=None,
                       clock_start=clock_start)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def company_backup(*, company: Company) -> BackupResult:
    """One company alone: its schema (pg_dump --schema) and its rows of every public table, as COPY files."""
    if company.is_internal:
        raise BackupRefused(f"{company.schema_name} é um esquema da plataforma, não de uma empresa")
    clock_start, started = time.monotonic(), timezone.now()
    server = postgres.Server.current()
    public_tables = company_public_tables(company_id=company.id)
    work, final = _new_folder(company_backup_folder(company.slug), started)
    try:
        with _exported_snapshot(server) as (conn, snapshot):
            manifest = _manifest(BackupRecord.Scope.COMPANY, server, conn, started)
            manifest.company = _company_info(conn, company)
            manifest.tables = company_fingerprint(conn, schema_name=company.schema_name, tables=public_tables)
            (work / "public").mkdir()
            for table in public_tables:
                name = f"public/{table.table}.copy"
                _copy_out(conn, table.select(), work / name)
                manifest.public_tables.append({"table": table.table, "pk": table.pk, "columns": list(table.columns),
                                               "file": name})
            manifest.pg_dump_version = _pg_dump(server, snapshot=snapshot, target=work / SCHEMA_DUMP,
                                                schema=company.schema_name)
        for name in [SCHEMA_DUMP, *(t["file"] for t in manifest.public_tables)]:
            manifest.add_file(work, name)
        return _finish(work=work, final=final, manifest=manifest, started=started, company=company,
                       clock_start=clock_start)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _company_info(conn: psycopg.Connection, company: Company) -> dict:
    domains = [row[0] for row in conn.execute(
        f"SELECT domain FROM public.{Domain._meta.db_table} WHERE tenant_id = %s ORDER BY domain",
        [company.id]).fetchall()]
    return {"id": company.id, "slug": company.slug, "schema_name": company.schema_name, "name": company.name,
            "domains": domains}


def _copy_out(conn: psycopg.Connection, select: str, path: Path) -> None:
    with path.open("wb") as handle, conn.cursor().copy(f"COPY ({select}) TO STDOUT") as copy:
        for block in copy:
            handle.write(block)


def companies_backup() -> tuple[list[BackupResult], dict[str, str]]:
    """A backup of every active company, one after the other; a failure is logged and the next goes on."""
    done, failed = [], {}
    for company in Company.objects.active().order_by("id"):
        try:
            done.append(company_backup(company=company))
        except (OSError, psycopg.Error, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", None) or str(exc)
            log.error("backup_failed", scope="company", company=company.slug, error=detail)
            failed[company.slug] = detail
    return done, failed


def backups_prune(*, now: datetime | None = None) -> list[Path]:
    """Delete finished backups older than BACKUP_KEEP_DAYS, keeping each scope's newest BACKUP_KEEP_MIN
    (the database's, each company's), and partial folders a day old. Returns what was deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.BACKUP_KEEP_DAYS)
    parents = [database_backup_folder(), *sorted(p for p in (backup_root() / "companies").glob("*") if p.is_dir())]
    deleted: list[Path] = []
    for parent in parents:
        if not parent.is_dir():
            continue
        finished = sorted((p for p in parent.iterdir() if (p / MANIFEST_NAME).is_file()), reverse=True)
        for folder in finished[settings.BACKUP_KEEP_MIN:]:
            stamp = _stamp_of(folder)
            if stamp is not None and stamp < cutoff:
                shutil.rmtree(folder)
                deleted.append(folder)
        for partial in parent.glob(".*.partial"):
            if datetime.fromtimestamp(partial.stat().st_mtime, UTC) < now - timedelta(days=1):
                shutil.rmtree(partial, ignore_errors=True)
    BackupRecord.objects.filter(path__in=[str(p) for p in deleted]).delete()
    return deleted


def _stamp_of(folder: Path) -> datetime | None:
    try:
        return datetime.strptime(folder.name.split("-")[0], STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None  # not a folder of ours: left alone


def nightly_next(*, now: datetime) -> datetime:
    """The next BACKUP_NIGHTLY_AT (HH:MM, UTC) strictly after `now`."""
    hour, minute = (int(part) for part in settings.BACKUP_NIGHTLY_AT.split(":"))
    at = now.astimezone(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def nightly_run() -> dict:
    """One night's work: the whole database, every active company (BACKUP_NIGHTLY_COMPANIES), retention.

    A failure is logged and the rest still runs: a broken company must not cost the others their backup
    (the age gauge shows who is behind)."""
    summary: dict = {"database": None, "companies": 0, "failed": {}, "pruned": 0}
    try:
        summary["database"] = str(database_backup().path)
    except (OSError, psycopg.Error, subprocess.CalledProcessError, postgres.BackupToolMissing) as exc:
        summary["failed"]["database"] = getattr(exc, "stderr", None) or str(exc)
        log.error("backup_failed", scope="database", error=summary["failed"]["database"])
    if settings.BACKUP_NIGHTLY_COMPANIES:
        done, failed = companies_backup()
        summary["companies"] = len(done)
        summary["failed"].update(failed)
    summary["pruned"] = len(backups_prune())
    return summary
