"""One local server speaking, for "Testar conexão", each provider's format (docs/contracts/):

- Meta's Graph API: `GET /v21.0/{phone-number-id}` (meta.md §2.8) with the Bearer token, else #190;
- Whaticket's Send API: `POST /api/messages/send` (whaticket.md §1.6): 401 without the right token,
  400 for the empty number otherwise (what every family answers);
- an OpenAI-compatible server: `POST /v1/chat/completions` (llm.md §4.2), 401 `invalid_api_key`;
- Cal.com: `GET /v2/me` (calcom.md §3.8), 401 in Cal.com's error envelope.

Every request is recorded (`requests`), so a test can check nothing else was called.
"""

from __future__ import annotations

from tests.agenda.calcom_server import error_envelope
from tests.conversations.llm_payloads import openai_answer, openai_error
from tests.json_server import FakeServer, Recorded
from tests.templates.whatsapp.graph_server import error as graph_error

TOKEN = "segredo-do-provedor-123"
PHONE_NUMBER_ID = "1029384756"


class ProvidersServer(FakeServer):
    def __init__(self, *, token: str = TOKEN):
        self.token = token
        super().__init__()

    def reset(self) -> None:
        with self.lock:
            self.requests: list[Recorded] = []

    def handle(self, recorded: Recorded) -> tuple:
        with self.lock:
            self.requests.append(recorded)
        authorised = recorded.headers.get("authorization") == f"Bearer {self.token}"
        if recorded.path == f"/v21.0/{PHONE_NUMBER_ID}" and recorded.method == "GET":
            if not authorised:
                return 401, graph_error(190)
            return 200, {"display_phone_number": "+55 11 3000-1234", "verified_name": "Clínica Acme",
                         "id": PHONE_NUMBER_ID}
        if recorded.path == "/api/messages/send" and recorded.method == "POST":
            if not authorised:
                return 401, {"error": "Acesso não permitido"}
            return 400, {"error": "ERR_SYNTAX"}
        if recorded.path == "/v1/chat/completions" and recorded.method == "POST":
            if not authorised:
                return 401, openai_error("Incorrect API key provided", type="invalid_request_error",
                                         code="invalid_api_key")
            return 200, openai_answer("Olá! Aqui é a assistente da Acme, posso ajudar com horários e preços.",
                                      usage={"prompt_tokens": 120, "completion_tokens": 18, "total_tokens": 138})
        if recorded.path == "/v2/me" and recorded.method == "GET":
            if not authorised:
                return 401, error_envelope(401, recorded.path, "Invalid API key", code="UnauthorizedException")
            return 200, {"status": "success", "data": {"id": 7, "username": "acme", "email": "agenda@acme.test",
                                                       "name": "Clínica Acme", "timeZone": "America/Sao_Paulo"}}
        return 404, {"error": "not found"}

    def calls(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]
