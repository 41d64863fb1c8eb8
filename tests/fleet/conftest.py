"""Two "nodes" on one machine: separate process trees, each with its own environment, sharing the
test database and Redis as several hosts share one PostgreSQL and one Redis (docs/fleet-nodes.md).

A node is a gunicorn web and a Celery worker (with its wake-up dispatcher); beat runs on node "a" only,
and only while the test that needs it runs: left on, its per-minute dispatch would fan jobs out to
every company of the test database (reports, insights, audit verdicts committed in acme and globex).
What differs between them is what differs between hosts: the worker's name (`<queue>@host-<node>`),
the Prometheus multiprocess directory and the beat schedule file. What they share is the database,
Redis, the secrets and the queue (`CELERY_DEFAULT_QUEUE`, which also names the wake-up set).

Each worker also consumes a queue of its own (`<queue>.<node>`), so a test can hand one task to one
node (its sweeper, a reply) and know which process ran it; the shared queue is what production has.

The companies here are committed once per database (--reuse-db keeps them): "norte" and "sul" for
the traffic, "leste" with a language model that always fails, for the circuit breaker. Rows a test
writes for the nodes to see are committed too (`committed(...)`): use fresh phones (`new_phone()`).
"""

from __future__ import annotations

import configparser
import hashlib
import hmac
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.conftest import CAST_PLAN, LIVE_META_SECRET, _celery_env, _start, _start_web, _stop, _wait_until
from tests.conversations import meta_payloads
from tests.factories import CompanyFactory
from tests.json_server import FakeServer, Recorded

# slug -> Meta phone_number_id (each company's number, routed on the platform's host)
FLEET = {"norte": "5550007001", "sul": "5550007002", "leste": "5550007003"}
BREAKER_FAILURES = 2


def pytest_collection_modifyitems(config, items):
    # These start real processes: they run last, with the suite's other process tests. pytest-django
    # creates the test database only for a run whose tests ask for it, and the nodes need it.
    for item in items:
        if "tests/fleet/" in str(item.fspath):
            item.add_marker(pytest.mark.worker)
            item.add_marker(pytest.mark.django_db)


# --- a language model that always refuses ------------------------------------------------


class FailingLLM(FakeServer):
    """An OpenAI-compatible endpoint answering 400 to every call (a permanent error: no retries),
    counting the calls that reached it."""

    def reset(self) -> None:
        with self.lock:
            self.calls = 0

    def handle(self, recorded: Recorded) -> tuple:
        with self.lock:
            self.calls += 1
        return 400, {"error": {"message": "model not found", "type": "invalid_request_error"}}


@pytest.fixture(scope="session")
def failing_llm():
    server = FailingLLM()
    yield server
    server.shutdown()


# --- the companies -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def fleet_companies(django_db_setup, django_db_blocker, failing_llm):
    from conversations.assistant.llm import llm_config_set
    from conversations.channels.services import channel_configure
    from tenants.models import Company

    with django_db_blocker.unblock():
        for slug, phone_number_id in FLEET.items():
            if not Company.objects.filter(slug=slug).exists():  # else --reuse-db
                CompanyFactory(slug=slug, domain=f"{slug}.localhost", plan=CAST_PLAN)
            with schema_context(slug):
                channel_configure(kind="meta", phone_number_id=phone_number_id, access_token=f"EAAG-{slug}")
        with schema_context("leste"):  # the port is this session's; saving also closes the breaker
            llm_config_set(provider="openai", model="modelo-de-teste", base_url=failing_llm.url + "/v1")
    connection.set_schema_to_public()
    return FLEET


def committed(work, *args, **kwargs):
    """Run `work` on a database connection of its own, outside the test's transaction (which is rolled
    back): what it writes is committed, so the nodes see it. Reads in the test see it too."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_on_own_connection, work, args, kwargs).result()


def _on_own_connection(work, args, kwargs):
    try:
        return work(*args, **kwargs)
    finally:
        connection.close()  # this thread's connection; the thread ends here


# --- the nodes ---------------------------------------------------------------------------


@dataclass
class Node:
    name: str
    queue: str  # this node's own queue, besides the shared one
    env: dict[str, str]
    metrics_dir: Path
    url: str = ""
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def worker_name(self) -> str:
        return f"{self.env['CELERY_DEFAULT_QUEUE']}@host-{self.name}"

    def kill_worker(self) -> None:
        """kill -9 of the node's worker: no warm shutdown, nothing acknowledged, nothing cleaned up."""
        worker = self.procs.pop("worker")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def sample(self, name: str, **labels: str) -> float:
        """The sum of a metric's samples written by this node's processes (its multiprocess directory)."""
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.metrics_dir))
        return sum(sample.value for family in registry.collect() for sample in family.samples
                   if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()))

    def runs(self, task: str) -> float:
        """How many times this node's processes ran `task` (every company; a reply's runs included)."""
        return self.sample("secretaria_task_latency_seconds_count", task=task)

    def stop(self) -> None:
        for proc in self.procs.values():
            _stop(proc)
        self.procs.clear()


def node_environment(name: str, *, queue: str, providers, root: Path, **overrides: str) -> dict[str, str]:
    """The environment a node's processes run with: the shared services, its own files."""
    metrics_dir = root / name / "prometheus"
    metrics_dir.mkdir(parents=True)
    env = _celery_env(queue, providers)
    # DB_CONN_MAX_AGE=0: connections go back after each request and task. The test database's server
    # is shared with the suite's other processes, and its max_connections with them.
    env.update(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), CELERY_BEAT_SCHEDULE_FILE=str(root / name / "beat"),
               REPLY_THREADS="2", LLM_BREAKER_FAILURES=str(BREAKER_FAILURES), LLM_BREAKER_OPEN_SECONDS="600",
               DB_CONN_MAX_AGE="0", PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


def node_start(name: str, *, queue: str, providers, root: Path, **overrides: str) -> Node:
    """Start a node's worker and its web; returns once the web answers (see `node_ready`)."""
    env = node_environment(name, queue=queue, providers=providers, root=root, **overrides)
    node = Node(name=name, queue=f"{queue}.{name}", env=env, metrics_dir=Path(env["PROMETHEUS_MULTIPROC_DIR"]))
    try:
        node.procs["worker"] = _start(
            ["worker", "-Q", f"{queue},{node.queue}", "-n", node.worker_name, "--pool", "threads", "-c", "2",
             "--without-mingle", "--without-gossip", "--loglevel", "WARNING"], env)
        node.procs["web"], node.url = _start_web(env, threads=4)
    except BaseException:
        node.stop()
        raise
    return node


def node_ready(node: Node) -> Node:
    from celery_app import app

    _wait_until(lambda: app.control.ping(destination=[node.worker_name], timeout=0.5), 90,
                f"node {node.name}: worker start", node.procs["worker"])
    return node


def beat_start(node: Node) -> None:
    """Beat on this node, in its environment (its schedule file); `node.stop()` stops it too."""
    node.procs["beat"] = _start(["beat", "--loglevel", "WARNING"], node.env)


def beat_stop(node: Node) -> None:
    _stop(node.procs.pop("beat"))


@pytest.fixture(scope="module")
def nodes(fleet_companies, fake_providers, tmp_path_factory):
    """Nodes "a" and "b" (web, worker each) on a queue of their own."""
    queue = f"fleet-{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp("nodes")
    started = []
    try:
        for name in ("a", "b"):
            started.append(node_start(name, queue=queue, providers=fake_providers, root=root))
        yield [node_ready(node) for node in started]
    finally:
        for node in started:
            node.stop()


# --- acting as WhatsApp ------------------------------------------------------------------


def new_phone() -> str:
    return f"55119{uuid.uuid4().int % 10**8:08d}"


def meta_text(slug: str, phone: str, text: str) -> bytes:
    """A Meta notification of one text from `phone` to the company's number (a fresh message id)."""
    payload = json.loads(json.dumps(meta_payloads.TEXT))
    value = payload["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = FLEET[slug]
    value["contacts"][0]["wa_id"] = phone
    message = value["messages"][0]
    message.update({"from": phone, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": str(int(time.time()))})
    message["text"]["body"] = text
    return json.dumps(payload).encode()


def post_meta(url: str, body: bytes) -> int:
    signature = "sha256=" + hmac.new(LIVE_META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    response = httpx.post(f"{url}/webhook/meta", content=body, timeout=15, headers={
        "Host": "localhost", "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    return response.status_code


# --- PgBouncer ---------------------------------------------------------------------------


PGBOUNCER_MISSING = ("pgbouncer is not installed: `apt-get install pgbouncer` (Debian's package, as root); "
                     "the test starts it as a process of its own on a free port, no service needed")


@dataclass
class PgBouncer:
    """A real pgbouncer in front of the test's PostgreSQL (every database name passes through)."""

    port: int
    proc: subprocess.Popen
    directory: Path

    def url(self, database: str) -> str:
        user = connection.settings_dict["USER"]
        return f"postgres://{user}@127.0.0.1:{self.port}/{database}"

    def show(self, what: str) -> list[dict[str, str]]:
        """The admin console's `SHOW <what>` (simple query protocol only: psql speaks it)."""
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", connection.settings_dict["USER"], "-d",
             "pgbouncer", "-X", "-A", "-F", "\t", "-c", f"SHOW {what}"],
            capture_output=True, text=True, check=True, timeout=10).stdout.splitlines()
        header, rows = out[0].split("\t"), [line.split("\t") for line in out[1:] if "\t" in line]
        return [dict(zip(header, row, strict=False)) for row in rows]

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        return (self.directory / "pgbouncer.log").read_text(errors="replace")


def pgbouncer_start(*, pool_mode: str, pool_size: int) -> PgBouncer:
    """pgbouncer with deploy/pgbouncer/pgbouncer.ini, on a free port of 127.0.0.1, in `pool_mode`.

    Skips the test when the binary is absent. pgbouncer refuses to run as root: as root it is
    started with `-u postgres` (the user Debian's PostgreSQL packages create), reading a
    directory that user can read.
    """
    binary = (os.environ.get("PGBOUNCER_PATH") or shutil.which("pgbouncer")
              or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None))
    if binary is None:
        pytest.skip(PGBOUNCER_MISSING)
    db = connection.settings_dict
    host, port_pg = _server_address()
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    directory.chmod(0o755)
    port = _free_port()
    (directory / "userlist.txt").write_text(f'"{db["USER"]}" "{db.get("PASSWORD") or ""}"\n')
    (directory / "pgbouncer.ini").write_text(_pgbouncer_ini(
        databases={"*": f"host={host} port={port_pg}"},
        pgbouncer={"listen_addr": "127.0.0.1", "listen_port": str(port), "auth_type": "trust",
                   "auth_file": str(directory / "userlist.txt"), "admin_users": db["USER"], "pool_mode": pool_mode,
                   "default_pool_size": str(pool_size), "reserve_pool_size": "0", "max_db_connections": "0",
                   "query_wait_timeout": "60"}))
    for path in directory.iterdir():
        path.chmod(0o644)
    as_user = ["-u", _socket_owner(host) or "postgres"] if os.geteuid() == 0 else []
    with open(directory / "pgbouncer.log", "wb") as log:  # its log, for a failing test's reader
        proc = subprocess.Popen([binary, *as_user, str(directory / "pgbouncer.ini")], stdout=log, stderr=log)
    bouncer = PgBouncer(port=port, proc=proc, directory=directory)
    try:
        _wait_until(lambda: _listening(port), 15, "pgbouncer start", proc)
    except BaseException:
        bouncer.stop()
        raise
    return bouncer


def _server_address() -> tuple[str, int]:
    """Where the test's PostgreSQL is: a host or, for `make test`'s embedded server, the directory of its
    Unix socket (DATABASE_URL's `?host=`, which lands in OPTIONS with HOST left empty)."""
    db = connection.settings_dict
    return db["HOST"] or db["OPTIONS"].get("host") or "127.0.0.1", int(db["PORT"] or 5432)


def _socket_owner(host: str) -> str | None:
    """The user that owns a Unix-socket server's directory: the one that surely may reach its socket."""
    import pwd

    return pwd.getpwuid(Path(host).stat().st_uid).pw_name if host.startswith("/") else None


def _pgbouncer_ini(**sections: dict[str, str]) -> str:
    """deploy/pgbouncer/pgbouncer.ini with these values changed: the test runs the shipped settings
    (reset query, startup parameters...), on its own port, in front of the test's PostgreSQL."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # pgbouncer's names are case-sensitive
    parser.read(Path(settings.BASE_DIR) / "deploy" / "pgbouncer" / "pgbouncer.ini")
    for section, values in sections.items():
        parser[section].update(values)
    out = io.StringIO()
    parser.write(out)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False
