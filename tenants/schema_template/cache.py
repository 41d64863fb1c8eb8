"""Which DDL is the template's now: its migration state, and the DDL cached for that state.

The state is a hash of the migrations recorded in the template's `django_migrations`: it
changes exactly when a migration is applied to the template (or unapplied). The DDL lives in
`public` (tenants.SchemaTemplate, one row per state) and each process keeps a copy of the last
one it used, checked against the row's digest on every read, so a forced regeneration
(`schema_template_refresh --force`) reaches every process at its next provisioning.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from tenants.models import TEMPLATE_SCHEMA, SchemaTemplate
from tenants.schema_template.ddl import schema_ddl_generate

TEMPLATE_MIGRATIONS = f'"{TEMPLATE_SCHEMA}".django_migrations'

# One round trip: the state, and the digest of the DDL stored for it (NULL when none is).
STATE_SQL = f"""
WITH template AS (
    SELECT encode(sha256(convert_to(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), ''),
                                    'UTF8')), 'hex') AS state
    FROM {TEMPLATE_MIGRATIONS}
)
SELECT template.state, cached.digest
FROM template LEFT JOIN public.{SchemaTemplate._meta.db_table} cached ON cached.state = template.state
"""


@dataclass(frozen=True)
class TemplateState:
    state: str
    digest: str | None  # of the DDL stored for this state, if any


# (state, digest, ddl) of the last DDL this process replayed.
_process_copy: tuple[str, str, str] | None = None


def template_state(*, lock: bool = False) -> TemplateState | None:
    """The template's migration state, or None when there is no template.

    With `lock`, the template's migration records stay locked (SHARE) until the caller's
    transaction ends: no migration of the template can commit while a company is copied
    from it, so the copy's structure, rows and recorded migrations agree.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [TEMPLATE_MIGRATIONS])
        if cursor.fetchone()[0] is None:
            return None
        if lock:
            cursor.execute(f"LOCK TABLE {TEMPLATE_MIGRATIONS} IN SHARE MODE")
        cursor.execute(STATE_SQL)
        return TemplateState(*cursor.fetchone())


def schema_template_ddl(*, state: TemplateState, regenerate: bool = False) -> str:
    """The template's DDL for `state`: this process's copy, else the stored one, else generated
    from the template now (and stored for every other process)."""
    global _process_copy
    copy = _process_copy
    if not regenerate and copy and (copy[0], copy[1]) == (state.state, state.digest):
        return copy[2]
    stored = None
    if not regenerate and state.digest is not None:
        stored = SchemaTemplate.objects.filter(state=state.state).values_list("digest", "ddl").first()
    digest, ddl = stored or _generate_and_store(state.state)
    _process_copy = (state.state, digest, ddl)
    return ddl


def _generate_and_store(state: str) -> tuple[str, str]:
    ddl = schema_ddl_generate(source=TEMPLATE_SCHEMA)
    SchemaTemplate.objects.update_or_create(state=state, defaults={
        "digest": ddl.digest, "ddl": ddl.sql, "statements": len(ddl.statements),
        "generation_seconds": round(ddl.seconds, 3)})
    return ddl.digest, ddl.sql


def schema_template_prune(*, keep: str) -> int:
    """Drop the DDL stored for other states than `keep` (the template's current one)."""
    deleted, _ = SchemaTemplate.objects.exclude(state=keep).delete()
    return deleted


def process_copy_forget() -> None:
    """Drop this process's copy (tests that change the template behind its back)."""
    global _process_copy
    _process_copy = None
