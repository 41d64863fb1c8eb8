"""`make run` and `make test`: prepare the services, then run the app or the suite.

With `DATABASE_URL`/`REDIS_URL` unset, embedded PostgreSQL and Valkey are started
under `.data/` (see `services.py`); when set, those servers are used as they are.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from devstack.tools import SUITE_TOOLS, tool_ensure

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SECRETARIA_DATA_DIR", ROOT / ".data"))
PYTHON = sys.executable
# Where `make run` records its web server's URL; `manage.py chat` reads it (same folder rule as DATA).
RUN_FILE = "run.json"


def say(message: str) -> None:
    print(f"[secretaria] {message}", flush=True)


@contextmanager
def data_services(profile: str):
    """Yield the environment with DATABASE_URL and REDIS_URL, starting what is missing."""
    env = dict(os.environ)
    want_pg = not env.get("DATABASE_URL")
    want_redis = not env.get("REDIS_URL")
    child = None
    running = _already_running(profile) if (want_pg or want_redis) else None
    if running:
        # `make manage` while `make run` is up: use its servers instead of starting twins.
        env.update({k: v for k, v in running.items() if not env.get(k)})
        want_pg = want_redis = False
    if want_pg or want_redis:
        DATA.mkdir(parents=True, exist_ok=True)
        ready = DATA / f"services-{profile}.json"
        ready.unlink(missing_ok=True)
        cmd = [PYTHON, "-m", "devstack.services", "--data-dir", str(DATA),
               "--profile", profile, "--ready-file", str(ready)]
        cmd += ["--postgres"] if want_pg else []
        cmd += ["--redis"] if want_redis else []
        say("starting embedded " + " and ".join(
            n for n, w in (("PostgreSQL", want_pg), ("Valkey", want_redis)) if w))
        # Own session: Ctrl-C reaches the launcher only, which stops things in order.
        child = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
        env.update(_wait_for_ready_file(ready, child))
    try:
        yield env
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                child.kill()
        if child is not None:
            (DATA / f"services-{profile}.json").unlink(missing_ok=True)


def _already_running(profile: str) -> dict | None:
    """The URLs of this profile's embedded servers if another launcher has them up."""
    path = DATA / f"services-{profile}.json"
    if not path.exists():
        return None
    urls = json.loads(path.read_text())
    try:
        import psycopg
        import redis

        if "DATABASE_URL" in urls:
            psycopg.connect(_libpq_url(urls["DATABASE_URL"]).replace("/secretaria?", "/postgres?"),
                            connect_timeout=2).close()
        if "REDIS_URL" in urls:
            redis.Redis.from_url(urls["REDIS_URL"], socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001 - stale file from a run that ended badly: start afresh
        return None
    return urls


def _wait_for_ready_file(path: Path, child: subprocess.Popen, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if child.poll() is not None:
            raise SystemExit("embedded services failed to start (see the messages above)")
        time.sleep(0.1)
    child.kill()
    raise SystemExit(f"embedded services did not start within {timeout}s")


def ensure_database(database_url: str) -> None:
    """Create the database named in the URL when the server does not have it yet."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(_libpq_url(database_url))
    name = params.get("dbname") or "postgres"
    admin = make_conninfo(**{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            say(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _libpq_url(url: str) -> str:
    # django-environ accepts postgres://, postgresql:// and pgsql://; libpq the first two.
    for alias in ("pgsql://", "postgis://"):
        if url.startswith(alias):
            return "postgresql://" + url[len(alias):]
    return url


def local_secret_key() -> str:
    """A per-checkout random key kept under .data/, so sessions survive restarts."""
    path = DATA / "secret_key"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def local_credentials() -> dict[str, str]:
    """Admin and demo-owner credentials: from the environment, else generated once."""
    path = DATA / "credentials.json"
    stored = json.loads(path.read_text()) if path.exists() else {}
    defaults = {
        "SECRETARIA_ADMIN_EMAIL": "admin@secretaria.localhost",
        "SECRETARIA_ADMIN_PASSWORD": stored.get("SECRETARIA_ADMIN_PASSWORD")
        or secrets.token_urlsafe(12),
        "SECRETARIA_DEMO_EMAIL": "dono@demo.localhost",
        "SECRETARIA_DEMO_PASSWORD": stored.get("SECRETARIA_DEMO_PASSWORD")
        or secrets.token_urlsafe(12),
    }
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)  # a fresh clone with DATABASE_URL set has no .data yet
        path.write_text(json.dumps(defaults, indent=2))
        path.chmod(0o600)
    return {key: os.environ.get(key) or value for key, value in defaults.items()}


def django_env(env: dict[str, str]) -> dict[str, str]:
    env = dict(env)
    env.setdefault("DJANGO_SETTINGS_MODULE", "secretaria.settings")
    env.setdefault("SECRET_KEY", local_secret_key())
    env.setdefault("STATIC_ROOT", str(DATA / "static"))
    env.setdefault("CELERY_BEAT_SCHEDULE_FILE", str(DATA / "celerybeat-schedule"))
    env["PYTHONUNBUFFERED"] = "1"
    Path(env["STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _fresh_multiproc_dir(env: dict[str, str], name: str) -> None:
    # prometheus_client's multiprocess mode: every process writes its samples
    # here and /metrics adds them up. Stale files from a previous run would
    # resurrect dead processes' counters, so the folder starts empty.
    path = DATA / name
    if path.exists():
        for item in path.iterdir():
            item.unlink()
    path.mkdir(parents=True, exist_ok=True)
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(path))


class Supervisor:
    """Runs the app processes in the foreground and stops them all on Ctrl-C."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False

    def start(self, name: str, cmd: list[str]) -> None:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True)
        self.procs.append((name, proc))

    def failed(self) -> str | None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                return name
        return None

    def stop(self) -> None:
        self.stopping = True
        # Web first (no new work), then beat, then the worker (finishes in-flight tasks).
        for name, proc in self.procs:
            if proc.poll() is None:
                say(f"stopping {name}")
                proc.send_signal(signal.SIGTERM)
        for _name, proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_ready(port: str, sup: Supervisor, timeout: float = 170) -> bool:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"Host": "localhost"})
    while time.monotonic() < deadline and not sup.stopping:
        if sup.failed():
            return False
        try:
            with urllib.request.urlopen(request, timeout=3) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    return False


def _banner(port: str, creds: dict[str, str]) -> None:
    lines = [
        "",
        "Secretaria está no ar.",
        f"  Admin da plataforma:  http://localhost:{port}/admin/",
        f"      e-mail: {creds['SECRETARIA_ADMIN_EMAIL']}",
        f"      senha:  {creds['SECRETARIA_ADMIN_PASSWORD']}",
        f"  Empresa demo:         http://demo.localhost:{port}/admin/",
        f"      e-mail: {creds['SECRETARIA_DEMO_EMAIL']}",
        f"      senha:  {creds['SECRETARIA_DEMO_PASSWORD']}",
        f"  API (docs):           http://demo.localhost:{port}/api/docs/",
        f"  Saúde:                http://localhost:{port}/readyz   métricas: /metrics",
        "  Ctrl-C para parar tudo.",
        "",
    ]
    print("\n".join(lines), flush=True)


def record_run_url(*, bind: str, port: str, pid: int) -> None:
    """Write where the web server listens to .data/run.json, for `manage.py chat` to find it.

    The reader (conversations/management/commands/chat.py) ignores the file once `pid` (the
    web server's) is gone, so a run killed before it could clean up misleads nobody.
    """
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(bind, bind)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    record = {"url": f"http://{host}:{port}", "pid": pid,
              "started_at": datetime.now(UTC).isoformat(timespec="seconds")}
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / RUN_FILE).write_text(json.dumps(record, indent=2))


def forget_run_url(*, pid: int) -> None:
    """Remove the run file, unless another `make run` of this checkout has written its own since."""
    path = DATA / RUN_FILE
    try:
        recorded = json.loads(path.read_text()).get("pid")
    except (OSError, ValueError):
        return
    if recorded == pid:
        path.unlink(missing_ok=True)


def run() -> int:
    port = os.environ.get("PORT", "8000")
    bind = os.environ.get("BIND_ADDRESS", "127.0.0.1")
    interrupted = []
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(1))
    signal.signal(signal.SIGTERM, lambda *_: interrupted.append(1))
    with data_services("run") as base_env:
        creds = local_credentials()
        env = django_env({**base_env, **creds})
        # Outgoing e-mail (quota alerts...) lands as files under .data/mail/ unless EMAIL_URL says otherwise.
        if not env.get("EMAIL_URL"):
            env["EMAIL_URL"] = f"filemail:///{DATA / 'mail'}"
            say(f"e-mail is written to files in {DATA / 'mail'}/ (set EMAIL_URL to send it)")
        _fresh_multiproc_dir(env, "prometheus")
        ensure_database(env["DATABASE_URL"])
        say("migrating the public and tenant schemas")
        manage(env, "migrate_schemas", "--shared", "-v", "0")
        manage(env, "migrate_schemas", "--tenant", "-v", "0")
        manage(env, "bootstrap")
        subprocess.run([PYTHON, "-m", "devstack.demo"], cwd=ROOT, env=env, check=True)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        sup = Supervisor(env)
        sup.start("web", [PYTHON, "-m", "gunicorn", "secretaria.wsgi:application",
                          "--config", "python:secretaria.gunicorn_conf",
                          "--bind", f"{bind}:{port}"])
        sup.start("worker", [PYTHON, "-m", "celery", "-A", "celery_app", "worker",
                             "--loglevel", "INFO", "--without-mingle", "--without-gossip"])
        sup.start("beat", [PYTHON, "-m", "celery", "-A", "celery_app", "beat", "--loglevel", "INFO"])
        web_pid = dict(sup.procs)["web"].pid
        record_run_url(bind=bind, port=port, pid=web_pid)
        try:
            if _wait_until_ready(port, sup):
                _banner(port, creds)
            while not interrupted and not sup.failed():
                time.sleep(0.5)
            if sup.failed() and not interrupted:
                say(f"process '{sup.failed()}' exited; stopping everything")
        finally:
            forget_run_url(pid=web_pid)
            sup.stop()
            say("stopped")
    return 0 if interrupted else 1


def test(pytest_args: list[str]) -> int:
    """`lint-imports` (the one-way layers, pyproject.toml), then the suite against real servers."""
    say("checking the import layers (lint-imports)")
    linted = subprocess.run([str(Path(PYTHON).with_name("lint-imports")), "--no-cache"], cwd=ROOT)
    if linted.returncode:
        say("lint-imports: a layer contract is broken (see above)")
        return linted.returncode
    tools = {tool.env_var: tool_ensure(tool, say) for tool in SUITE_TOOLS}
    if None in tools.values():
        return 1
    with data_services("test") as base_env:
        env = django_env(base_env)
        # Derived from the database, not random: secrets the suite stores encrypted stay readable when a
        # later run reuses that test database (`--reuse-db`); it protects nothing but test rows.
        env["SECRET_KEY"] = "test-" + hashlib.sha256(env["DATABASE_URL"].encode()).hexdigest()[:32]
        env.update(tools)  # CHROMIUM_PATH, PROMTOOL_PATH, AMTOOL_PATH, PGBOUNCER_PATH
        ensure_database(env["DATABASE_URL"])
        result = subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
    return result.returncode


def shell_command(args: list[str]) -> int:
    """Run a manage.py command against the local stack (`make manage ARGS=...`)."""
    with data_services("run") as base_env:
        env = django_env({**base_env, **local_credentials()})
        ensure_database(env["DATABASE_URL"])
        return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env).returncode


def backup_command(command: str, args: list[str]) -> int:
    """`make backup` / `make restore`: the manage.py command of that name against the local stack (the embedded
    PostgreSQL, or DATABASE_URL), with the backups under .data/backups unless BACKUP_DIR says otherwise."""
    os.environ.setdefault("BACKUP_DIR", str(DATA / "backups"))
    return shell_command([command, *args])
