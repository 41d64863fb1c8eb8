"""A local OpenAI-compatible server for the evaluation: a real socket, the Chat Completions wire format.

It stands where Ollama or vLLM would (docs/contracts/llm.md §4.2): `POST <url>/chat/completions`
with a JSON body answers a valid `chat.completion` (one choice, `finish_reason: stop`, usage
counted from the text's words), and every body it received is kept, in order, for the evaluation
to inspect what the provider client really sent. Anything else is answered the way the API
answers a bad request (the §4.2 error object), so a client that drifts from the contract shows.

    with OpenAIFake() as server:
        ...configure the company with base_url=server.url...
        bodies = server.take()  # the request bodies received since the last take()
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What the fake model says: plain pt-BR, as a WhatsApp reply would be.
ANSWER = "Claro! Já te passo essas informações."
CHAT_PATH = "/v1/chat/completions"


class OpenAIFake:
    """A threaded HTTP/1.1 server on 127.0.0.1 (a free port) recording chat-completion bodies."""

    def __init__(self, *, answer: str = ANSWER):
        self.answer = answer
        self._bodies: list[dict] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"  # the base URL a company types
        self._thread = threading.Thread(target=self._server.serve_forever, name="openai-fake", daemon=True)
        self._thread.start()

    def __enter__(self) -> OpenAIFake:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self) -> list[dict]:
        """The bodies received since the last call, oldest first."""
        with self._lock:
            bodies, self._bodies = self._bodies, []
        return bodies

    def completion(self, body: dict) -> dict:
        """A `chat.completion` answering `body`, recorded first (the §4.2 response shape)."""
        with self._lock:
            self._bodies.append(body)
        prompt = sum(len(str(m.get("content") or "").split()) for m in body.get("messages") or ())
        completion = len(self.answer.split())
        return {
            "id": f"chatcmpl-eval{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": self.answer, "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        }


def _error(message: str, code: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}


def _handler_for(fake: OpenAIFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the shared httpx client expects
        # Headers and body leave in two writes: with Nagle on, the body waits for the client's
        # delayed ACK (~40 ms a request).
        disable_nagle_algorithm = True

        def do_POST(self):  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path.rstrip("/") != CHAT_PATH:
                return self._send(404, _error(f"Unknown path {self.path}", "unknown_url"))
            try:
                body = json.loads(raw)
            except ValueError:
                return self._send(400, _error("The body is not valid JSON.", "invalid_json"))
            if not isinstance(body, dict) or not body.get("model") or not isinstance(body.get("messages"), list):
                return self._send(400, _error("'model' and 'messages' are required.", "invalid_request"))
            return self._send(200, fake.completion(body))

        def _send(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # the evaluation prints its own report
            pass

    return Handler
