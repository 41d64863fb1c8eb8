"""/readyz says when a company schema lags behind the code's migrations, and stays cheap doing it
(tenants/migration_state.py). Real schemas: the cast's, changed inside the test's transaction."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.test import APIClient

from tenants import migration_state
from tenants.migration_state import (
    MARKER_PREFIX,
    code_state,
    migration_lag,
    migration_lag_forget,
    migration_marker_clear,
    migration_markers_record,
)
from tenants.models import Company


@pytest.fixture(autouse=True)
def _forget():
    migration_lag_forget()
    yield
    migration_lag_forget()


def lag():
    return migration_lag(max_age=0)


def drop_latest_migration_record(schema: str) -> tuple[str, str]:
    """The schema no longer has the code's latest migration of one app, and no marker (as after a
    migration run that took it back: any run clears the marker first)."""
    app, name = next(leaf for leaf in code_state().leaves if leaf[0] == "conversations")
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name])
        assert cursor.rowcount == 1
    migration_marker_clear(schema_name=schema)
    return app, name


def marker_of(schema: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone()[0]


def readyz_migrations() -> tuple[int, dict]:
    response = APIClient(HTTP_HOST="localhost").get("/readyz")
    return response.status_code, response.json()["components"]["migrations"]


def test_the_code_expects_every_app_s_latest_migration_in_every_schema(db):
    state = code_state()

    apps = {app for app, _ in state.leaves}
    assert {"tenants", "conversations", "agenda", "auth"} <= apps
    assert state.marker.startswith(MARKER_PREFIX)
    assert code_state() is state  # read from the files once per process


def test_every_schema_of_the_cast_and_the_template_is_up_to_date(db):
    result = lag()

    assert result.lagging == ()
    assert result.checked == Company.objects.exclude(schema_name="public").count()
    assert readyz_migrations()[1]["status"] == "ok"


def test_a_schema_missing_the_code_s_latest_migration_fails_readyz_by_name(db):
    drop_latest_migration_record("acme")

    status, check = readyz_migrations()

    assert status == 503
    assert check["status"] == "fail"
    assert "1 of " in check["error"] and "acme" in check["error"]
    assert lag().lagging == ("acme",)


def test_the_failure_counts_every_lagging_schema_and_names_the_first_few(db):
    schemas = ["acme", "globex", "hooli", "initech", "umbrella", "wayne"]
    for schema in schemas:
        drop_latest_migration_record(schema)

    summary = migration_state.lag_summary(lag())

    assert summary.startswith("6 of ")
    assert "acme, globex, hooli, initech, umbrella, ..." in summary
    assert "wayne" not in summary


def test_a_company_whose_schema_does_not_exist_lags(db):
    Company.objects.create(name="Sem esquema", slug="sem-esquema", schema_name="sem_esquema")

    assert lag().lagging == ("sem_esquema",)


def test_the_migrate_step_marks_up_to_date_schemas_and_not_lagging_ones(db):
    drop_latest_migration_record("globex")

    result = migration_markers_record()  # COMMENT ON SCHEMA, rolled back with the test

    assert result.lagging == ("globex",)
    assert marker_of("acme") == code_state().marker
    assert marker_of("globex") is None


def test_once_marked_the_check_is_one_catalog_query_whatever_the_number_of_schemas(db, django_assert_num_queries):
    migration_markers_record()
    migration_lag_forget()

    with django_assert_num_queries(1):
        assert lag().lagging == ()


def test_an_unmarked_schema_is_verified_once_per_process_then_trusted(db, django_assert_max_num_queries):
    migration_markers_record()
    with connection.cursor() as cursor:
        cursor.execute("COMMENT ON SCHEMA acme IS NULL")  # as a schema provisioned after the deploy
    migration_lag_forget()

    with django_assert_max_num_queries(2):  # the markers, then acme's django_migrations
        assert lag().lagging == ()
    with django_assert_max_num_queries(1):
        assert lag().lagging == ()


def test_a_schema_marked_by_other_code_is_verified_not_trusted(db):
    migration_markers_record()
    drop_latest_migration_record("acme")
    with connection.cursor() as cursor:
        cursor.execute("COMMENT ON SCHEMA acme IS %s", [MARKER_PREFIX + "older-code"])  # restored from an old dump
    migration_lag_forget()

    assert lag().lagging == ("acme",)


def test_a_process_rereads_within_its_cache_age_only(db):
    assert migration_lag(max_age=60).lagging == ()
    drop_latest_migration_record("acme")
    with connection.cursor() as cursor:
        cursor.execute("COMMENT ON SCHEMA acme IS %s", [MARKER_PREFIX + "older-code"])

    assert migration_lag(max_age=60).lagging == ()  # remembered
    assert migration_lag(max_age=0).lagging == ("acme",)


def test_the_command_marks_and_exits_with_an_error_naming_lagging_schemas(db, capsys):
    call_command("migration_lag", "--mark")
    assert "esquemas em dia" in capsys.readouterr().out

    drop_latest_migration_record("hooli")
    with pytest.raises(CommandError, match="1 of .*hooli"):
        call_command("migration_lag")


def test_a_migration_run_takes_the_schema_s_marker_away_first(db):
    migration_markers_record()

    migration_marker_clear(schema_name="acme")  # what django-tenants' schema_pre_migration calls

    assert marker_of("acme") is None
    assert marker_of("globex") == code_state().marker
