"""migrate_lagging's fast path (tenants/migration_replay.py) against real schemas and real manage.py processes.

A throwaway app (tests/tenants/migrate_apps, installed only in the processes started here) brings a
release's migrations; the template is migrated by the standard path, as the deploy does, and then:
a schema replayed by the fast path is identical, through pg_catalog and row by row, to one migrated
by `migrate`; schemas at different starting points each get their own plan; a plan with Python in it
goes to the standard executor; a schema that fails is left as it was, named, and the others migrated.
Afterwards the app is taken out of every schema again, so the test database is as it was.
"""

import uuid

import pytest
from django.db import connection, transaction

from tenants import services
from tenants.migration_state import MARKER_PREFIX, migration_lag, migration_lag_forget, migration_markers_record
from tenants.models import Company
from tests.tenants.test_migrate_parallel import manage
from tests.tenants.test_schema_template import assert_same_schema, fingerprint

SQL_APP = "tests.tenants.migrate_apps.replay_sql"
PY_APP = "tests.tenants.migrate_apps.replay_py"
APP_TABLES = {"replay_sql": ["replay_sql_book", "replay_sql_shelf"], "replay_py": ["replay_py_note"]}
ROLES = ("fast", "second", "behind", "standard", "broken")


@pytest.fixture(scope="module")
def schemas(django_db_setup, django_db_blocker):
    """Five bare company schemas replayed from the template (no owner, no rows of their own, so two of
    them can be compared row by row), committed for the manage.py processes; dropped afterwards."""
    tag = uuid.uuid4().hex[:6]
    names = {role: f"replay_{role}_{tag}" for role in ROLES}
    with django_db_blocker.unblock():
        for role, schema in names.items():
            with transaction.atomic():
                company = Company.objects.create(name=f"Replay {role}", slug=f"replay-{role}-{tag}",
                                                 schema_name=schema)
                services.company_schema_create(company=company)
        connection.set_schema_to_public()
    yield names
    with django_db_blocker.unblock():
        for company in Company.objects.filter(schema_name__in=names.values()):
            company.delete()  # auto_drop_schema: the schema goes too
        connection.set_schema_to_public()


@pytest.fixture
def forget_apps(django_db_blocker):
    """Whatever the test applied of the throwaway apps is taken out of every schema afterwards."""
    yield
    with django_db_blocker.unblock():
        for app, tables in APP_TABLES.items():
            app_forget(app, tables)
        migration_markers_record()  # this process's markers again, not the test processes'
        connection.set_schema_to_public()


def app_forget(app: str, tables: list[str]) -> None:
    """Drop `app`'s tables, migration records, content types and permissions wherever it was applied,
    and set the sequences of those rows back, so a schema is exactly what it was before (the template's
    sequence values are copied into every new company and compared by test_schema_template)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_namespace n WHERE to_regclass(quote_ident(n.nspname) || "
                       "'.django_migrations') IS NOT NULL AND n.nspname <> 'public'")
        for (schema,) in cursor.fetchall():
            s = quote(schema)
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {s}.{quote(table)} CASCADE")
            cursor.execute(f"DELETE FROM {s}.django_migrations WHERE app = %s", [app])
            cursor.execute(f"SELECT count(*) FROM {s}.django_content_type WHERE app_label = %s", [app])
            if cursor.rowcount == 0 or cursor.fetchone()[0] == 0:
                continue
            cursor.execute(f"""
                DELETE FROM {s}.auth_group_permissions WHERE permission_id IN (SELECT p.id FROM {s}.auth_permission p
                    JOIN {s}.django_content_type c ON c.id = p.content_type_id WHERE c.app_label = %(app)s);
                DELETE FROM {s}.auth_permission WHERE content_type_id IN
                    (SELECT id FROM {s}.django_content_type WHERE app_label = %(app)s);
                DELETE FROM {s}.django_content_type WHERE app_label = %(app)s""", {"app": app})
            for table in ("django_migrations", "django_content_type", "auth_permission", "auth_group_permissions"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 1), "
                               f"max(id) IS NOT NULL) FROM {s}.{table}", [f"{s}.{table}"])


def migrate_template(app: str) -> None:
    """The deploy's step 2: the template by the standard path (the fast path copies from it)."""
    done = manage("migrate_template", TEST_TENANT_APPS=app)
    assert done.returncode == 0, done.stderr


def applied(schema: str, app: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {connection.ops.quote_name(schema)}.django_migrations "
                       "WHERE app = %s ORDER BY id", [app])
        return [row[0] for row in cursor.fetchall()]


def marker(schema: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regnamespace, 'pg_namespace')", [f'"{schema}"'])
        return cursor.fetchone()[0]


def test_a_schema_replayed_by_the_fast_path_is_identical_to_one_migrated_by_migrate(schemas, forget_apps, db):
    migrate_template(SQL_APP)
    standard = manage("migrate_schemas", "--schema", schemas["standard"], "--noinput", TEST_TENANT_APPS=SQL_APP)
    assert standard.returncode == 0, standard.stderr
    # One schema lags two migrations, this one only the second.
    behind = manage("migrate_schemas", "replay_sql", "0001", "--schema", schemas["behind"], "--noinput",
                    TEST_TENANT_APPS=SQL_APP)
    assert behind.returncode == 0, behind.stderr

    run = manage("migrate_lagging", TEST_TENANT_APPS=SQL_APP)

    assert run.returncode == 0, run.stdout + run.stderr
    fast_lines = [line for line in run.stdout.splitlines() if "pelo caminho rápido" in line]
    assert len(fast_lines) == 2, run.stdout  # the two starting points, a plan each
    assert "executor padrão" not in run.stdout
    for role in ("fast", "second", "behind"):
        assert applied(schemas[role], "replay_sql") == ["0001_initial", "0002_pages"]
        assert same_catalogs(schemas["standard"], schemas[role])
        assert natural_rows(schemas[role]) == natural_rows(schemas["standard"])
    # From the same starting point, even the ids agree: every table's rows are the same.
    assert_same_schema(schemas["standard"], schemas["fast"])
    assert_same_schema(schemas["standard"], schemas["second"])
    found = fingerprint(schemas["fast"])
    assert "replay_sql_book_title_lower" in {row[0] for row in found["indexes"]}  # the RunSQL ran
    foreign_keys = sorted(row[3] for row in found["constraints"] if row[0] == "replay_sql_book" and row[2] == "f")
    assert foreign_keys == ["FOREIGN KEY (owner_id) REFERENCES S.accounts_user(id) DEFERRABLE INITIALLY DEFERRED",
                            "FOREIGN KEY (shelf_id) REFERENCES S.replay_sql_shelf(id) DEFERRABLE INITIALLY DEFERRED"]
    assert ("replay_sql", "lend_book") in permissions(schemas["fast"])
    # Marked as the standard path's schema is, and /readyz's check of that code is clean.
    assert marker(schemas["fast"]) == marker(schemas["standard"]) and marker(schemas["fast"]).startswith(MARKER_PREFIX)
    assert manage("migration_lag", TEST_TENANT_APPS=SQL_APP).returncode == 0


def same_catalogs(left: str, right: str) -> bool:
    """Tables, columns, defaults, indexes, constraints, sequences... (test_schema_template's fingerprint),
    without the rows' ids: two runs of `migrate` itself from different starting points number the new
    content types differently (post_migrate after 0001 makes them in another order)."""
    expected, got = fingerprint(left), fingerprint(right)
    for kind in expected:
        if kind != "rows":
            assert got[kind] == expected[kind], kind
    return True


def natural_rows(schema: str) -> dict[str, list]:
    """What post_migrate and the recorder leave, by natural keys."""
    s = connection.ops.quote_name(schema)
    queries = {
        "django_migrations": f"SELECT app, name FROM {s}.django_migrations ORDER BY id",
        "django_content_type": f"SELECT app_label, model FROM {s}.django_content_type ORDER BY 1, 2",
        "auth_permission": f"SELECT c.app_label, c.model, p.codename, p.name FROM {s}.auth_permission p "
                           f"JOIN {s}.django_content_type c ON c.id = p.content_type_id ORDER BY 1, 2, 3",
        "auth_group_permissions": f"SELECT g.name, c.app_label, c.model, p.codename FROM {s}.auth_group_permissions gp "
                                  f"JOIN {s}.auth_group g ON g.id = gp.group_id JOIN {s}.auth_permission p "
                                  f"ON p.id = gp.permission_id JOIN {s}.django_content_type c "
                                  f"ON c.id = p.content_type_id ORDER BY 1, 2, 3, 4",
    }
    with connection.cursor() as cursor:
        found = {}
        for table, sql in queries.items():
            cursor.execute(sql)
            found[table] = cursor.fetchall()
    return found


def permissions(schema: str) -> set[tuple[str, str]]:
    s = connection.ops.quote_name(schema)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.app_label, p.codename FROM {s}.auth_permission p "
                       f"JOIN {s}.django_content_type c ON c.id = p.content_type_id")
        return set(cursor.fetchall())


def test_standard_forces_the_standard_executor_with_the_same_result(schemas, forget_apps, db):
    migrate_template(SQL_APP)

    run = manage("migrate_lagging", "--standard", TEST_TENANT_APPS=SQL_APP, MIGRATE_PROCESSES="2")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "caminho rápido" not in run.stdout and "multiprocessing:" in run.stdout
    assert applied(schemas["fast"], "replay_sql") == ["0001_initial", "0002_pages"]


def test_a_plan_that_runs_python_takes_the_standard_path(schemas, forget_apps, db):
    migrate_template(PY_APP)

    run = manage("migrate_lagging", TEST_TENANT_APPS=PY_APP, MIGRATE_PROCESSES="2")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "caminho rápido" not in run.stdout
    assert "pelo executor padrão: replay_py.0002_first_note: RunPython runs Python" in run.stdout
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT text FROM "{schemas["fast"]}".replay_py_note')
        assert cursor.fetchall() == [("escrita em Python",)]


@pytest.fixture
def in_the_way(schemas, django_db_blocker):
    """A table of 0001's name already in the broken schema, committed (before the test's transaction)."""
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE TABLE "{schemas["broken"]}".replay_sql_shelf (id integer)')
        yield schemas["broken"]
        # forget_apps drops it with the app's tables.


def test_a_schema_that_fails_is_left_as_it_was_and_named_and_the_others_are_migrated(in_the_way, schemas, forget_apps,
                                                                                     db):
    broken = in_the_way
    marker_before = marker(broken)
    migrate_template(SQL_APP)

    run = manage("migrate_lagging", TEST_TENANT_APPS=SQL_APP)

    assert run.returncode != 0
    assert f"esquema {broken} falhou" in run.stderr and broken in run.stderr.splitlines()[-1]
    assert applied(broken, "replay_sql") == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s), to_regclass(%s)",
                       [f'"{broken}".replay_sql_shelf', f'"{broken}".replay_sql_book'])
        assert cursor.fetchone() == (f"{broken}.replay_sql_shelf", None)  # its own table, nothing more
        cursor.execute(f'SELECT count(*) FROM "{broken}".django_content_type WHERE app_label = %s', ["replay_sql"])
        assert cursor.fetchone()[0] == 0
    # Untouched, its marker too: it still says what it said (verified for this process's code, or none),
    # never that it holds the new migrations, so the new code's check names it.
    assert marker(broken) == marker_before
    for role in ("fast", "second", "behind", "standard"):
        assert applied(schemas[role], "replay_sql") == ["0001_initial", "0002_pages"]
    lag = manage("migration_lag", TEST_TENANT_APPS=SQL_APP)
    assert lag.returncode == 1 and broken in lag.stdout + lag.stderr


def test_after_the_tests_nothing_lags_for_this_process(schemas, db):
    """The apps were taken out again: the rest of the suite sees the schemas as they were."""
    migration_lag_forget()
    assert migration_lag(max_age=0).lagging == ()

