"""The answer to the panel's "Testar conexão": does a provider accept the company's saved settings?

Each integration (the WhatsApp providers, the language models, Cal.com) makes one small,
harmless, authenticated call and answers with a `ConnectionCheck`, so the panel says every one of
them in the same words: working, invalid credentials, server unreachable, or refused (with the
provider's own detail). A detail never carries a credential: providers build it from status codes,
error codes and their own messages, as their exceptions already do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    OFFLINE = "offline"  # nothing to call (the offline engine, the sandbox, the built-in calendar)
    CREDENTIALS = "credentials"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


HEADLINES = {
    Outcome.OK: "Conexão funcionando",
    Outcome.OFFLINE: "Nada a testar",
    Outcome.CREDENTIALS: "Credenciais inválidas",
    Outcome.UNREACHABLE: "Servidor inacessível",
    Outcome.REFUSED: "O provedor recusou o pedido",
}
CREDENTIAL_STATUSES = frozenset({401, 403, 498})  # 498: Cal.com's expired token
_DETAIL_LIMIT = 300


@dataclass(frozen=True)
class ConnectionCheck:
    outcome: Outcome
    detail: str = ""  # pt-BR, for staff: what answered, or what went wrong

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.OK, Outcome.OFFLINE)

    @property
    def headline(self) -> str:
        return HEADLINES[self.outcome]

    def message(self) -> str:
        """"Credenciais inválidas: Meta HTTP 401 (#190) ..." — the one line the panel shows."""
        return f"{self.headline}: {self.detail}" if self.detail else self.headline

    @classmethod
    def no_answer(cls, *, where: str, error: BaseException) -> ConnectionCheck:
        """Nothing came back (refused connection, timeout, unknown host): names the address and the
        kind of failure, which is what staff can act on."""
        cause = error.__cause__ or error
        return cls(Outcome.UNREACHABLE, f"sem resposta de {where} ({type(cause).__name__})")

    @classmethod
    def failed(cls, *, status: int | None, detail: str) -> ConnectionCheck:
        """A failed call classified by its HTTP status: no status (no answer at all), 5xx, 408 and 429
        mean the server could not be used now; 401/403 the credentials; any other 4xx a refusal."""
        detail = detail[:_DETAIL_LIMIT]
        if status is None or status >= 500 or status in (408, 429):
            return cls(Outcome.UNREACHABLE, detail)
        if status in CREDENTIAL_STATUSES:
            return cls(Outcome.CREDENTIALS, detail)
        return cls(Outcome.REFUSED, detail)
