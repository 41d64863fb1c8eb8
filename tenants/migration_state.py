"""Which company schemas lag behind the code's migrations, cheaply enough for /readyz at 1,000 schemas.

The truth is each schema's `django_migrations`. Reading all of them in one query would plan a
1,000-branch UNION and take 1,000 table locks (PostgreSQL's lock table is shared with everyone,
`pg_dump` included) on every probe. So the migrate step leaves a marker on each schema it verified:

    COMMENT ON SCHEMA "acme" IS 'secretaria-migrations:<hash of the code's leaf migrations>'

and the check reads every company's marker in one catalog query (no table is opened). A schema whose
marker is missing or differs — provisioned since the deploy, migrated since (any migration run takes
the marker away first), restored from an older dump, marked by older or newer code — is verified
from its own `django_migrations`, MIGRATION_LAG_BATCH schemas per query, and a good verdict is
remembered by this process under the schema's oid and marker (a schema dropped and re-created, or
marked again, is verified again). Only the lagging ones are read again on the next check. The
marker lives with the schema: a dump of one company carries it, and a restore of an older dump
brings back its older marker.
"""

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache

import structlog
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from secretaria.observability.health import CheckFailed
from tenants.metrics import SCHEMAS_LAGGING
from tenants.models import PUBLIC_SCHEMA, Company

log = structlog.get_logger(__name__)

MARKER_PREFIX = "secretaria-migrations:"


@dataclass(frozen=True)
class CodeState:
    leaves: tuple[tuple[str, str], ...]  # (app, migration) of every app's latest migration
    marker: str


@dataclass(frozen=True)
class SchemaRow:
    schema: str
    oid: int | None  # None: the company's schema does not exist
    marker: str | None
    has_table: bool  # django_migrations exists in it


@dataclass(frozen=True)
class MigrationLag:
    checked: int
    lagging: tuple[str, ...]  # sorted


@lru_cache(maxsize=1)
def code_state() -> CodeState:
    """The migrations this process's code expects, read from the migration files once per process.

    Every schema records every app's migrations (the router skips the operations of apps that do not
    live there, but `migrate` records them as applied), so the leaves of the whole graph are expected
    in each one.
    """
    leaves = tuple(sorted(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()))
    digest = hashlib.sha256(repr(leaves).encode()).hexdigest()[:20]
    return CodeState(leaves=leaves, marker=MARKER_PREFIX + digest)


def schema_rows() -> list[SchemaRow]:
    """Every company schema (the template included) with its marker: one query over the catalogs."""
    sql = f"""
        SELECT c.schema_name, n.oid, obj_description(n.oid, 'pg_namespace'),
               to_regclass(quote_ident(c.schema_name) || '.django_migrations') IS NOT NULL
        FROM {Company._meta.db_table} c LEFT JOIN pg_namespace n ON n.nspname = c.schema_name
        WHERE c.schema_name <> %s ORDER BY c.schema_name"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [PUBLIC_SCHEMA])
        return [SchemaRow(schema=s, oid=oid, marker=m, has_table=bool(t)) for s, oid, m, t in cursor.fetchall()]


def schemas_behind(schemas: list[str], state: CodeState | None = None) -> set[str]:
    """Those of `schemas` (each with a django_migrations table) missing one of the code's leaves."""
    state = state or code_state()
    if not schemas:
        return set()
    leaves = ", ".join(["(%s, %s)"] * len(state.leaves))
    quote = connection.ops.quote_name
    branches = " UNION ALL ".join(
        f"SELECT %s, count(*) FROM {quote(s)}.django_migrations m JOIN leaves l ON l.app = m.app AND l.name = m.name"
        for s in schemas)
    params = [part for leaf in state.leaves for part in leaf] + list(schemas)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH leaves(app, name) AS (VALUES {leaves}) {branches}", params)
        return {schema for schema, found in cursor.fetchall() if found < len(state.leaves)}


# (schema, oid, marker) verified to hold the code's migrations, in this process. Bounded by the number of
# schemas: entries of dropped or re-marked schemas are pruned whenever it outgrows twice that.
_VERIFIED: set[tuple[str, int, str | None]] = set()
_LAST: tuple[float, MigrationLag] | None = None


def migration_lag(*, max_age: float | None = None) -> MigrationLag:
    """The schemas behind the code, at most `max_age` seconds old (MIGRATION_LAG_CACHE_SECONDS)."""
    global _LAST
    max_age = settings.MIGRATION_LAG_CACHE_SECONDS if max_age is None else max_age
    now = time.monotonic()
    if _LAST is not None and now - _LAST[0] < max_age:
        return _LAST[1]
    lag = _migration_lag_read()
    _LAST = (now, lag)
    SCHEMAS_LAGGING.set(len(lag.lagging))
    return lag


def migration_lag_forget() -> None:
    """Drop this process's memory (tests, and after this process migrated schemas itself)."""
    global _LAST
    _LAST = None
    _VERIFIED.clear()


def _migration_lag_read() -> MigrationLag:
    state = code_state()
    rows = schema_rows()
    lagging = {r.schema for r in rows if not r.has_table}
    unsure = [r for r in rows if r.has_table and r.marker != state.marker
              and (r.schema, r.oid, r.marker) not in _VERIFIED]
    behind = _behind_in_batches([r.schema for r in unsure], state)
    _VERIFIED.update((r.schema, r.oid, r.marker) for r in unsure if r.schema not in behind)
    if len(_VERIFIED) > 2 * len(rows):
        _VERIFIED.intersection_update((r.schema, r.oid, r.marker) for r in rows)
    return MigrationLag(checked=len(rows), lagging=tuple(sorted(lagging | behind)))


def _behind_in_batches(schemas: list[str], state: CodeState) -> set[str]:
    behind: set[str] = set()
    size = settings.MIGRATION_LAG_BATCH
    for start in range(0, len(schemas), size):
        behind |= schemas_behind(schemas[start:start + size], state)
    return behind


def migration_markers_record() -> MigrationLag:
    """The migrate step's last act: verify every schema from its django_migrations, mark those that
    hold the code's migrations (COMMENT ON SCHEMA), and say which lag. Idempotent."""
    state = code_state()
    rows = schema_rows()
    present = [r for r in rows if r.has_table]
    behind = _behind_in_batches([r.schema for r in present], state)
    quote = connection.ops.quote_name
    marked = 0
    with connection.cursor() as cursor:
        for row in present:
            if row.schema not in behind and row.marker != state.marker:
                cursor.execute(f"COMMENT ON SCHEMA {quote(row.schema)} IS %s", [state.marker])
                marked += 1
    migration_lag_forget()
    lagging = tuple(sorted({r.schema for r in rows if not r.has_table} | behind))
    log.info("migration_markers_recorded", schemas=len(rows), marked=marked, lagging=len(lagging))
    return MigrationLag(checked=len(rows), lagging=lagging)


def migration_marker_clear(*, schema_name: str, **_kwargs) -> None:
    """Any migration run on a schema takes its marker away first (django-tenants' `schema_pre_migration`,
    connected in TenantsConfig.ready()): a schema taken back to an older migration, or left half-way
    by a run that failed, is never trusted on the marker of its last good state. The migrate step's
    `migration_lag --mark` marks it again."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s AND obj_description(oid, 'pg_namespace') "
                       "LIKE %s", [schema_name, MARKER_PREFIX + "%"])
        if cursor.fetchone():
            cursor.execute(f"COMMENT ON SCHEMA {quote(schema_name)} IS NULL")


def lag_summary(lag: MigrationLag, *, shown: int = 5) -> str:
    names = ", ".join(lag.lagging[:shown]) + (", ..." if len(lag.lagging) > shown else "")
    return f"{len(lag.lagging)} of {lag.checked} schemas behind the code's migrations: {names}"


def check_migrations() -> None:
    """/readyz: no company schema (nor the template) lags behind this process's migrations."""
    lag = migration_lag()
    if lag.lagging:
        raise CheckFailed(lag_summary(lag))
