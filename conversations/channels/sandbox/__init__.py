"""The built-in sandbox channel: no provider at all, for demos, tests and the chat simulator.

Inbound: `POST /webhook/sandbox/<secret>` with `{"from", "text"[, "id", "name"]}`.
Outbound: nothing leaves the machine; the outbound Message rows are the record,
and the simulator reads them back.
"""

import uuid
from datetime import UTC, datetime

from conversations.channels.base import InboundMessage, MessageKind, Option, SendResult
from secretaria.connection_check import ConnectionCheck, Outcome


class SandboxPayloadError(ValueError):
    pass


def parse_inbound(payload: dict) -> InboundMessage:
    sender = str(payload.get("from") or "").strip().lstrip("+")
    text = payload.get("text")
    if not sender.isdigit() or not 8 <= len(sender) <= 15:
        raise SandboxPayloadError("'from' deve ser um telefone só com dígitos (8 a 15).")
    if not isinstance(text, str) or not text.strip():
        raise SandboxPayloadError("'text' deve ser um texto não vazio.")
    return InboundMessage(
        provider="sandbox",
        provider_message_id=str(payload.get("id") or f"sbx-{uuid.uuid4().hex}")[:200],
        sender=sender,
        sender_name=str(payload.get("name") or "")[:120],
        kind=MessageKind.TEXT,
        text=text[:4096],
        timestamp=datetime.now(UTC),
        raw=payload,
    )


class SandboxClient:
    name = "sandbox"

    def send_text(self, *, to: str, body: str) -> SendResult:
        return SendResult(provider_message_id=f"sbx-out-{uuid.uuid4().hex}")

    def send_options(self, *, to: str, body: str, options: list[Option], button: str = "Ver opções") -> SendResult:
        return self.send_text(to=to, body=numbered(body, options))

    def check(self) -> ConnectionCheck:
        return ConnectionCheck(Outcome.OFFLINE, "o simulador não fala com nenhum provedor: nada sai desta máquina.")


def numbered(body: str, options: list[Option]) -> str:
    """Options as numbered lines, for channels without interactive messages."""
    lines = [f"{index} - {option.title}" for index, option in enumerate(options, start=1)]
    return "\n".join([body, "", *lines]) if body else "\n".join(lines)
