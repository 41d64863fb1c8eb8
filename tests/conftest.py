"""The standard cast: two companies, "acme" and "globex", created once per session.

Each has one user per role. They are committed (not rolled back), so real worker
and server processes started by tests see them too; everything a test writes
through the `db` fixture is rolled back as usual.
"""

import secrets
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.services import platform_admin_ensure, user_create
from accounts.tokens import tokens_for_user
from tenants.models import Company
from tenants.services import company_provision, public_tenant_ensure, template_schema_ensure

PASSWORD = "Senha-de-teste-9"
ADMIN_EMAIL = "admin@plataforma.test"
CAST = {"acme": "acme.localhost", "globex": "globex.localhost"}


def _email(role: str, slug: str) -> str:
    return f"{role}@{slug}.test"


@pytest.fixture(scope="session", autouse=True)
def _isolated_redis_namespace():
    # Tests may share a Redis with a running `make run`: give their cache keys a prefix of their own.
    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        public_tenant_ensure(domains=["localhost", "testserver"])
        template_schema_ensure()
        with schema_context("public"):
            platform_admin_ensure(email=ADMIN_EMAIL, password=PASSWORD, reset_password=True)
        for slug, domain in CAST.items():
            if Company.objects.filter(slug=slug).exists():
                continue  # --reuse-db
            company_provision(name=slug.title(), slug=slug, domain=domain, plan="free",
                              owner_email=_email("owner", slug), owner_password=PASSWORD)
            with schema_context(slug):
                for role in (Role.MANAGER, Role.OPERATOR, Role.VIEWER):
                    user_create(email=_email(role, slug), password=PASSWORD, role=role)
        connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _back_to_public():
    """Requests switch the connection to their company's schema; start each test in public.

    The host -> company cache is emptied too: tests change companies inside transactions
    that are rolled back, which a cached company would outlive.
    """
    from tenants.selectors import company_host_cache_clear

    connection.set_schema_to_public()
    company_host_cache_clear()
    yield
    connection.set_schema_to_public()
    company_host_cache_clear()


@pytest.fixture
def acme(db) -> Company:
    return Company.objects.get(slug="acme")


@pytest.fixture
def globex(db) -> Company:
    return Company.objects.get(slug="globex")


def member(company: Company, role: str) -> User:
    with schema_context(company.schema_name):
        return User.objects.get(email=_email(role, company.slug))


def tokens(company: Company | None, user: User) -> dict[str, str]:
    with schema_context(company.schema_name if company else "public"):
        return tokens_for_user(user)


def platform_admin() -> User:
    with schema_context("public"):
        return User.objects.get(email=ADMIN_EMAIL)


def host_of(company: Company | None) -> str:
    return CAST[company.slug] if company else "localhost"


@pytest.fixture
def api(db):
    """api(company, role=None) -> APIClient on the company's host, authenticated as that role.

    `company=None` means the public host; `role="admin"` the platform admin there.
    """

    def make(company: Company | None, role: str | None = None, *, token: str | None = None) -> APIClient:
        client = APIClient(HTTP_HOST=host_of(company))
        if role == "admin":
            token = tokens(None, platform_admin())["access"]
        elif role is not None:
            token = tokens(company, member(company, role))["access"]
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def unique() -> str:
    return secrets.token_hex(4)


# --- Real Celery processes ---------------------------------------------------

def _wait_until(predicate, timeout: float, what: str, proc=None):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with {proc.returncode}")
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(what)


@pytest.fixture(scope="session")
def celery_queue() -> str:
    """A queue of this session's own, so tests never consume another run's tasks."""
    return f"test-{uuid.uuid4().hex[:10]}"


def _celery_env(queue: str) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update(DATABASE_NAME=connection.settings_dict["NAME"], CELERY_DEFAULT_QUEUE=queue)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


def _start(args: list[str], env: dict[str, str]):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "celery_app", *args],
                            cwd=settings.BASE_DIR, env=env)


def _stop(proc) -> None:
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, celery_queue):
    """A real worker process on the real broker, consuming this session's queue."""
    from celery_app import app

    name = f"{celery_queue}@test"
    proc = _start(["worker", "-Q", celery_queue, "-n", name, "--pool", "threads", "-c", "2",
                   "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
                  _celery_env(celery_queue))
    try:
        _wait_until(lambda: app.control.ping(destination=[name], timeout=0.5), 90, "worker start", proc)
        yield celery_queue
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def celery_beat(django_db_setup, celery_queue, tmp_path_factory):
    """A real beat process (its jobs land on this session's queue)."""
    env = _celery_env(celery_queue)
    env["CELERY_BEAT_SCHEDULE_FILE"] = str(tmp_path_factory.mktemp("beat") / "schedule")
    proc = _start(["beat", "--loglevel", "WARNING"], env)
    try:
        yield proc
    finally:
        _stop(proc)


def wait_until(predicate, timeout: float = 30, what: str = "condition"):
    _wait_until(predicate, timeout, what)
