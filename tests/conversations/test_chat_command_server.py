"""`manage.py chat` finds the running `make run` by itself: the launcher records its web server's URL in
.data/run.json and the command reads it, over a real local HTTP server speaking the sandbox webhook."""

import io
import json
import os
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conversations.management.commands import chat
from devstack import launcher
from tests.json_server import FakeServer, Recorded

ANSWER = "Olá! Aqui é a secretaria."
PHONE = "5511912345678"


class SandboxServer(FakeServer):
    """The two sandbox endpoints `chat` uses: each message posted gets one reply, read back by `after`."""

    def __init__(self, secret: str):
        self.secret = secret
        super().__init__()

    def reset(self) -> None:
        with self.lock:
            self.requests: list[Recorded] = []
            self.replies: list[dict] = []

    def handle(self, recorded: Recorded) -> tuple:
        with self.lock:
            self.requests.append(recorded)
            if recorded.path != f"/webhook/sandbox/{self.secret}" + ("" if recorded.method == "POST" else "/replies"):
                return 404, {"detail": "Não encontrado."}
            if recorded.method == "POST":
                self.replies.append({"id": len(self.replies) + 1, "to": recorded.body["from"], "text": ANSWER,
                                     "created_at": "2026-12-06T12:00:00Z"})
                return 200, {"detail": "Recebida.", "status": "stored"}
            after, to = int(recorded.query.get("after", 0)), recorded.query["to"]
            return 200, {"replies": [{k: r[k] for k in ("id", "text", "created_at")}
                                     for r in self.replies if r["to"] == to and r["id"] > after]}

    def texts_from(self, phone: str) -> list[str]:
        return [r.body["text"] for r in self.requests if r.method == "POST" and r.body["from"] == phone]


@pytest.fixture
def server(sandbox_secret):
    server = SandboxServer(sandbox_secret)
    yield server
    server.shutdown()


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(chat, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(chat, "SETTLE_SECONDS", 0.0)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A checkout's .data/ of its own, and a PORT where nothing listens (so the default cannot be reached)."""
    monkeypatch.setenv("SECRETARIA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", str(free_port()))
    return tmp_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def write_run_file(data_dir: Path, *, url: str, pid: int) -> None:
    (data_dir / "run.json").write_text(json.dumps({"url": url, "pid": pid, "started_at": "2026-12-06T09:00:00+00:00"}))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("chat", "--tenant", "acme", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_without_url_chat_talks_to_the_server_make_run_recorded(server, data_dir, fast):
    write_run_file(data_dir, url=server.url, pid=os.getpid())

    output = run("--phone", PHONE, "--say", "oi")

    assert server.texts_from(PHONE) == ["oi"]
    assert {r.headers["host"] for r in server.requests} == {"acme.localhost"}
    assert f"em {server.url} como {PHONE}." in output.splitlines()[0]
    assert f"Ana> {ANSWER}" in output


def test_a_run_file_whose_server_is_gone_is_ignored_and_the_default_explained(server, data_dir):
    write_run_file(data_dir, url=server.url, pid=dead_pid())

    with pytest.raises(CommandError) as excinfo:
        run("--say", "oi")

    assert str(excinfo.value) == (f"Nenhum servidor em http://127.0.0.1:{os.environ['PORT']}: "
                                  "rode `make run` ou informe --url.")
    assert server.requests == []


@pytest.mark.parametrize("content", ["", "{not json", '{"url": "http://127.0.0.1:1"}', '{"url": 1, "pid": "x"}',
                                     '{"url": "http://127.0.0.1:1", "pid": 0}', "[]"])
def test_a_damaged_run_file_is_ignored(data_dir, content):
    (data_dir / "run.json").write_text(content)

    assert chat.running_server_url(data_dir / "run.json") is None
    assert chat.server_url(None) == f"http://127.0.0.1:{os.environ['PORT']}"


def test_url_wins_over_the_run_file(server, data_dir, fast):
    write_run_file(data_dir, url=f"http://127.0.0.1:{free_port()}", pid=os.getpid())

    run("--url", server.url + "/", "--phone", PHONE, "--say", "oi")

    assert server.texts_from(PHONE) == ["oi"]


def test_without_run_file_or_url_the_port_comes_from_the_port_variable(server, data_dir, monkeypatch, fast):
    monkeypatch.setenv("PORT", server.url.rsplit(":", 1)[1])

    run("--phone", PHONE, "--say", "oi")

    assert server.texts_from(PHONE) == ["oi"]


# --- the launcher's side of the contract ----------------------------------------------------

@pytest.fixture
def launcher_data(data_dir, monkeypatch) -> Path:
    monkeypatch.setattr(launcher, "DATA", data_dir)  # DATA is read from the environment at import
    return data_dir


@pytest.mark.parametrize(("bind", "url"), [("127.0.0.1", "http://127.0.0.1:8066"),
                                           ("0.0.0.0", "http://127.0.0.1:8066"),  # noqa: S104 - a bind, not ours
                                           ("::", "http://[::1]:8066"), ("::1", "http://[::1]:8066"),
                                           ("localhost", "http://localhost:8066")])
def test_what_the_launcher_records_is_what_chat_reads(launcher_data, bind, url):
    launcher.record_run_url(bind=bind, port="8066", pid=os.getpid())

    assert chat.running_server_url(chat.run_file_path()) == url
    assert set(json.loads((launcher_data / "run.json").read_text())) == {"url", "pid", "started_at"}


def test_the_launcher_removes_its_own_run_file_only(launcher_data):
    launcher.record_run_url(bind="127.0.0.1", port="8066", pid=os.getpid())

    launcher.forget_run_url(pid=dead_pid())  # an earlier run that failed to start must not remove ours
    assert (launcher_data / "run.json").exists()
    launcher.forget_run_url(pid=os.getpid())
    assert not (launcher_data / "run.json").exists()
    launcher.forget_run_url(pid=os.getpid())  # nothing left to remove: quiet
