"""The standard cast: two companies, "acme" and "globex", created once per session
(tests/factories.py: CompanyFactory provisions them as production does).

Each has one user per role, `<role>@<slug>.test`. They are committed (not rolled back), so
real worker and server processes started by tests see them too; everything a test writes
through the `db` fixture is rolled back as usual.
"""

import json
import secrets
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.services import platform_admin_ensure
from accounts.tokens import tokens_for_user
from billing.models import Plan
from tenants.models import Company
from tenants.services import public_tenant_ensure, template_schema_ensure
from tests.factories import PASSWORD, CompanyFactory, staff_email

ADMIN_EMAIL = "admin@plataforma.test"
# The cast's plan: no limits (room for four staff users and the live companies' extra channels; the
# free plan has two seats and one channel) and no trial (which would run out under --reuse-db).
# The billing tests put acme and globex on the free plan (tests/billing/conftest.py).
CAST_PLAN = "elenco-de-teste"
CAST = {"acme": "acme.localhost", "globex": "globex.localhost"}
# Companies whose channel settings are committed, for tests that drive real processes.
LIVE = {"initech": "initech.localhost", "hooli": "hooli.localhost", "umbrella": "umbrella.localhost",
        "wayne": "wayne.localhost"}
INITECH_PHONE_NUMBER_ID = "5550001111"
# umbrella starts on Meta and is switched to Whaticket by a test; wayne has a Meta and a Whaticket number.
UMBRELLA_PHONE_NUMBER_ID = "5550002222"
WAYNE_PHONE_NUMBER_ID = "5550003333"

_email = staff_email  # owner@acme.test, viewer@globex.test...


@pytest.fixture(scope="session", autouse=True)
def _isolated_redis_namespace():
    # Tests may share a Redis with a running `make run`: give their cache keys a prefix of their own.
    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        public_tenant_ensure(domains=["localhost", "testserver"])
        Plan.objects.get_or_create(code=CAST_PLAN, defaults={"name": "Elenco de teste", "is_active": True})
        template_schema_ensure()
        with schema_context("public"):
            platform_admin_ensure(email=ADMIN_EMAIL, password=PASSWORD, reset_password=True)
        for slug, domain in CAST.items():
            if not Company.objects.filter(slug=slug).exists():  # else --reuse-db
                CompanyFactory(slug=slug, domain=domain, plan=CAST_PLAN,
                               staff=[Role.MANAGER, Role.OPERATOR, Role.VIEWER])
        _live_companies()
        connection.set_schema_to_public()


def _live_companies() -> None:
    from conversations.channels.services import channel_configure

    for slug, domain in LIVE.items():
        if not Company.objects.filter(slug=slug).exists():
            CompanyFactory(slug=slug, domain=domain, plan=CAST_PLAN)
    with schema_context("initech"):
        channel_configure(kind="meta", phone_number_id=INITECH_PHONE_NUMBER_ID, access_token="EAAG-ao-vivo")
    with schema_context("hooli"):
        # The base URL is rewritten by the live tests to the fake server's port.
        channel_configure(kind="whaticket", base_url="http://127.0.0.1:9", access_token="tok-hooli")
    with schema_context("umbrella"):
        channel_configure(kind="meta", phone_number_id=UMBRELLA_PHONE_NUMBER_ID, access_token="EAAG-umbrella")
    with schema_context("wayne"):
        channel_configure(kind="meta", phone_number_id=WAYNE_PHONE_NUMBER_ID, access_token="EAAG-wayne")


@pytest.fixture(autouse=True)
def _back_to_public():
    """Requests switch the connection to their company's schema; start each test in public.

    The host -> company cache is emptied too: tests change companies inside transactions
    that are rolled back, which a cached company would outlive.
    """
    from secretaria.settings_cache import forget
    from tenants.selectors import company_host_cache_clear

    connection.set_schema_to_public()
    company_host_cache_clear()
    forget()
    _forget_redis_state()
    yield
    connection.set_schema_to_public()
    company_host_cache_clear()
    forget()
    _forget_redis_state()


def _forget_redis_state() -> None:
    """Rate-limit counters, conversation context and usage counters live in Redis, which the
    per-test rollback does not reach (and ids repeat from one test database to the next)."""
    from secretaria.redis_client import get_redis

    try:
        client = get_redis()
        for pattern in ("secretaria:*:rl:*", "secretaria:*:ctx:*", "secretaria:*:usage:*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                client.delete(*keys)
    except Exception:  # noqa: BLE001 - a test that broke Redis on purpose cleans up after itself
        pass


@pytest.fixture
def eager():
    """Celery tasks run inline in the test (and their errors raise), instead of going to a worker."""
    from celery_app import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


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


LIVE_META_SECRET = "segredo-do-app-meta-ao-vivo"


class FakeProviders:
    """A local HTTP server standing in for Meta's Graph API and a Whaticket send API.

    Records every send; answers like the real ones (docs/contracts/whaticket.md §1.1, docs/contracts/meta.md §2.6).
    """

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.sent: list[dict] = []
        self.lock = threading.Lock()
        # In the message ids handed out: unique across sessions, as the stored ids must be under --reuse-db.
        self.run = uuid.uuid4().hex[:8]
        providers = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with providers.lock:
                    providers.sent.append({"path": self.path, "body": body})
                    number = len(providers.sent)
                reply = ({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.fake-{providers.run}-{number}"}]}
                         if "/messages" in self.path and "/api/" not in self.path else {"message": "Message sent"})
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sends_to(self, number: str) -> list[dict]:
        with self.lock:
            return [s for s in self.sent if s["body"].get("to") == number or s["body"].get("number") == number]


@pytest.fixture(scope="session")
def fake_providers():
    providers = FakeProviders()
    yield providers
    providers.server.shutdown()


def _celery_env(queue: str, providers: FakeProviders) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update(DATABASE_NAME=connection.settings_dict["NAME"], CELERY_DEFAULT_QUEUE=queue,
               META_GRAPH_URL=providers.url, META_APP_SECRET=LIVE_META_SECRET, DEBOUNCE_SECONDS="1")
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
def celery_worker(django_db_setup, celery_queue, fake_providers):
    """A real worker process on the real broker, consuming this session's queue."""
    from celery_app import app

    name = f"{celery_queue}@test"
    proc = _start(["worker", "-Q", celery_queue, "-n", name, "--pool", "threads", "-c", "2",
                   "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
                  _celery_env(celery_queue, fake_providers))
    try:
        _wait_until(lambda: app.control.ping(destination=[name], timeout=0.5), 90, "worker start", proc)
        yield celery_queue
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def celery_beat(django_db_setup, celery_queue, tmp_path_factory, fake_providers):
    """A real beat process (its jobs land on this session's queue)."""
    env = _celery_env(celery_queue, fake_providers)
    env["CELERY_BEAT_SCHEDULE_FILE"] = str(tmp_path_factory.mktemp("beat") / "schedule")
    proc = _start(["beat", "--loglevel", "WARNING"], env)
    try:
        yield proc
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def live_channels(django_db_setup, django_db_blocker, fake_providers):
    """Point hooli's Whaticket channel at the fake server, and give wayne a second number on Whaticket
    there (committed: real processes read them). Returns wayne's Whaticket channel's inbound secret."""
    from conversations.channels.models import Channel
    from conversations.channels.services import channel_configure, channel_create, channel_update

    whaticket = {"base_url": fake_providers.url, "access_token": "tok-wayne"}
    with django_db_blocker.unblock():
        with schema_context("hooli"):
            channel_configure(kind="whaticket", base_url=fake_providers.url, access_token="tok-hooli")
        with schema_context("wayne"):
            existing = Channel.objects.filter(kind="whaticket").first()  # --reuse-db
            second = (channel_update(channel=existing, data=whaticket) if existing
                      else channel_create(kind="whaticket", name="Unidade 2", data=whaticket))
    connection.set_schema_to_public()
    return {"wayne_whaticket_secret": second.inbound_secret}


def _web_answers(url: str) -> bool:
    import urllib.request

    request = urllib.request.Request(url + "/healthz", headers={"Host": "localhost"})
    try:
        return urllib.request.urlopen(request, timeout=1).status == 200
    except OSError:
        return False


def _start_web(env: dict[str, str], *, threads: int = 8):
    """gunicorn (one worker process) on a free port of 127.0.0.1 with `env`, once /healthz answers: (proc, url)."""
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "secretaria.wsgi:application", "--config",
         "python:secretaria.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", str(threads)],
        cwd=settings.BASE_DIR, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _web_answers(url), 60, "gunicorn start", proc)
    except BaseException:
        _stop(proc)
        raise
    return proc, url


@pytest.fixture(scope="session")
def live_web(django_db_setup, celery_queue, fake_providers, celery_worker, live_channels):
    """The real web server (gunicorn) on a free port, against the test database.

    With `celery_worker`, a request goes the whole way: webhook -> commit -> broker ->
    worker -> channel (the fake providers). Returns the base URL.
    """
    proc, url = _start_web(_celery_env(celery_queue, fake_providers))
    try:
        yield url
    finally:
        _stop(proc)


@pytest.fixture
def slow_redis():
    """A proxy in front of the test Redis that holds replies back on demand (tests/redis_proxy.py)."""
    from django.conf import settings

    from tests.redis_proxy import SlowReplies

    proxy = SlowReplies(settings.REDIS_URL)
    yield proxy
    proxy.close()


def wait_until(predicate, timeout: float = 30, what: str = "condition"):
    _wait_until(predicate, timeout, what)


def pytest_collection_modifyitems(config, items):
    """Tests that start real worker/web processes run last: once started, those processes
    live for the rest of the session, and tests of a stack *without* a worker come first."""
    items.sort(key=lambda item: item.get_closest_marker("worker") is not None)
