"""New companies' schemas are replayed from the template's DDL (tenants/schema_template): identical to a
schema built by migrations, compared through pg_catalog; the cached DDL follows the template's migrations;
a failure leaves nothing; the replay reads no catalogs."""

import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context, tenant_context

from accounts.roles import roles_sync
from tenants import services
from tenants.models import TEMPLATE_SCHEMA, Company, SchemaTemplate
from tenants.schema_template import (
    SchemaDDLUnsupported,
    process_copy_forget,
    schema_ddl_generate,
    schema_ddl_replay,
    schema_template_ddl,
    template_state,
)
from tests.tenants.test_provisioning import body, nothing_exists_for

# --- a schema's fingerprint, read from pg_catalog ----------------------------------------------
# Every definition is printed fully qualified (the search path holds pg_catalog only), then the
# schema's own name is replaced by "S": nothing else is normalised.

RELATIONS = """
SELECT relname, relkind, relpersistence, reloptions, relrowsecurity, relreplident
FROM pg_class WHERE relnamespace = %(ns)s ORDER BY 1
"""
COLUMNS = """
SELECT c.relname, a.attname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
       format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, a.attgenerated,
       pg_get_expr(d.adbin, d.adrelid), a.attcollation::regcollation::text, a.attstorage
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = %(ns)s AND c.relkind IN ('r', 'v')  -- an index's are its definition's (below)
ORDER BY 1, 3
"""
INDEXES = """
SELECT c.relname, t.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary, i.indimmediate,
       i.indisvalid, pg_get_expr(i.indpred, i.indrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
WHERE c.relnamespace = %(ns)s ORDER BY 1
"""
CONSTRAINTS = """
SELECT t.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred,
       k.convalidated, k.confupdtype, k.confdeltype, i.relname
FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid LEFT JOIN pg_class i ON i.oid = k.conindid
WHERE k.connamespace = %(ns)s ORDER BY 1, 2
"""
SEQUENCES = """
SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
       s.seqcycle, d.deptype, t.relname, a.attname
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE c.relnamespace = %(ns)s ORDER BY 1
"""
TRIGGERS = """
SELECT t.relname, g.tgname, pg_get_triggerdef(g.oid), g.tgenabled, g.tgtype, p.proname
FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_proc p ON p.oid = g.tgfoid
WHERE t.relnamespace = %(ns)s AND NOT g.tgisinternal ORDER BY 1, 2
"""
FUNCTIONS = """
SELECT proname, pg_get_function_identity_arguments(oid), pg_get_functiondef(oid), provolatile
FROM pg_proc WHERE pronamespace = %(ns)s ORDER BY 1, 2
"""
VIEWS = "SELECT relname, pg_get_viewdef(oid) FROM pg_class WHERE relnamespace = %(ns)s AND relkind = 'v' ORDER BY 1"
COMMENTS = """
SELECT c.relname, d.objsubid, d.description FROM pg_description d
JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
WHERE c.relnamespace = %(ns)s ORDER BY 1, 2
"""
CATALOG = {"relations": RELATIONS, "columns": COLUMNS, "indexes": INDEXES, "constraints": CONSTRAINTS,
           "sequences": SEQUENCES, "triggers": TRIGGERS, "functions": FUNCTIONS, "views": VIEWS,
           "comments": COMMENTS}
# When each migration was applied is the one column that says when, not what: the rest of the row is compared.
ROW_TEXT = {"django_migrations": "(t.id, t.app, t.name)::text"}


def fingerprint(schema: str) -> dict[str, list]:
    quoted = f'"{schema}"'
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path'), %s::regnamespace::oid", [quoted])
        search_path, namespace = cursor.fetchone()
        cursor.execute("SELECT set_config('search_path', 'pg_catalog', true)")
        found = {}
        for kind, sql in CATALOG.items():
            cursor.execute(sql, {"ns": namespace})
            found[kind] = [_normalised(row, schema) for row in cursor.fetchall()]
        found["sequence values"] = _sequence_values(cursor, quoted, [row[0] for row in found["sequences"]])
        found["rows"] = _rows(cursor, quoted, [row[0] for row in found["relations"] if row[1] == "r"])
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
    return found


def _normalised(row: tuple, schema: str) -> tuple:
    mention = re.compile(rf'(?<![\w$])"?{re.escape(schema)}"?\.')
    return tuple(mention.sub("S.", value) if isinstance(value, str) else value for value in row)


def _sequence_values(cursor, quoted: str, names: list[str]) -> list[tuple]:
    values = []
    for name in names:
        cursor.execute(f'SELECT last_value, is_called FROM {quoted}."{name}"')
        values.append((name, *cursor.fetchone()))
    return values


def _rows(cursor, quoted: str, tables: list[str]) -> list[tuple]:
    rows = []
    for table in tables:
        text = ROW_TEXT.get(table, "t::text")
        cursor.execute(f"SELECT count(*), md5(coalesce(string_agg({text}, E'\\n' ORDER BY {text}), '')) "
                       f'FROM {quoted}."{table}" t')
        rows.append((table, *cursor.fetchone()))
    return rows


def assert_same_schema(left: str, right: str) -> None:
    expected, got = fingerprint(left), fingerprint(right)
    for kind in expected:  # one kind at a time: a difference names what differs
        assert got[kind] == expected[kind], kind


# --- the acceptance test ---------------------------------------------------------------------------

def test_a_replayed_schema_is_identical_to_one_built_by_migrations(db, unique):
    migrated, replayed = Company(schema_name=f"migrado_{unique}"), Company(schema_name=f"replay_{unique}")
    with transaction.atomic():
        connection.cursor().execute(f'CREATE SCHEMA "{migrated.schema_name}"')
        services._migrate_schema(migrated.schema_name)  # what a schema is without the template
        with tenant_context(migrated):
            roles_sync()
        connection.set_schema_to_public()
        services.company_schema_create(company=replayed)

        assert_same_schema(migrated.schema_name, replayed.schema_name)
        found = fingerprint(replayed.schema_name)
    # What was compared is the real thing: the audit trail's guard, identities that moved, rows.
    assert ("compliance_auditevent", "compliance_auditevent_append_only") in {row[:2] for row in found["triggers"]}
    assert ("auth_group_id_seq", 4, True) in found["sequence values"]  # the four role groups
    assert {row[0]: row[1] for row in found["rows"]}["auth_permission"] > 100


def test_every_kind_of_object_comes_along_with_its_rows_and_sequence_values(db, unique):
    source, copy = f"origem_{unique}", f"copia_{unique}"
    with transaction.atomic():
        _a_schema_with_everything(source)
        ddl = schema_ddl_generate(source=source)
        schema_ddl_replay(ddl_sql=ddl.sql, schema_name=copy)

        assert_same_schema(source, copy)
        found = fingerprint(copy)
        with connection.cursor() as cursor:
            cursor.execute(f'INSERT INTO "{copy}".parent (code, n) VALUES (%s, 3) RETURNING id, twice', ["c"])
            assert cursor.fetchone() == (3, 6)  # the identity continues where the source's was; generated
    assert {row[2] for row in found["constraints"]} >= {"p", "u", "c", "f", "x"}
    assert ("child", "child_quiet", "D") in {(r[0], r[1], r[3]) for r in found["triggers"]}
    assert found["views"] and found["comments"] and len(found["functions"]) == 2
    assert ("counter", 105, True) in found["sequence values"]


def _a_schema_with_everything(schema: str) -> None:
    s = f'"{schema}"'
    with connection.cursor() as cursor:
        cursor.execute(f"""
        CREATE SCHEMA {s};
        CREATE FUNCTION {s}.touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.updated := now(); RETURN NEW; END $$;
        CREATE FUNCTION {s}.double_it(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';
        CREATE SEQUENCE {s}.counter AS integer START WITH 100 INCREMENT BY 5;
        CREATE TABLE {s}.parent (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            code text COLLATE "C" NOT NULL,
            kind varchar(8) NOT NULL DEFAULT 'a',
            n integer DEFAULT nextval('{s}.counter'),
            twice integer GENERATED ALWAYS AS ({s}.double_it(n)) STORED,
            updated timestamptz,
            label text NOT NULL DEFAULT '',
            dropped_later text,
            CONSTRAINT parent_code_kind UNIQUE (code, kind) DEFERRABLE INITIALLY DEFERRED,
            CONSTRAINT parent_n_positive CHECK (n > 0),
            CONSTRAINT parent_kind_known CHECK (kind IN ('a', 'b', 'x')),
            CONSTRAINT parent_one_x EXCLUDE USING btree (code WITH =) WHERE (kind = 'x'));
        ALTER TABLE {s}.parent DROP COLUMN dropped_later;
        ALTER TABLE {s}.parent ALTER COLUMN code SET STORAGE MAIN;
        ALTER TABLE {s}.parent RENAME COLUMN label TO title;
        CREATE TABLE {s}.child (
            id serial PRIMARY KEY,
            parent_id bigint REFERENCES {s}.parent (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            company_id bigint REFERENCES public.tenants_company (id),
            note text);
        CREATE UNIQUE INDEX child_one_note ON {s}.child (parent_id) WHERE note IS NOT NULL;
        CREATE INDEX parent_lower_code ON {s}.parent (lower(code));
        CREATE INDEX parent_a_or_b ON {s}.parent (code) WHERE kind IN ('a', 'b');
        CREATE TRIGGER parent_touch BEFORE UPDATE ON {s}.parent FOR EACH ROW EXECUTE FUNCTION {s}.touch();
        CREATE TRIGGER child_quiet BEFORE UPDATE ON {s}.child FOR EACH ROW EXECUTE FUNCTION {s}.touch();
        ALTER TABLE {s}.child DISABLE TRIGGER child_quiet;
        CREATE VIEW {s}.parent_codes WITH (security_barrier) AS SELECT code, twice FROM {s}.parent WHERE kind = 'a';
        COMMENT ON TABLE {s}.parent IS 'país';
        COMMENT ON COLUMN {s}.parent.code IS 'código';
        INSERT INTO {s}.parent (code, n) VALUES ('a', 1), ('b', 2);
        SELECT nextval('{s}.counter'), nextval('{s}.counter');
        INSERT INTO {s}.child (parent_id, note) VALUES (1, 'x'), (2, NULL);
        """)


@pytest.mark.parametrize(("sql", "refused"), [
    ("CREATE TYPE {s}.mood AS ENUM ('ok', 'ko')", "type mood"),
    ("CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql SET search_path = {s} AS 'SELECT 1'", "names the source"),
    ("CREATE TABLE {s}.t (a int); GRANT SELECT ON {s}.t TO PUBLIC", "privileges on t"),
])
def test_what_the_ddl_would_not_reproduce_is_refused_not_dropped(db, unique, sql, refused):
    source = f"recusa_{unique}"
    with transaction.atomic():
        connection.cursor().execute(f'CREATE SCHEMA "{source}"; ' + sql.format(s=f'"{source}"'))
        with pytest.raises(SchemaDDLUnsupported, match=refused):
            schema_ddl_generate(source=source)


# --- the cache follows the template's migrations -----------------------------------------------------

def test_a_migration_of_the_template_gives_new_companies_a_regenerated_ddl(db, unique):
    before = template_state()
    schema_template_ddl(state=before)  # stored for the state the template has
    assert template_state().digest is not None
    with connection.cursor() as cursor:  # what a migration of the template does: change it, record it
        cursor.execute(f'ALTER TABLE "{TEMPLATE_SCHEMA}".conversations_contact ADD COLUMN probe integer DEFAULT 7')
        cursor.execute(f'INSERT INTO "{TEMPLATE_SCHEMA}".django_migrations (app, name, applied) '
                       "VALUES ('conversations', %s, now())", [f"9999_probe_{unique}"])
    after = template_state()
    assert after.state != before.state and after.digest is None

    company = services.company_provision(**body(f"sonda-{unique}")).company

    stored = SchemaTemplate.objects.get(state=after.state)
    assert template_state().digest == stored.digest and "probe integer DEFAULT 7" in stored.ddl
    with connection.cursor() as cursor:
        cursor.execute('SELECT column_default FROM information_schema.columns WHERE table_schema = %s '
                       "AND table_name = 'conversations_contact' AND column_name = 'probe'", [company.schema_name])
        assert cursor.fetchone() == ("7",)


def test_a_template_behind_the_code_is_migrated_before_the_company_is_copied(db, unique):
    # tenants' migrations do nothing in a company schema (a shared app): forgetting one is a harmless lag.
    forgotten = _latest_tenants_migration()
    _forget_in_template(forgotten)
    assert services._template_lags(template_state())

    company = services.company_provision(**body(f"atraso-{unique}")).company

    assert forgotten in _recorded(TEMPLATE_SCHEMA) and forgotten in _recorded(company.schema_name)
    assert not services._template_lags(template_state())
    assert SchemaTemplate.objects.filter(state=template_state().state).exists()
    assert not services._has_pending_migrations(company)


def test_a_template_holding_every_migration_of_the_code_is_current_without_building_the_graph(db, monkeypatch):
    monkeypatch.setattr(services, "_template_lag_by_state", {})  # as in a fresh process
    monkeypatch.setattr(services, "_pending_migrations", lambda: pytest.fail("the migration graph was built"))

    assert not services._template_lags(template_state())
    monkeypatch.undo()
    with schema_context(TEMPLATE_SCHEMA):
        assert not services._pending_migrations()  # and the graph agrees


def test_the_code_migrations_listed_from_disk_are_those_djangos_loader_finds():
    from django.db.migrations.loader import MigrationLoader

    assert services._code_migrations() == set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def test_a_company_copied_from_a_lagging_template_gets_the_missing_migrations_itself(db, unique):
    forgotten = _latest_tenants_migration()
    _forget_in_template(forgotten)
    company = Company(schema_name=f"direto_{unique}")

    with transaction.atomic():  # company_schema_create alone: nobody brought the template up to date
        services.company_schema_create(company=company)

    assert forgotten in _recorded(company.schema_name) and forgotten not in _recorded(TEMPLATE_SCHEMA)


def _latest_tenants_migration() -> tuple[str, str]:
    """tenants' newest migration: forgetting an older one, with its successor recorded, is not a lag
    but an inconsistent history."""
    from django.db.migrations.loader import MigrationLoader

    return next(node for node in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
                if node[0] == "tenants")


def _forget_in_template(migration: tuple[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{TEMPLATE_SCHEMA}".django_migrations WHERE app = %s AND name = %s', migration)
        assert cursor.rowcount == 1


def _recorded(schema: str) -> set[tuple[str, str]]:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def test_the_refresh_command_generates_once_per_state_and_drops_former_states(db, capsys):
    SchemaTemplate.objects.create(state="0" * 64, digest="x", ddl="-- de um estado antigo", statements=0,
                                  generation_seconds=0)
    call_command("schema_template_refresh")
    first = capsys.readouterr().out
    call_command("schema_template_refresh")
    second = capsys.readouterr().out
    call_command("schema_template_refresh", "--force")
    forced = capsys.readouterr().out

    assert "estados antigos removidos: 1" in first
    assert "DDL gerado: não" in second and "migrado: não" in second
    assert "DDL gerado: sim" in forced
    assert list(SchemaTemplate.objects.values_list("state", flat=True)) == [template_state().state]


# --- one transaction, and no catalog reading ----------------------------------------------------------

def test_a_failure_inside_the_replay_leaves_nothing_behind(db, unique, monkeypatch):
    slug = f"quebra-{unique}"
    real_ddl = services.schema_template_ddl
    # The last statement fails: every table of the schema was already created when it does.
    monkeypatch.setattr(services, "schema_template_ddl", lambda **kw: real_ddl(**kw) + "SELECT 1 / 0;\n")

    with pytest.raises(Exception, match="division by zero"):
        services.company_provision(**body(slug))

    assert nothing_exists_for(slug)
    monkeypatch.undo()
    assert services.company_provision(**body(f"depois-{unique}")).company.schema_name == f"depois_{unique}"


def test_the_replay_reads_no_catalog_and_leaves_the_search_path_as_it_was(db, unique):
    company = Company(schema_name=f"leve_{unique}")
    with transaction.atomic():
        # Warm: the DDL, and whether the template lags the code, are read once per state and process.
        schema_template_ddl(state=template_state())
        services._template_lags(template_state())
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('search_path')")
            search_path = cursor.fetchone()[0]
        with CaptureQueriesContext(connection) as queries:
            services.company_schema_create(company=company)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('search_path'), current_setting('check_function_bodies')")
            assert cursor.fetchone() == (search_path, "on")

    catalogs = re.compile(r"information_schema|pg_catalog|pg_(class|namespace|attribute|constraint|index|depend|"
                          r"proc|trigger|type|sequence)\b")
    assert not [q["sql"][:120] for q in queries.captured_queries if catalogs.search(q["sql"])]


def test_each_process_rereads_a_ddl_regenerated_by_another(db):
    state = template_state()
    schema_template_ddl(state=state)
    SchemaTemplate.objects.filter(state=state.state).update(digest="y" * 64, ddl="-- outra versão\n")

    assert schema_template_ddl(state=template_state()) == "-- outra versão\n"
    process_copy_forget()


def test_provisioning_reports_the_schema_steps_share_of_its_duration(db, unique):
    result = services.company_provision(**body(f"parte-{unique}"))

    assert 0 < result.schema_seconds < result.seconds
    # The owner's hash is computed beside the schema: reported apart, waited for only in part.
    assert result.hash_seconds > 0
    assert 0 <= result.hash_wait_seconds <= result.hash_seconds
