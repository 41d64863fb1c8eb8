"""Who gets the CPU first: the web server, whose quick 2xx the providers time us on.

Replies can wait a few milliseconds; a webhook acknowledged late is retried, and a
provider that sees many slow acks may stop delivering. So under CPU pressure the
worker runs at a lower priority than the web server, in three places:

- the worker process itself (its nice value, and the SCHED_IDLE policy: a waking web
  thread preempts it at once);
- its session, when the kernel schedules by autogroup (on by default on desktop and
  many server kernels): the CPU is then shared per session first, and a nice value
  only counts against processes of the same session. The dev stack, a container or
  a systemd unit each start the worker in a session of its own, where its nice value
  alone would change nothing;
- the PostgreSQL backends that serve it, when PostgreSQL runs on this machine: a
  reply's queries would otherwise compete with the webhook's at full priority.

CELERY_WORKER_NICE (default 19, the lowest) sets the value; 0 turns all of it off.
Everything here is best effort: without the permission, or on another kernel, the
worker simply runs at normal priority.
"""

import os
import socket
import sys

import structlog

log = structlog.get_logger(__name__)

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def worker_nice() -> int:
    return max(0, min(19, int(os.environ.get("CELERY_WORKER_NICE", "19"))))


_yielded = False


def worker_yield_cpu() -> None:
    """At worker start: lower this process, its session and its future database backends (once)."""
    global _yielded
    nice = worker_nice()
    if nice <= 0 or _yielded:
        return
    _yielded = True
    os.nice(nice)
    lower_autogroup(nice)
    _idle_policy()
    from django.db.backends.signals import connection_created

    connection_created.connect(_lower_backend, dispatch_uid="secretaria.priority.backend")


def is_celery_worker() -> bool:
    """This process is `celery ... worker` or `python -m celery ... worker` (not beat, not the web)."""
    return "worker" in sys.argv[1:] and "celery" in sys.argv[0]


def _idle_policy() -> None:
    """SCHED_IDLE: a web thread waking up takes the CPU from a worker thread at once, where a
    nice value only shortens the worker's turns. Inherited by the threads started after this
    (the reply and Celery pools); the worker still gets all the CPU nobody else wants."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux: the nice value is enough
        pass


def lower_autogroup(nice: int) -> None:
    """Lower this session's autogroup, only if this process leads the session: otherwise the
    session is shared with whatever started it (a shell, perhaps the web server)."""
    if os.getsid(0) != os.getpid():
        return
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(nice))
    except OSError:  # no autogroup support (not Linux, or disabled): the nice value is enough
        pass


def _lower_backend(sender, connection, **_kwargs) -> None:
    if connection.vendor != "postgresql" or connection.settings_dict.get("HOST", "") not in LOCAL_HOSTS:
        return
    pid = connection.connection.info.backend_pid
    if _is_our_backend(pid, connection.connection):
        try:
            os.setpriority(os.PRIO_PROCESS, pid, worker_nice())
        except OSError as exc:  # another user's server without the privilege: leave it
            log.debug("backend_priority_unchanged", pid=pid, error=str(exc))


def _is_our_backend(pid: int, pg_connection) -> bool:
    """The pid comes from the server; on this machine's process table it must be a
    PostgreSQL backend serving our very socket (a server in a container has its own pids)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            title = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    if not title.startswith("postgres:"):
        return False
    if "[local]" in title:
        return True
    with socket.socket(fileno=os.dup(pg_connection.pgconn.socket)) as ours:
        port = ours.getsockname()[1]
    return f"({port})" in title
