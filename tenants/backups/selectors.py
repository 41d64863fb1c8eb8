"""Reads for backups: what a table holds (row count and content hash), a company's tables, the records.

A table's fingerprint is its row count and the md5 of the md5s of its rows' text, sorted: independent of
the physical order (a restore writes rows in another order), cheap to compute on the server (one
32-character string per row travels into the aggregate, nothing to the client), and equal after a
restore exactly when every row came back. Row text depends on a few session settings (time zone,
float digits, bytea format), fixed by `fingerprint_session`.
"""

from __future__ import annotations

import psycopg
from django.db.models import Max

from tenants.backups.graph import PublicTable, quote_ident
from tenants.models import BackupRecord, Company

BATCH = 100  # tables per query: one round trip each, short enough SQL at thousands of tables

# The row text of timestamps, floats and bytes depends on these: fixed, the hash is comparable across sessions.
SESSION = ("SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET IntervalStyle = 'postgres'",
           "SET extra_float_digits = 1", "SET bytea_output = 'hex'")


def fingerprint_session(conn: psycopg.Connection) -> None:
    for statement in SESSION:
        conn.execute(statement)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fingerprint_sql(name: str, relation: str) -> str:
    return (f"SELECT {_literal(name)}::text AS name, count(*) AS rows, "
            f"coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') AS md5 FROM {relation} t")


def fingerprint_queries(queries: list[str]) -> list[str]:
    """The fingerprint queries joined BATCH at a time: rows of (name, rows, md5)."""
    return [" UNION ALL ".join(f"({q})" for q in queries[start:start + BATCH])
            for start in range(0, len(queries), BATCH)]


def _run_batches(conn: psycopg.Connection, queries: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for sql in fingerprint_queries(queries):
        for name, rows, digest in conn.execute(sql).fetchall():
            out[name] = {"rows": rows, "md5": digest}
    return out


def tables_fingerprint_queries(tables: list[tuple[str, str]]) -> list[str]:
    return [_fingerprint_sql(f"{s}.{t}", f"{quote_ident(s)}.{quote_ident(t)}") for s, t in tables]


def public_rows_fingerprint_queries(tables: list[PublicTable]) -> list[str]:
    return [_fingerprint_sql(f"public.{table.table}", f"({table.select()})") for table in tables]


def schema_tables(conn: psycopg.Connection, *, schemas: list[str] | None = None) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary table, in the given schemas or in all but the system's."""
    sql = ("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
           "AND n.nspname NOT LIKE 'pg\\_%%'")
    params: list = []
    if schemas is not None:
        sql += " AND n.nspname = ANY(%s)"
        params.append(schemas)
    return conn.execute(sql + " ORDER BY 1, 2", params).fetchall()


def tables_fingerprint(conn: psycopg.Connection, *, tables: list[tuple[str, str]]) -> dict[str, dict]:
    """"schema.table" -> {"rows", "md5"} for whole tables."""
    return _run_batches(conn, tables_fingerprint_queries(tables))


def public_rows_fingerprint(conn: psycopg.Connection, *, tables: list[PublicTable]) -> dict[str, dict]:
    """"public.table" -> {"rows", "md5"} for one company's rows of each public table (its columns only)."""
    return _run_batches(conn, public_rows_fingerprint_queries(tables))


def company_fingerprint(conn: psycopg.Connection, *, schema_name: str, tables: list[PublicTable]) -> dict[str, dict]:
    """Every table of the company's schema, and its rows of each public table."""
    return {**tables_fingerprint(conn, tables=schema_tables(conn, schemas=[schema_name])),
            **public_rows_fingerprint(conn, tables=tables)}


def fingerprints_compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    """The tables whose count or hash differ (or that are missing on either side), described."""
    problems = []
    for name in sorted(set(expected) | set(actual)):
        want, got = expected.get(name), actual.get(name)
        if want is None:
            if got["rows"]:  # an empty table the code added since the backup is no difference
                problems.append(f"{name}: tabela que o backup não tem, com {got['rows']} linhas")
        elif got is None:
            problems.append(f"{name}: tabela ausente após a restauração")
        elif want != got:
            problems.append(f"{name}: {want['rows']} linhas esperadas, {got['rows']} encontradas"
                            + ("" if want["rows"] != got["rows"] else " (conteúdo diferente)"))
    return problems


def backup_last_success() -> dict[str, float | None]:
    """Unix time of the last successful backup per scope, for the age gauge.

    "database": the newest whole-database backup. "company": the stalest of the active companies' newest
    backups, a company without any counting from its creation: one company whose backups keep failing
    shows, one created since the last nightly run does not. None: nothing recorded / no company.
    """
    database = BackupRecord.objects.filter(scope=BackupRecord.Scope.DATABASE).aggregate(at=Max("finished_at"))["at"]
    newest = (BackupRecord.objects.filter(scope=BackupRecord.Scope.COMPANY)
              .values("schema_name").annotate(at=Max("finished_at")))
    latest = {row["schema_name"]: row["at"] for row in newest}
    companies = list(Company.objects.active().values_list("schema_name", "created_at"))
    stalest = min((latest.get(schema) or created for schema, created in companies), default=None)
    return {"database": database.timestamp() if database else None,
            "company": stalest.timestamp() if stalest else None}
