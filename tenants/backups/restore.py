"""Restores: one company into the running system, or the whole database into an empty database.

A company's restore replaces exactly that company, in ONE transaction run by psql: its schema is
dropped and recreated from the dump, its rows of every public table are deleted and inserted back
from the backup, and before committing the restored tables are fingerprinted and compared with the
manifest: a restore that would not bring back what was backed up rolls back. Other companies are
not touched (their schemas and public rows are outside every statement). Until it commits, requests
for that company wait on its tables' locks; the restore itself waits at most
BACKUP_RESTORE_LOCK_TIMEOUT for workers busy in it.

The schema's SQL comes from `pg_restore -f -` (the dump as a script) streamed into the same psql.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenants.backups import postgres
from tenants.backups.graph import PublicTable, company_public_tables, quote_ident
from tenants.backups.manifest import Manifest, manifest_verify
from tenants.backups.selectors import (
    SESSION,
    company_fingerprint,
    fingerprint_queries,
    fingerprint_session,
    fingerprints_compare,
    public_rows_fingerprint_queries,
    schema_tables,
    tables_fingerprint,
)
from tenants.models import PUBLIC_SCHEMA, TEMPLATE_SCHEMA, Company, Domain

log = structlog.get_logger(__name__)

# pg_dump 17+ writes this line into every script, and servers before 17 do not know the setting.
TRANSACTION_TIMEOUT_LINE = "SET transaction_timeout = 0;"


class RestoreRefused(Exception):
    """A restore that would harm someone else, or a backup that does not fit; nothing was changed."""


class RestoreFailed(Exception):
    """The restore's transaction failed and was rolled back; nothing was changed."""


@dataclass
class RestoreReport:
    scope: str
    target: str  # the company's slug, or the database restored into
    tables: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def company_restore(*, folder: Path) -> RestoreReport:
    """Replace one company (schema and public rows) with the backup in `folder`, verified before commit."""
    started = time.monotonic()
    manifest = manifest_verify(folder)
    if manifest.scope != "company" or not manifest.company:
        raise RestoreRefused(f"{folder} não é o backup de uma empresa (abrangência: {manifest.scope})")
    info = manifest.company
    _refuse_conflicts(info)
    tables = _public_tables(manifest, company_id=info["id"])
    server = postgres.Server.current()
    with tempfile.TemporaryDirectory(prefix="restore-") as tmp:
        prelude, check = Path(tmp) / "prelude.sql", Path(tmp) / "check.sql"
        prelude.write_text(_prelude_sql(manifest, folder, tables))
        check.write_text(_check_sql(manifest, tables))
        try:
            _run_in_one_transaction(server, prelude=prelude, dump=folder / "schema.dump", check=check,
                                    tmp=Path(tmp))
        except RestoreFailed as exc:
            raise RestoreFailed(f"{exc} — a transação foi desfeita, nada foi alterado") from exc
    _after_restore(info["schema_name"])
    report = RestoreReport(scope="company", target=info["slug"], tables=len(manifest.tables))
    with server.connect(autocommit=True) as conn:
        fingerprint_session(conn)
        actual = company_fingerprint(conn, schema_name=info["schema_name"], tables=tables)
    report.problems = fingerprints_compare(manifest.tables, actual)
    report.seconds = time.monotonic() - started
    log.info("restore_done", scope="company", company=info["slug"], tables=report.tables,
             problems=len(report.problems), seconds=round(report.seconds, 2))
    return report


def _refuse_conflicts(info: dict) -> None:
    """Refuse when the company's slug, schema or a domain now belongs to another company."""
    if info["schema_name"] in (PUBLIC_SCHEMA, TEMPLATE_SCHEMA):
        raise RestoreRefused(f"{info['schema_name']} é um esquema da plataforma")
    others = Company.objects.exclude(id=info["id"])
    taken = others.filter(slug=info["slug"]).first() or others.filter(schema_name=info["schema_name"]).first()
    if taken:
        raise RestoreRefused(f"o identificador {info['slug']!r} (esquema {info['schema_name']}) pertence agora a "
                             f"outra empresa: {taken.name} (id {taken.id}); nada foi alterado")
    domain = (Domain.objects.filter(domain__in=info["domains"]).exclude(tenant_id=info["id"])
              .select_related("tenant").first())
    if domain:
        raise RestoreRefused(f"o domínio {domain.domain} pertence agora a outra empresa: {domain.tenant.name} "
                             f"(id {domain.tenant_id}); nada foi alterado")


def _public_tables(manifest: Manifest, *, company_id: int) -> list[PublicTable]:
    """The public tables as the code knows them now; every table of the backup must be one of them."""
    tables = company_public_tables(company_id=company_id)
    known = {t.table for t in tables}
    unknown = [t["table"] for t in manifest.public_tables if t["table"] not in known]
    if unknown:
        raise RestoreRefused(f"o backup tem linhas de tabelas que o código não liga mais à empresa: {unknown}")
    return tables


def _prelude_sql(manifest: Manifest, folder: Path, tables: list[PublicTable]) -> str:
    """Drop the schema; load the backup's public rows into temporary tables; delete the company's current
    rows (children first: their predicates go through the parents); insert the backup's (parents first)."""
    schema = manifest.company["schema_name"]
    saved = {t["table"]: t for t in manifest.public_tables}
    lines = ["SET client_min_messages = warning;",
             f"SET lock_timeout = '{int(settings.BACKUP_RESTORE_LOCK_TIMEOUT)}s';",
             f"DROP SCHEMA IF EXISTS {quote_ident(schema)} CASCADE;"]
    for n, entry in enumerate(manifest.public_tables):
        cols = ", ".join(quote_ident(c) for c in entry["columns"])
        path = (folder / entry["file"]).resolve()
        if "'" in str(path):
            raise RestoreRefused(f"{path}: o caminho não pode conter aspas simples")
        lines += [f"CREATE TEMP TABLE restore_{n} ON COMMIT DROP AS SELECT {cols} FROM public."
                  f"{quote_ident(entry['table'])} WITH NO DATA;",
                  f"\\copy pg_temp.restore_{n} ({cols}) FROM '{path}'"]
    temp = {entry["table"]: f"pg_temp.restore_{n}" for n, entry in enumerate(manifest.public_tables)}
    for table in reversed(tables):
        where = table.predicate
        if table.table in saved:  # rows of the backup's that now belong to no one (a key set to NULL)
            where += f" OR t.{quote_ident(table.pk)} IN (SELECT {quote_ident(table.pk)} FROM {temp[table.table]})"
        lines.append(f"DELETE FROM public.{quote_ident(table.table)} t WHERE {where};")
    for entry in manifest.public_tables:
        cols = ", ".join(quote_ident(c) for c in entry["columns"])
        lines.append(f"INSERT INTO public.{quote_ident(entry['table'])} ({cols}) SELECT {cols} "
                     f"FROM {temp[entry['table']]};")
    return "\n".join(lines) + "\n"


def _check_sql(manifest: Manifest, tables: list[PublicTable]) -> str:
    """Fingerprint the restored tables inside the transaction; any difference raises, rolling it all back."""
    schema = manifest.company["schema_name"]
    expected = ", ".join(f"({_lit(name)}, {int(v['rows'])}, {_lit(v['md5'])})"
                         for name, v in sorted(manifest.tables.items()))
    lines = [*[s + ";" for s in SESSION], "SET search_path = pg_catalog;",
             "CREATE TEMP TABLE restore_expected (name text, rows bigint, md5 text) ON COMMIT DROP;",
             "CREATE TEMP TABLE restore_actual (name text, rows bigint, md5 text) ON COMMIT DROP;"]
    if expected:
        lines.append(f"INSERT INTO pg_temp.restore_expected VALUES {expected};")
    lines += [f"INSERT INTO pg_temp.restore_actual {batch};"
              for batch in fingerprint_queries(public_rows_fingerprint_queries(tables))]
    # The schema's tables are known only once it exists again: the server lists and hashes them.
    lines += [
        "DO $fp$ DECLARE r record; BEGIN",
        "  FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
        f"           WHERE c.relkind IN ('r', 'p') AND n.nspname = {_lit(schema)} LOOP",
        "    EXECUTE format($sql$INSERT INTO pg_temp.restore_actual SELECT %L, count(*), coalesce(md5(string_agg("
        "md5(t::text), '' ORDER BY md5(t::text))), '') FROM %I.%I t$sql$, r.nspname || '.' || r.relname,",
        "      r.nspname, r.relname);",
        "  END LOOP;",
        "END $fp$;",
        "DO $check$ DECLARE bad text; BEGIN",
        "  SELECT string_agg(coalesce(e.name, a.name) || ' (' || coalesce(e.rows::text, '-') || ' -> '",
        "         || coalesce(a.rows::text, '-') || ')', '; ') INTO bad",
        "  FROM pg_temp.restore_expected e FULL JOIN pg_temp.restore_actual a ON a.name = e.name",
        "  WHERE (a.rows IS DISTINCT FROM e.rows OR a.md5 IS DISTINCT FROM e.md5)",
        "    AND NOT (e.name IS NULL AND a.rows = 0);",  # an empty table the code added since the backup
        "  IF bad IS NOT NULL THEN RAISE EXCEPTION 'restored tables differ from the backup: %', bad; END IF;",
        "END $check$;",
    ]
    return "\n".join(lines) + "\n"


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _run_in_one_transaction(server: postgres.Server, *, prelude: Path, dump: Path, check: Path, tmp: Path) -> None:
    """psql --single-transaction: the prelude, the schema's script (from pg_restore, streamed), the check."""
    _stream_restore(server, dump=dump, tmp=tmp,
                    psql_args=["--single-transaction", "-f", str(prelude), "-f", "-", "-f", str(check)])


def _stream_restore(server: postgres.Server, *, dump: Path, tmp: Path, psql_args: list[str]) -> None:
    """`pg_restore -f - dump | psql`, stopping at the first error.

    Through psql rather than `pg_restore -d` so a company's restore shares one transaction with the
    public rows; and because pg_restore 18 sets `transaction_timeout`, unknown to servers before 17,
    even when it connects to one: the line is dropped on the way for those.
    """
    with server.connect(autocommit=True) as conn:
        old_server = postgres.server_version_num(conn) < 170000
    psql = [postgres.program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", *psql_args]
    restore = [postgres.program("pg_restore"), "--no-owner", "--no-privileges", "-f", "-", str(dump)]
    env = server.env()
    with (tmp / "psql.err").open("w+") as psql_err, (tmp / "pg_restore.err").open("w+") as restore_err:
        reader = subprocess.Popen(restore, stdout=subprocess.PIPE, stderr=restore_err, env=env)
        writer = subprocess.Popen(psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        try:
            for line in reader.stdout:
                if old_server and line.strip() == TRANSACTION_TIMEOUT_LINE.encode():
                    continue
                writer.stdin.write(line)
        except BrokenPipeError:
            pass  # psql stopped at an error: its exit code and stderr say which
        finally:
            reader.stdout.close()
            try:
                writer.stdin.close()
            except BrokenPipeError:
                pass
            reader.wait()
            writer.wait()
        psql_err.seek(0)
        restore_err.seek(0)
        if writer.returncode != 0:
            raise RestoreFailed(f"psql parou num erro: {psql_err.read().strip()}")
        if reader.returncode != 0:
            raise RestoreFailed(f"pg_restore falhou: {restore_err.read().strip()}")


def _after_restore(schema: str) -> None:
    """Every process drops what it cached of the company: its rows were just replaced. Its Redis keys go
    (the month's usage counters are rebuilt from the restored rows), then its settings are reloaded."""
    from secretaria.redis_client import company_keys_forget
    from secretaria.settings_cache import settings_changed

    connection.close()  # the schema this connection may have cached plans for was recreated
    company_keys_forget(schema)
    with schema_context(schema):
        settings_changed()  # outside a transaction: the new version is set at once


def database_restore(*, folder: Path, dbname: str) -> RestoreReport:
    """Restore a whole-database backup into `dbname`, which must be new or empty (never the live one),
    then compare every table with the manifest."""
    started = time.monotonic()
    manifest = manifest_verify(folder)
    if manifest.scope != "database":
        raise RestoreRefused(f"{folder} não é um backup do banco inteiro (abrangência: {manifest.scope})")
    live = postgres.Server.current()
    if dbname == live.dbname:
        raise RestoreRefused(f"{dbname} é o banco em uso: restaure num banco novo e aponte DATABASE_URL para ele")
    target = live.with_dbname(dbname)
    _empty_database_ensure(live, dbname)
    # Not one transaction: at thousands of schemas it would need a lock slot per table and index at once.
    try:
        with tempfile.TemporaryDirectory(prefix="restore-") as tmp:
            _stream_restore(target, dump=folder / "database.dump", tmp=Path(tmp), psql_args=["-f", "-"])
    except RestoreFailed as exc:
        raise RestoreFailed(f"{exc} (o banco {dbname} ficou pela metade: apague-o antes de tentar de novo)") from exc
    with target.connect(autocommit=True) as conn:
        fingerprint_session(conn)
        actual = tables_fingerprint(conn, tables=schema_tables(conn))
    report = RestoreReport(scope="database", target=dbname, tables=len(manifest.tables),
                           problems=fingerprints_compare(manifest.tables, actual),
                           seconds=time.monotonic() - started)
    log.info("restore_done", scope="database", database=dbname, tables=report.tables,
             problems=len(report.problems), seconds=round(report.seconds, 2))
    return report


def _empty_database_ensure(live: postgres.Server, dbname: str) -> None:
    from psycopg import sql

    with live.with_dbname("postgres").connect(autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            return
    with live.with_dbname(dbname).connect(autocommit=True) as conn:
        if schema_tables(conn):
            raise RestoreRefused(f"o banco {dbname} já tem tabelas: restaure num banco novo ou vazio")

