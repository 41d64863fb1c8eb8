"""A channel kind that exists only in the tests ("eco"): the proof that a new channel plugs in
through the registry alone — a spec and one `register_channel(SPEC)` call, no edit elsewhere.

Its webhook body is `{"de": "<phone>", "texto": "...", "id": "..."}`; its client records what it
"sends" (as a provider's server would receive it).
"""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from conversations.channels.base import InboundMessage, MessageKind, Option, PermanentChannelError, SendResult
from conversations.channels.registry import Capabilities, ChannelSpec, ConfigField, Inbound
from conversations.channels.signing import secret_authenticates

SENT: list[dict] = []


class EchoClient:
    name = "eco"

    def __init__(self, endpoint: str, api_key: str):
        self.endpoint, self.api_key = endpoint, api_key

    def send_text(self, *, to: str, body: str) -> SendResult:
        if to.endswith("0000"):
            raise PermanentChannelError("número inexistente no eco", status=404)
        SENT.append({"endpoint": self.endpoint, "key": self.api_key, "to": to, "body": body})
        return SendResult(provider_message_id=f"eco-{uuid.uuid4().hex}")

    def send_options(self, *, to: str, body: str, options: list[Option], button: str = "Ver opções") -> SendResult:
        SENT.append({"endpoint": self.endpoint, "to": to, "body": body, "options": [o.title for o in options]})
        return SendResult(provider_message_id=f"eco-{uuid.uuid4().hex}")


def _parse(payload: dict) -> Inbound:
    phone, text = str(payload.get("de", "")), payload.get("texto")
    if not phone.isdigit() or not isinstance(text, str):
        raise ValueError("'de' (só dígitos) e 'texto' são obrigatórios")
    return Inbound(messages=[InboundMessage(
        provider="eco", provider_message_id=str(payload.get("id") or uuid.uuid4().hex), sender=phone,
        kind=MessageKind.TEXT, text=text, timestamp=datetime.now(UTC))])


def _client(values: Mapping[str, str]) -> EchoClient:
    return EchoClient(values["endpoint"], values["api_key"])


def _endpoint_problem(value: str) -> str | None:
    return None if value.startswith("https://") else "Use uma URL https://."


SPEC = ChannelSpec(
    kind="eco", label="Eco (só nos testes)",
    fields=(ConfigField("endpoint", "endereço", required=True, validate=_endpoint_problem),
            ConfigField("api_key", "chave", required=True, secret=True)),
    client=_client, parse=_parse, authenticate=secret_authenticates,
    capabilities=Capabilities(interactive=True),
)
