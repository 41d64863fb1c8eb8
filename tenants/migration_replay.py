"""The deploy's fast path for company schemas: a migration plan's SQL collected once, replayed in each schema.

A standard `migrate` per schema costs the migration loader, the project state rendered migration by
migration and Django's `post_migrate` (content types and permissions, which live in each schema):
about 0.75 s a schema on this machine whatever the migration, ~13 min at 1,000 schemas. Yet every
schema that holds the same applied migrations gets the same plan and the same SQL: Django's
PostgreSQL schema editor never qualifies a name with a schema (it relies on the search path), and the
names it makes up for indexes and constraints are hashes of table and column names, equal in every
schema. So (docs/fleet-migrations.md, "The fast path"):

1. The lagging schemas are grouped by their applied migrations (one md5 per schema, read
   MIGRATION_LAG_BATCH schemas per query).
2. For each group the plan is built once, against one of its schemas. If every operation reduces to
   SQL (`replay_refusal` says what does not), the plan's SQL is collected once, as `sqlmigrate` does;
   otherwise the group goes to django-tenants' executor, as before.
3. In each schema of the group, one transaction: the marker taken away (as `schema_pre_migration`
   does), `SET LOCAL search_path`, the statements, the plan's `django_migrations` rows, then what
   `post_migrate` would add, the content types and permissions the code's models call for and the
   schema lacks, copied by natural key from the template (migrated by the standard path just
   before). All or nothing: a schema that fails is left as it was, named, and the others go on.

Role groups are left alone, as the standard path leaves them: `bootstrap` (the deploy's next step)
gives the new permissions to the roles in every schema.
"""

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import structlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.management import _get_all_permissions
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RenameModel, RunPython, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation
from django.db.utils import DatabaseError
from django_tenants.signals import schema_pre_migration

from tenants.models import TEMPLATE_SCHEMA

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ReplayPlan:
    """One group's plan: the SQL to run and the migrations to record, or why it cannot be replayed."""

    migrations: tuple[tuple[str, str], ...]  # (app, name) in the order Django applies them
    statements: tuple[str, ...] = ()
    refusal: str | None = None  # set: the group takes the standard path


@dataclass
class ReplayGroup:
    schemas: list[str]
    plan: ReplayPlan | None = None


@dataclass
class ReplayResult:
    replayed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # schema -> error
    seconds: float = 0.0


# --- 1. grouping --------------------------------------------------------------------------------

def schemas_group_by_applied(schemas: list[str]) -> list[ReplayGroup]:
    """The schemas with the same applied migrations together, biggest group first."""
    by_digest: dict[str, list[str]] = defaultdict(list)
    size = settings.MIGRATION_LAG_BATCH
    for start in range(0, len(schemas), size):
        for schema, digest in _applied_digests(schemas[start:start + size]):
            by_digest[digest].append(schema)
    return sorted((ReplayGroup(schemas=sorted(group)) for group in by_digest.values()),
                  key=lambda g: (-len(g.schemas), g.schemas[0]))


def _applied_digests(schemas: list[str]) -> list[tuple[str, str]]:
    # One row per schema, not its ~150 migration rows: the md5 of its sorted (app, name) pairs.
    quote = connection.ops.quote_name
    branches = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), '')) "
        f"FROM {quote(s)}.django_migrations" for s in schemas)
    with connection.cursor() as cursor:
        cursor.execute(branches, schemas)
        return cursor.fetchall()


# --- 2. one plan per group ----------------------------------------------------------------------

def replay_plan_build(*, schema: str) -> ReplayPlan:
    """The plan that `migrate` would run in `schema`, with its SQL when the fast path may replay it.

    Leaves the connection on public.
    """
    connection.set_schema(schema)
    try:
        executor = MigrationExecutor(connection)
        if executor.loader.detect_conflicts():
            return ReplayPlan(migrations=(), refusal="conflicting migrations (migrate refuses them)")
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        keys = tuple((m.app_label, m.name) for m, _backwards in plan)
        refusal = next(filter(None, (replay_refusal(m) for m, _backwards in plan)), None)
        if refusal or not plan:
            return ReplayPlan(migrations=keys, refusal=refusal)
        statements = _statements(executor.loader.collect_sql(plan))
        if _mentions_schema(statements, schema):
            return ReplayPlan(migrations=keys, refusal=f"the collected SQL names the schema {schema}")
        return ReplayPlan(migrations=keys, statements=tuple(statements))
    finally:
        connection.set_schema_to_public()


def replay_refusal(migration) -> str | None:
    """Why `migration` must take the standard path, or None when its SQL alone does the whole job."""
    name = f"{migration.app_label}.{migration.name}"
    if not migration.atomic:
        return f"{name} is not atomic"
    if migration.replaces:
        return f"{name} replaces other migrations (their records are kept apart)"
    for operation in migration.operations:
        if not operation.reduces_to_sql or isinstance(operation, RunPython):
            return f"{name}: {type(operation).__name__} runs Python"
        if isinstance(operation, SeparateDatabaseAndState):
            return f"{name}: SeparateDatabaseAndState"
        if isinstance(operation, RenameModel):
            # contenttypes' pre_migrate injects a RunPython renaming the content type after it.
            return f"{name}: RenameModel (its content type is renamed in Python)"
        if type(operation).__module__.split(".")[:3] != ["django", "db", "migrations"] \
                and not _is_postgres_operation(operation):
            return f"{name}: {type(operation).__name__} is not one of Django's operations"
    return None


def _is_postgres_operation(operation: Operation) -> bool:
    # AddIndexConcurrently and friends are refused anyway (their migration is not atomic); the
    # extension operations run SQL only.
    return type(operation).__module__ == "django.contrib.postgres.operations"


def _statements(collected: list[str]) -> list[str]:
    # collect_sql interleaves one-line comments ("--", "-- Create model X", "-- (no-op)"): only SQL is run.
    return [sql for sql in collected if not (sql.startswith("--") and "\n" not in sql)]


def _mentions_schema(statements: list[str], schema: str) -> bool:
    mention = re.compile(rf'(?<![\w$])"?{re.escape(schema)}"?\.')
    return any(mention.search(sql) for sql in statements)


# --- 3. the replay, one transaction per schema --------------------------------------------------

def plan_replay(*, plan: ReplayPlan, schemas: list[str], on_schema=None) -> ReplayResult:
    """Run `plan` in each of `schemas`, each in its own transaction; a failure is kept and skipped."""
    started = time.perf_counter()
    result = ReplayResult()
    expected = post_migrate_expected()
    for schema in schemas:
        try:
            _replay_one(plan, schema, expected)
        except DatabaseError as exc:
            result.failed[schema] = str(exc).strip().splitlines()[0]
            log.warning("migration_replay_failed", schema=schema, error=result.failed[schema])
        else:
            result.replayed.append(schema)
        if on_schema:
            on_schema(schema, result)
    connection.set_schema_to_public()
    result.seconds = time.perf_counter() - started
    return result


def _replay_one(plan: ReplayPlan, schema: str, expected: "PostMigrateExpected") -> None:
    connection.set_schema_to_public()
    quote = connection.ops.quote_name
    with transaction.atomic():
        # As django-tenants' executor does before each schema: our receiver takes the marker away.
        schema_pre_migration.send(plan_replay, schema_name=schema)
        with connection.cursor() as cursor:
            path = [schema, "public", *settings.PG_EXTRA_SEARCH_PATHS]
            cursor.execute(f"SET LOCAL search_path = {', '.join(quote(p) for p in path)}")
            for sql in plan.statements:
                cursor.execute(sql)
            # Each migration is recorded once applied, as MigrationRecorder does (its own clock reading).
            for app, name in plan.migrations:
                cursor.execute("INSERT INTO django_migrations (app, name, applied) "
                               "VALUES (%s, %s, clock_timestamp())", [app, name])
            _post_migrate_rows_copy(cursor, expected)


# --- what post_migrate adds: content types and permissions -----------------------------------------

@dataclass(frozen=True)
class PostMigrateExpected:
    content_types: tuple[str, ...]  # "app_label.model"
    permissions: tuple[str, ...]  # "app_label.model.codename"


def post_migrate_expected() -> PostMigrateExpected:
    """The content types and permissions Django's post_migrate makes for the code's models.

    The same walk as contenttypes' `create_contenttypes` and auth's `create_permissions` (every
    app's models, proxies included, auto-created through tables not): they run in every schema for
    every app, whatever the router says about the model's own table.
    """
    content_types, permissions = [], []
    for app_config in apps.get_app_configs():
        for model in app_config.get_models():
            opts = model._meta
            content_types.append(f"{opts.app_label}.{opts.model_name}")
            permissions += [f"{opts.app_label}.{opts.model_name}.{codename}"
                            for codename, _name in _get_all_permissions(opts)]
    return PostMigrateExpected(content_types=tuple(content_types), permissions=tuple(permissions))


def _post_migrate_rows_copy(cursor, expected: PostMigrateExpected) -> None:
    # Names come from the template, where post_migrate wrote them with this same code; the order of
    # the template's ids is the order post_migrate created them in, so the new ids follow suit.
    template = connection.ops.quote_name(TEMPLATE_SCHEMA)
    cursor.execute(f"""
        INSERT INTO django_content_type (app_label, model)
        SELECT t.app_label, t.model FROM {template}.django_content_type t
        WHERE t.app_label || '.' || t.model = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM django_content_type c WHERE c.app_label = t.app_label AND c.model = t.model)
        ORDER BY t.id""", [list(expected.content_types)])
    cursor.execute(f"""
        INSERT INTO auth_permission (name, content_type_id, codename)
        SELECT tp.name, c.id, tp.codename
        FROM {template}.auth_permission tp
        JOIN {template}.django_content_type tc ON tc.id = tp.content_type_id
        JOIN django_content_type c ON c.app_label = tc.app_label AND c.model = tc.model
        WHERE tc.app_label || '.' || tc.model || '.' || tp.codename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM auth_permission p WHERE p.content_type_id = c.id AND p.codename = tp.codename)
        ORDER BY tp.id""", [list(expected.permissions)])


def template_post_migrate_missing(expected: PostMigrateExpected | None = None) -> list[str]:
    """What post_migrate should have made in the template and did not (then the fast path cannot copy it)."""
    expected = expected or post_migrate_expected()
    template = connection.ops.quote_name(TEMPLATE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT k FROM unnest(%s::text[]) k EXCEPT
            SELECT app_label || '.' || model FROM {template}.django_content_type
            UNION ALL (
            SELECT k FROM unnest(%s::text[]) k EXCEPT
            SELECT tc.app_label || '.' || tc.model || '.' || tp.codename
            FROM {template}.auth_permission tp JOIN {template}.django_content_type tc ON tc.id = tp.content_type_id)
            """, [list(expected.content_types), list(expected.permissions)])
        return sorted(row[0] for row in cursor.fetchall())
