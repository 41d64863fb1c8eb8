"""`migrate_schemas --executor=multiprocessing` (the deploy's migrate step) against real schemas: three
throwaway companies are taken one migration back, /readyz's check names them, the parallel executor
(forked processes, psycopg 3) brings them forward, and the check is clean again."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tenants.migration_state import code_state, migration_lag, migration_lag_forget
from tenants.models import Company
from tests.conftest import CAST_PLAN
from tests.factories import CompanyFactory

APP = "conversations"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, DATABASE_NAME=connection.settings_dict["NAME"], **env)
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def three_companies(django_db_setup, django_db_blocker):
    """Committed (the migrate processes must see them); dropped with their schemas afterwards."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        companies = [CompanyFactory(slug=f"paralelo-{tag}-{n}", plan=CAST_PLAN) for n in "abc"]
        connection.set_schema_to_public()
    yield [c.schema_name for c in companies]
    with django_db_blocker.unblock():
        for company in companies:
            Company.objects.get(pk=company.pk).delete()  # auto_drop_schema: the schema goes too
        connection.set_schema_to_public()


def latest_and_before() -> tuple[str, str]:
    latest = next(name for app, name in code_state().leaves if app == APP)
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return latest, next(parent.key[1] for parent in graph.node_map[(APP, latest)].parents if parent.key[0] == APP)


def take_back(schemas: list[str]) -> None:
    """One migration back, by a real migrate run (which also takes the schema's marker away)."""
    for schema in schemas:
        undone = manage("migrate_schemas", APP, latest_and_before()[1], "--schema", schema, "--noinput")
        assert undone.returncode == 0, undone.stderr


def test_the_parallel_executor_brings_every_lagging_schema_up_to_date(three_companies, db, django_db_blocker):
    latest, _ = latest_and_before()
    take_back(three_companies)
    with django_db_blocker.unblock():
        migration_lag_forget()
        assert migration_lag(max_age=0).lagging == tuple(sorted(three_companies))

    run = manage("migrate_schemas", "--tenant", "--executor=multiprocessing", "--noinput", MIGRATE_PROCESSES="2")

    assert run.returncode == 0, run.stderr
    applied = [line for line in run.stdout.splitlines() if f"Applying {APP}.{latest}" in line]
    assert len(applied) == 3 and all("multiprocessing:" in line for line in applied)
    assert {line.split("multiprocessing:")[1].split("]")[0] for line in applied} == set(three_companies)
    with django_db_blocker.unblock():
        migration_lag_forget()
        assert migration_lag(max_age=0).lagging == ()
    marked = manage("migration_lag", "--mark")
    assert marked.returncode == 0, marked.stderr


def test_the_template_is_migrated_on_its_own_before_the_companies(db, django_db_blocker):
    migrated = manage("migrate_template")

    assert migrated.returncode == 0, migrated.stderr
    assert "tenant_template" in migrated.stdout  # django-tenants prefixes each line with the schema
    with django_db_blocker.unblock():
        migration_lag_forget()
        assert "tenant_template" not in migration_lag(max_age=0).lagging


def test_the_deploy_hands_the_parallel_executor_only_the_schemas_that_lag(three_companies, db, django_db_blocker):
    latest, _ = latest_and_before()
    take_back(three_companies[:2])

    run = manage("migrate_lagging", "--standard", MIGRATE_PROCESSES="2")  # the fast path: test_migrate_replay

    assert run.returncode == 0, run.stderr
    assert "2 esquemas a migrar" in run.stdout
    visited = {line.split("multiprocessing:")[1].split("]")[0] for line in run.stdout.splitlines()
               if "multiprocessing:" in line}
    assert visited == set(three_companies[:2])  # acme, the template, the third one: not visited
    assert sum(f"Applying {APP}.{latest}" in line for line in run.stdout.splitlines()) == 2
    with django_db_blocker.unblock():
        migration_lag_forget()
        assert migration_lag(max_age=0).lagging == ()
