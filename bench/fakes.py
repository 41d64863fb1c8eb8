"""Local fake servers for the benchmark: an OpenAI-compatible LLM and the Whaticket Send API.

Both are plain asyncio HTTP/1.1 servers (stdlib streams, keep-alive, Content-Length or
chunked bodies): no dependency beyond the standard library, and one event loop holds
thousands of concurrent connections, so the fakes are never the bottleneck being measured.

Run as a process of its own (so its CPU does not compete with the load generator's GIL):

    python -m bench.fakes --llm-port 8101 --channel-port 8102 --ready-file /tmp/fakes.json

Fake LLM  POST /v1/chat/completions  answers after `--llm-delay` seconds (default 0.3) with a
          realistic chat.completion body including `usage`; GET /stats.
Channel   POST /api/messages/send  records {number, body} and the arrival time (Unix seconds);
          GET /stats (counts per number, duplicates; ?brief=1: the total only),
          GET /records?since=N, POST /reset.

Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
IDLE_TIMEOUT = 30.0  # seconds a keep-alive connection may stay silent
MAX_HEADER_LINES = 100
MAX_BODY = 1024 * 1024
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
           411: "Length Required", 413: "Payload Too Large", 500: "Internal Server Error"}


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    keep_alive: bool

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query)

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int = 200
    body: object = field(default_factory=dict)  # JSON-serialised

    def encode(self, keep_alive: bool) -> bytes:
        payload = json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        head = (
            f"HTTP/1.1 {self.status} {REASONS.get(self.status, 'Unknown')}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        )
        return head.encode("latin-1") + payload


class BadRequest(Exception):
    pass


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """One request from a keep-alive connection; None when the peer closed it cleanly."""
    line = await reader.readline()
    if not line:
        return None
    try:
        method, target, version = line.decode("latin-1").strip().split(" ", 2)
    except ValueError as exc:
        raise BadRequest("bad request line") from exc
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise BadRequest("too many headers")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY:
            raise BadRequest("body too large")
        body = await reader.readexactly(length) if length else b""
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    return Request(method=method.upper(), target=target, headers=headers, body=body, keep_alive=keep_alive)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks, total = [], 0
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        total += size
        if total > MAX_BODY:
            raise BadRequest("body too large")
        chunks.append(await reader.readexactly(size))
        await reader.readline()


class HttpServer:
    """A tiny keep-alive HTTP/1.1 server calling `handler(request) -> Response`."""

    def __init__(self, handler, port: int):
        self.handler = handler
        self.port = port
        self.server: asyncio.AbstractServer | None = None
        self.connections = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, HOST, self.port, backlog=2048, reuse_address=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    request = await asyncio.wait_for(read_request(reader), IDLE_TIMEOUT)
                except BadRequest as exc:
                    writer.write(Response(400, {"error": str(exc)}).encode(keep_alive=False))
                    await writer.drain()
                    return
                if request is None:
                    return
                try:
                    response = await self.handler(request)
                except Exception as exc:  # noqa: BLE001 - a fake must answer, not die
                    response = Response(500, {"error": f"{type(exc).__name__}: {exc}"})
                writer.write(response.encode(keep_alive=request.keep_alive))
                await writer.drain()
                if not request.keep_alive:
                    return
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            self.connections -= 1
            writer.close()

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


class FakeLLM:
    """OpenAI-compatible chat completions answering after a fixed delay."""

    def __init__(self, delay: float):
        self.delay = delay
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0

    async def __call__(self, request: Request) -> Response:
        if request.path == "/stats":
            return Response(200, {"calls": self.calls, "in_flight": self.in_flight,
                                  "max_in_flight": self.max_in_flight, "delay": self.delay})
        if request.path == "/reset" and request.method == "POST":
            self.calls = self.max_in_flight = 0
            return Response(200, {"ok": True})
        if request.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            return Response(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        if request.method != "POST":
            return Response(405, {"error": {"message": "use POST"}})
        payload = request.json()
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        return Response(200, completion(payload if isinstance(payload, dict) else {}))


def completion(payload: dict) -> dict:
    """A chat.completion body shaped like OpenAI's, with token usage estimated from the text."""
    messages = payload.get("messages") or []
    prompt_text = " ".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))
    last = next((str(m.get("content") or "") for m in reversed(messages)
                 if isinstance(m, dict) and m.get("role") == "user"), "")
    answer = ("Olá! Obrigada pela mensagem. Posso ajudar com informações sobre nossos serviços, "
              "horários e agendamentos. " + ("Sobre o que você perguntou: vou verificar e já te respondo."
                                             if "?" in last else "Como posso ajudar hoje?"))
    prompt_tokens = max(1, len(prompt_text) // 4)
    completion_tokens = max(1, len(answer) // 4)
    return {
        "id": "chatcmpl-" + uuid.uuid4().hex[:24],
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(payload.get("model") or "bench-fake"),
        "system_fingerprint": "fp_bench",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": answer, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


class FakeChannel:
    """The Whaticket Send API: records every message sent, with its arrival time."""

    DUPLICATE_WINDOW = 5.0  # same number and body within this many seconds: a likely duplicate

    def __init__(self, token: str, delay: float):
        self.token = token
        self.delay = delay
        self.records: list[tuple[str, str, float]] = []
        self.unauthorized = 0

    async def __call__(self, request: Request) -> Response:
        if request.path == "/stats":
            if request.query.get("brief"):
                return Response(200, {"total": len(self.records), "unauthorized": self.unauthorized})
            return Response(200, self.stats())
        if request.path == "/records":
            since = int((request.query.get("since") or ["0"])[0])
            return Response(200, {"records": self.records[since:], "next": len(self.records)})
        if request.path == "/reset" and request.method == "POST":
            self.records.clear()
            self.unauthorized = 0
            return Response(200, {"ok": True})
        if request.path != "/api/messages/send":
            return Response(404, {"error": "ERR_NOT_FOUND"})
        if request.method != "POST":
            return Response(405, {"error": "ERR_METHOD"})
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            self.unauthorized += 1
            return Response(401, {"error": "ERR_SESSION_EXPIRED"})
        payload = request.json()
        if not isinstance(payload, dict) or not payload.get("number") or not payload.get("body"):
            return Response(400, {"error": "ERR_INVALID_NUMBER"})
        if self.delay:
            await asyncio.sleep(self.delay)
        # Recorded when the answer is about to leave: a crash of the sender after this
        # point is exactly the "provider said 200, we never committed" window.
        self.records.append((str(payload["number"]), str(payload["body"]), time.time()))
        return Response(200, {"mensagem": "Mensagem enviada"})

    def stats(self) -> dict:
        per_number = Counter(number for number, _, _ in self.records)
        last_seen: dict[tuple[str, str], float] = {}
        duplicates = 0
        for number, body, at in self.records:
            previous = last_seen.get((number, body))
            if previous is not None and at - previous < self.DUPLICATE_WINDOW:
                duplicates += 1
            last_seen[(number, body)] = at
        return {"total": len(self.records), "numbers": len(per_number), "per_number": dict(per_number),
                "duplicates_within_window": duplicates, "unauthorized": self.unauthorized}


async def serve(*, llm_port: int, channel_port: int, llm_delay: float, send_delay: float, token: str,
                ready_file: str | None, max_seconds: float) -> None:
    llm, channel = FakeLLM(llm_delay), FakeChannel(token, send_delay)
    servers = [HttpServer(llm, llm_port), HttpServer(channel, channel_port)]
    for server in servers:
        await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready_file:
        tmp = ready_file + ".tmp"
        with open(tmp, "w") as handle:
            json.dump({"llm": f"http://{HOST}:{llm_port}", "channel": f"http://{HOST}:{channel_port}",
                       "pid": os.getpid()}, handle)
        os.replace(tmp, ready_file)
    # Bounded: the fakes never outlive a forgotten bench by more than `max_seconds`.
    try:
        await asyncio.wait_for(stop.wait(), timeout=max_seconds)
    except TimeoutError:
        pass
    for server in servers:
        await server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake LLM and Whaticket servers for the benchmark")
    parser.add_argument("--llm-port", type=int, default=8101)
    parser.add_argument("--channel-port", type=int, default=8102)
    parser.add_argument("--llm-delay", type=float, default=0.3, help="seconds before the LLM answers")
    parser.add_argument("--send-delay", type=float, default=0.0, help="seconds before the channel answers")
    parser.add_argument("--token", default="", help="Bearer token the channel requires (empty: any)")
    parser.add_argument("--ready-file", default=None)
    parser.add_argument("--max-seconds", type=float, default=6 * 3600)
    args = parser.parse_args(argv)
    asyncio.run(serve(llm_port=args.llm_port, channel_port=args.channel_port, llm_delay=args.llm_delay,
                      send_delay=args.send_delay, token=args.token, ready_file=args.ready_file,
                      max_seconds=args.max_seconds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
