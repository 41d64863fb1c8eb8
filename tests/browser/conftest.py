"""Browser tests of the operator panel: Playwright driving Debian's chromium against the real stack.

What runs: a gunicorn of its own (static files collected for it, as in production), the session's
Celery worker on the real broker, and the fake providers of tests/conftest.py standing in for
Meta's Graph API. The company `painel` (host painel.localhost; chromium resolves every
*.localhost to the loopback, so no DNS is needed) is committed once per database with one user
per role, the demo clinic's calendar (three professionals, four services, hours Monday to
Saturday) and a Meta number, so a test can act as a WhatsApp customer and read what that
customer received.

Rows a test creates stay (they are committed for the server's sake): use a fresh phone per test
(`panel.new_phone()`) and never assume an empty inbox or calendar.

Every test module here must say `pytestmark = pytest.mark.worker` (the processes run last, see
tests/conftest.py); the hook below also adds it, as a safety net, and the `django_db` mark.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.roles import Role
from tests.conftest import ADMIN_EMAIL, CAST_PLAN, LIVE_META_SECRET, _celery_env, _stop, _wait_until
from tests.conversations import meta_payloads
from tests.factories import PASSWORD, CompanyFactory, staff_email

PANEL_SLUG = "painel"
PANEL_HOST = "painel.localhost"
PANEL_PHONE_NUMBER_ID = "5550004444"
ROLES = [Role.OWNER, Role.MANAGER, Role.OPERATOR, Role.VIEWER]
# Long enough for a loaded 2-core CI machine, short enough that a broken page fails quickly.
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    # pytest-django creates the test database only for a run whose tests ask for it: these talk to the
    # server, not the ORM, but the server needs that database (a test's own ORM reads see committed rows).
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.worker)
            item.add_marker(pytest.mark.django_db)


# --- the company ------------------------------------------------------------------------


def _panel_company_ensure():
    from conversations.channels.services import channel_configure
    from devstack.demo.agenda import demo_calendar_ensure
    from tenants.models import Company

    company = Company.objects.filter(slug=PANEL_SLUG).first()
    if company is None:  # else --reuse-db
        company = CompanyFactory(slug=PANEL_SLUG, domain=PANEL_HOST, name="Clínica Painel", plan=CAST_PLAN,
                                 staff=[Role.MANAGER, Role.OPERATOR, Role.VIEWER])
    with schema_context(PANEL_SLUG):
        channel_configure(kind="meta", phone_number_id=PANEL_PHONE_NUMBER_ID, access_token="EAAG-painel")
        demo_calendar_ensure()
    return company


@pytest.fixture(scope="session")
def panel_company(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        company = _panel_company_ensure()
    connection.set_schema_to_public()
    return company


# --- the web server ---------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    request = urllib.request.Request(url + "/healthz", headers={"Host": "localhost"})
    try:
        return urllib.request.urlopen(request, timeout=1).status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def panel_web(panel_company, celery_worker, celery_queue, fake_providers, tmp_path_factory):
    """gunicorn serving the panel (and the webhooks) with its static files collected, as deployed."""
    env = _celery_env(celery_queue, fake_providers)
    env["STATIC_ROOT"] = str(tmp_path_factory.mktemp("static"))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=settings.BASE_DIR, env=env, check=True)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "secretaria.wsgi:application", "--config",
         "python:secretaria.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8"],
        cwd=settings.BASE_DIR, env=env)
    try:
        _wait_until(lambda: _answers(f"http://127.0.0.1:{port}"), 60, "panel gunicorn start", proc)
        yield port
    finally:
        _stop(proc)


# --- acting as the customer and as staff -------------------------------------------------


@dataclass
class Panel:
    """The panel company's stack as the tests see it."""

    port: int
    providers: object
    host: str = PANEL_HOST
    slug: str = PANEL_SLUG
    password: str = PASSWORD
    emails: dict = field(default_factory=lambda: {role: staff_email(role, PANEL_SLUG) for role in ROLES})

    def url(self, path: str = "/admin/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def platform_url(self, path: str = "/admin/") -> str:
        """The platform's host (the public schema): companies, plans, "Nova empresa"."""
        return f"http://localhost:{self.port}{path}"

    def api(self, role: str = "manager") -> httpx.Client:
        """The REST API as a member of `painel` (a JWT from /api/auth/token): rows the server commits."""
        client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", headers={"Host": self.host}, timeout=15)
        token = client.post("/api/auth/token", json={"email": self.emails[role], "password": self.password})
        assert token.status_code == 200, token.text
        client.headers["Authorization"] = f"Bearer {token.json()['access']}"
        return client

    @staticmethod
    def new_phone() -> str:
        """A fresh Brazilian mobile number in WhatsApp's form (5511 9xxxx-xxxx): a new customer."""
        return f"55119{uuid.uuid4().int % 10**8:08d}"

    def customer_says(self, phone: str, text: str) -> None:
        """A WhatsApp text from `phone`, delivered as Meta delivers it (signed webhook to /webhook/meta)."""
        payload = json.loads(json.dumps(meta_payloads.TEXT))
        value = payload["entry"][0]["changes"][0]["value"]
        value["metadata"]["phone_number_id"] = PANEL_PHONE_NUMBER_ID
        value["contacts"][0]["wa_id"] = phone
        message = value["messages"][0]
        message.update({"from": phone, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time()))})
        message["text"]["body"] = text
        body = json.dumps(payload).encode()
        signature = "sha256=" + hmac.new(LIVE_META_SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = httpx.post(f"http://127.0.0.1:{self.port}/webhook/meta", content=body, timeout=10, headers={
            "Host": "localhost", "Content-Type": "application/json", "X-Hub-Signature-256": signature})
        assert response.status_code == 200, response.text

    def customer_received(self, phone: str) -> list[str]:
        """The texts sent to `phone` so far (what the customer's WhatsApp shows), oldest first."""
        return [_text_of(sent["body"]) for sent in self.providers.sends_to(phone)]

    def wait_for_customer(self, phone: str, *, containing: str = "", count: int = 1, timeout: float = 30) -> list[str]:
        """Wait until `phone` received `count` messages (one containing `containing`, when given)."""

        def arrived() -> bool:
            texts = self.customer_received(phone)
            return len(texts) >= count and (not containing or any(containing in t for t in texts))

        _wait_until(arrived, timeout, f"message to {phone} ({containing or count})")
        return self.customer_received(phone)


def _text_of(body: dict) -> str:
    if body.get("type") == "text":
        return body["text"]["body"]
    if body.get("type") == "interactive":
        return body["interactive"]["body"]["text"]
    if body.get("type") == "template":
        return json.dumps(body["template"], ensure_ascii=False)
    return body.get("body", "") or json.dumps(body, ensure_ascii=False)


@pytest.fixture(scope="session")
def panel(panel_web, fake_providers) -> Panel:
    return Panel(port=panel_web, providers=fake_providers)


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from devstack.browser import chromium_path

    # Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
    # ("you cannot call this from an async context") although each call is plain and synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = chromium_path()
    if executable is None:  # a failure, never a skip: `make test` installs it (devstack/browser.py)
        pytest.fail("chromium not found: run the suite with `make test`, or install Debian's chromium")
    with sync_playwright() as playwright:
        # The handoff notice beeps: let the page play sound without a click first.
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=["--autoplay-policy=no-user-gesture-required"])
        yield browser
        browser.close()


@pytest.fixture
def page_as(panel, browser):
    """`page_as(role)`: a new browser (own cookies) logged in to the panel as that role of `painel`;
    `page_as("platform")` logs in the platform admin on the platform's host instead."""
    contexts = []

    def login(role: str, *, path: str = "/admin/"):
        context = browser.new_context(locale="pt-BR", timezone_id="America/Sao_Paulo",
                                      viewport={"width": 1366, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if role == "platform":
            page.goto(panel.platform_url(f"/admin/login/?next={path}"))
        else:
            page.goto(panel.url(f"/admin/login/?next={path}"))
        page.fill("input[name=username]", ADMIN_EMAIL if role == "platform" else panel.emails[role])
        page.fill("input[name=password]", panel.password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(lambda url: "/admin/login/" not in url)
        return page

    yield login
    for context in contexts:
        context.close()
