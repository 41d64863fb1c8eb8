"""A schema's DDL, read once from `pg_catalog`, written so it can be replayed under another name.

The catalog is read with the search path set to the source schema alone, so `pg_get_*def`,
`format_type` and `pg_get_expr` name the source's own objects without a schema (and anything
elsewhere, e.g. in `public`, with one). Replayed with the search path set to the new schema,
those bare names land in it. The three definitions PostgreSQL always qualifies (an index's
and a trigger's table, a function's own name) are unqualified here, by their exact quoted form.

Rows are not read here: each table gets an `INSERT ... SELECT` from the source and each sequence
a `setval` from the source's, so the copy takes whatever the source holds when it is replayed.

What this module does not reproduce (types, extensions, privileges, rules, policies...) makes
`schema_ddl_generate` raise `SchemaDDLUnsupported` rather than give a schema that silently lacks
it; a Django project's migrations create none of it today.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.db import connection, transaction

from tenants.schema_template.refused import refuse_source_mentions, refuse_unsupported

# Every statement that reads the source schema says so through this marker, so a check can tell
# them from the definitions, which must never name the source.
SOURCE_MARKER = "/* source */ "


@dataclass(frozen=True)
class SchemaDDL:
    source: str
    statements: tuple[str, ...]
    seconds: float = 0.0

    @property
    def sql(self) -> str:
        return ";\n".join(self.statements) + ";\n"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def schema_ddl_generate(*, source: str) -> SchemaDDL:
    """Read `source`'s objects from `pg_catalog` and return the statements that recreate them.

    Order: functions, sequences, tables (columns, defaults, identities), sequence ownership,
    functions that take or return the tables' row types, rows, sequence values, indexes,
    constraints (foreign keys last), triggers, views, comments. Costs a few catalog scans:
    run once per migration state of the source, never per company.
    """
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path'), %s::regnamespace::oid", [_quoted(source)])
        search_path_before, namespace = cursor.fetchone()
        # Undone by the rollback if anything fails; given back by hand otherwise.
        cursor.execute("SELECT set_config('search_path', %s, true)", [_quoted(source)])
        refuse_unsupported(cursor, namespace)
        statements = _statements(cursor, source, namespace)
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path_before])
    refuse_source_mentions(statements, source, marker=SOURCE_MARKER)
    return SchemaDDL(source=source, statements=tuple(statements), seconds=time.perf_counter() - started)


def _statements(cursor, source: str, namespace: int) -> list[str]:
    tables = _tables(cursor, namespace)
    functions_first, functions_after_tables = _functions(cursor, namespace)
    sequences = _sequences(cursor, namespace)
    return [
        *functions_first,
        *(s.create for s in sequences if not s.identity_of),
        *(t.create for t in tables),
        *(t.alter_storage for t in tables if t.alter_storage),
        *(s.identity_add for s in sequences if s.identity_of),
        *(s.owned_by for s in sequences if s.owned_by),
        *functions_after_tables,
        *(t.copy_rows(source) for t in tables if t.copied_columns),
        *(s.value_copy(source) for s in sequences),
        *_indexes(cursor, namespace),
        *_constraints(cursor, namespace),
        *_triggers(cursor, namespace),
        *_views(cursor, namespace),
        *_comments(cursor, namespace),
    ]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- tables ---------------------------------------------------------------------------------

@dataclass
class _Table:
    name: str  # quoted
    unlogged: bool
    options: list[str] | None
    columns: list[str]
    copied_columns: list[str]  # every column but the generated ones
    always_identity: bool
    storage: list[str]  # ALTER COLUMN ... SET STORAGE (not in a column's definition before PostgreSQL 16)

    @property
    def create(self) -> str:
        kind = "UNLOGGED TABLE" if self.unlogged else "TABLE"
        options = f" WITH ({', '.join(self.options)})" if self.options else ""
        return f"CREATE {kind} {self.name} (\n    " + ",\n    ".join(self.columns) + f"\n){options}"

    @property
    def alter_storage(self) -> str | None:
        return f"ALTER TABLE {self.name} {', '.join(self.storage)}" if self.storage else None

    def copy_rows(self, source: str) -> str:
        columns = ", ".join(self.copied_columns)
        overriding = " OVERRIDING SYSTEM VALUE" if self.always_identity else ""
        return (f"{SOURCE_MARKER}INSERT INTO {self.name} ({columns}){overriding} "
                f"SELECT {columns} FROM {_quoted(source)}.{self.name}")


TABLES_SQL = """
SELECT quote_ident(c.relname), c.relpersistence = 'u', c.reloptions,
       quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
       a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
       CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END,
       -- PostgreSQL 18 names NOT NULL constraints; a renamed column keeps its constraint's old name
       (SELECT quote_ident(k.conname) FROM pg_constraint k
        WHERE k.conrelid = c.oid AND k.contype = 'n' AND k.conkey = ARRAY[a.attnum])
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = %s AND c.relkind = 'r'
ORDER BY c.relname, a.attnum
"""

STORAGE = {"p": "PLAIN", "e": "EXTERNAL", "m": "MAIN", "x": "EXTENDED"}


def _tables(cursor, namespace: int) -> list[_Table]:
    cursor.execute(TABLES_SQL, [namespace])
    tables: dict[str, _Table] = {}
    for (table, unlogged, options, column, type_, not_null, identity, generated, default, collation,
         storage, not_null_name) in cursor.fetchall():
        entry = tables.setdefault(table, _Table(table, unlogged, options, [], [], False, []))
        parts = [column, type_]
        if collation:
            parts.append(f"COLLATE {collation}")
        if generated:
            parts.append(f"GENERATED ALWAYS AS ({_reparseable(default)}) {'STORED' if generated == 's' else 'VIRTUAL'}")
        elif default is not None:
            parts.append(f"DEFAULT {_reparseable(default)}")
        if not_null:
            parts.append(f"CONSTRAINT {not_null_name} NOT NULL" if not_null_name else "NOT NULL")
        entry.columns.append(" ".join(parts))
        if not generated:
            entry.copied_columns.append(column)
        entry.always_identity |= identity == "a"
        if storage:
            entry.storage.append(f"ALTER COLUMN {column} SET STORAGE {STORAGE[storage]}")
    return list(tables.values())


# --- sequences ------------------------------------------------------------------------------

@dataclass
class _Sequence:
    name: str  # quoted
    options: str
    type_: str
    identity_of: tuple[str, str, str] | None  # (table, column, 'a' | 'd')
    owned_by: str | None

    @property
    def create(self) -> str:
        return f"CREATE SEQUENCE {self.name} AS {self.type_} {self.options}"

    @property
    def identity_add(self) -> str:
        table, column, kind = self.identity_of
        always = "ALWAYS" if kind == "a" else "BY DEFAULT"
        return (f"ALTER TABLE {table} ALTER COLUMN {column} ADD GENERATED {always} AS IDENTITY "
                f"(SEQUENCE NAME {self.name} {self.options})")

    def value_copy(self, source: str) -> str:
        # The value as the source has it when replayed: the template's rows came with their ids.
        literal = "'" + self.name.replace("'", "''") + "'"
        return (f"{SOURCE_MARKER}SELECT setval({literal}, last_value, is_called) "
                f"FROM {_quoted(source)}.{self.name}")


SEQUENCES_SQL = """
SELECT quote_ident(c.relname), format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       s.seqcache, s.seqcycle, dep.deptype, quote_ident(tc.relname), quote_ident(ta.attname), ta.attidentity
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = s.seqrelid
     AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_class tc ON tc.oid = dep.refobjid
LEFT JOIN pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
WHERE c.relnamespace = %s
ORDER BY c.relname
"""


def _sequences(cursor, namespace: int) -> list[_Sequence]:
    cursor.execute(SEQUENCES_SQL, [namespace])
    sequences = []
    for (name, type_, start, increment, minimum, maximum, cache, cycle, deptype, table, column,
         identity) in cursor.fetchall():
        options = (f"START WITH {start} INCREMENT BY {increment} MINVALUE {minimum} MAXVALUE {maximum} "
                   f"CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}")
        identity_of = (table, column, identity) if deptype == "i" else None
        owned_by = f"ALTER SEQUENCE {name} OWNED BY {table}.{column}" if deptype == "a" else None
        sequences.append(_Sequence(name, options, type_, identity_of, owned_by))
    return sequences


# --- functions ------------------------------------------------------------------------------

FUNCTIONS_SQL = """
SELECT p.prokind, quote_ident(n.nspname) || '.' || quote_ident(p.proname), quote_ident(p.proname),
       pg_get_functiondef(p.oid),
       EXISTS (SELECT 1 FROM pg_type t
               WHERE t.typnamespace = p.pronamespace
                 AND t.oid = ANY (array_append(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.prorettype)))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.pronamespace = %s AND p.prokind IN ('f', 'p')
ORDER BY p.proname, p.oid
"""


def _functions(cursor, namespace: int) -> tuple[list[str], list[str]]:
    """Functions, split into those the tables may need (defaults, checks) and those that need the
    tables (their row types in the signature). Bodies are not checked when replayed."""
    cursor.execute(FUNCTIONS_SQL, [namespace])
    first, after_tables = [], []
    for kind, qualified, bare, definition, uses_row_types in cursor.fetchall():
        word = "PROCEDURE" if kind == "p" else "FUNCTION"
        # pg_get_functiondef always names the function with its schema.
        definition = definition.replace(f"CREATE OR REPLACE {word} {qualified}(", f"CREATE {word} {bare}(", 1)
        (after_tables if uses_row_types else first).append(definition.rstrip().rstrip(";"))
    return first, after_tables


# --- indexes, constraints, triggers, views, comments ---------------------------------------

INDEXES_SQL = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname), quote_ident(t.relname), pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.relnamespace = %s
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                  WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY c.relname
"""


def _indexes(cursor, namespace: int) -> list[str]:
    """Indexes of their own (those behind a primary key, unique or exclusion constraint come with it)."""
    cursor.execute(INDEXES_SQL, [namespace])
    return [_unqualify(_reparseable(definition), qualified, bare) for qualified, bare, definition in cursor.fetchall()]


CONSTRAINTS_SQL = """
SELECT quote_ident(t.relname), quote_ident(k.conname), pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
WHERE t.relnamespace = %s AND k.contype IN ('p', 'u', 'x', 'c', 'f') AND k.conislocal
ORDER BY k.contype = 'f', t.relname, k.conname
"""


def _constraints(cursor, namespace: int) -> list[str]:
    """Table constraints, foreign keys last (they need the keys they point at). NOT NULL is the
    columns' (PostgreSQL 18 also lists it here, under the same generated name)."""
    cursor.execute(CONSTRAINTS_SQL, [namespace])
    return [f"ALTER TABLE {table} ADD CONSTRAINT {name} {_reparseable(definition)}"
            for table, name, definition in cursor.fetchall()]


TRIGGERS_SQL = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(t.relname), quote_ident(t.relname), quote_ident(g.tgname),
       g.tgenabled, pg_get_triggerdef(g.oid)
FROM pg_trigger g
JOIN pg_class t ON t.oid = g.tgrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE t.relnamespace = %s AND NOT g.tgisinternal
ORDER BY t.relname, g.tgname
"""

TRIGGER_STATE = {"D": "DISABLE TRIGGER", "R": "ENABLE REPLICA TRIGGER", "A": "ENABLE ALWAYS TRIGGER"}


def _triggers(cursor, namespace: int) -> list[str]:
    """User triggers (the audit trail's append-only guard among them) and their enabled state."""
    cursor.execute(TRIGGERS_SQL, [namespace])
    statements = []
    for qualified, table, name, enabled, definition in cursor.fetchall():
        statements.append(_unqualify(definition, qualified, table))
        if enabled in TRIGGER_STATE:
            statements.append(f"ALTER TABLE {table} {TRIGGER_STATE[enabled]} {name}")
    return statements


VIEWS_SQL = """
SELECT quote_ident(c.relname), c.reloptions, pg_get_viewdef(c.oid)
FROM pg_class c WHERE c.relnamespace = %s AND c.relkind = 'v'
ORDER BY c.oid
"""


def _views(cursor, namespace: int) -> list[str]:
    # In creation order, which is the order they can depend on one another in.
    cursor.execute(VIEWS_SQL, [namespace])
    statements = []
    for name, options, definition in cursor.fetchall():
        with_options = f" WITH ({', '.join(options)})" if options else ""
        statements.append(f"CREATE VIEW {name}{with_options} AS {_reparseable(definition.strip().rstrip(';'))}")
    return statements


COMMENTS_SQL = """
SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'INDEX' END,
       quote_ident(c.relname), quote_ident(a.attname), quote_literal(d.description)
FROM pg_description d
JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
WHERE c.relnamespace = %s
ORDER BY c.relname, d.objsubid
"""


def _comments(cursor, namespace: int) -> list[str]:
    """Comments on tables and columns (Django's `db_comment`)."""
    cursor.execute(COMMENTS_SQL, [namespace])
    return [f"COMMENT ON COLUMN {relation}.{column} IS {text}" if column else f"COMMENT ON {kind} {relation} IS {text}"
            for kind, relation, column, text in cursor.fetchall()]


# An array of typed literals coerced as a whole, as `col IN ('a', 'b')` on a varchar column is stored:
# PostgreSQL prints it `(ARRAY['a'::character varying, ...])::text[]`, which parses back as an array of
# text literals (a cast written right on ARRAY[...] is applied to each element), and the copy would show
# another definition. Casting the array to its own element type first keeps the whole-array coercion.
_COERCED_ARRAY = re.compile(r"\(ARRAY\[((?:'(?:[^']|'')*'::[a-z][a-z ]*(?:, )?)+)\]\)::")
_ELEMENT_TYPE = re.compile(r"'(?:[^']|'')*'::([a-z][a-z ]*)")


def _reparseable(expression: str) -> str:
    def typed(match: re.Match) -> str:
        types = set(_ELEMENT_TYPE.findall(match.group(1)))
        return f"(ARRAY[{match.group(1)}]::{types.pop()}[])::" if len(types) == 1 else match.group(0)

    return _COERCED_ARRAY.sub(typed, expression)


def _unqualify(definition: str, qualified: str, bare: str) -> str:
    # Only the exact quoted "schema.table" PostgreSQL wrote for the object's own table.
    return definition.replace(f" {qualified} ", f" {bare} ").replace(f" {qualified}(", f" {bare}(")
