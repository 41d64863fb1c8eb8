"""How the inbox shows a message: who said it, in which words (no codes), and whether it left."""

from dataclasses import dataclass
from datetime import datetime

from conversations.core.labels import KINDS, OUTREACH
from conversations.core.models import Contact, Message, Outbox


@dataclass(frozen=True)
class Bubble:
    id: int
    who: str  # "customer" (left), "bot" or "staff" (right)
    author: str
    text: str
    kind: str  # what a message that is not text was ("Imagem"...), "" for text
    at: datetime
    failed: bool = False  # a send that gave up (it is in the failure queue), as of the page's rendering


def bubble(message: Message, contact: Contact) -> Bubble:
    kind = "" if message.kind == "text" else KINDS.get(message.kind, "Mensagem")
    if message.direction == Message.Direction.IN:
        return Bubble(message.pk, "customer", contact.name or "Cliente", message.text, kind, message.created_at)
    outbox: Outbox | None = getattr(message, "outbox", None)
    failed = outbox is not None and outbox.state == Outbox.State.FAILED
    return Bubble(message.pk, "staff" if message.sent_by else "bot", _author(message), message.text, kind,
                  message.created_at, failed=failed)


def _author(message: Message) -> str:
    if message.sent_by:
        return f"Equipe · {message.sent_by}"
    outreach = (message.payload or {}).get("outreach", "")
    if outreach:
        return f"Assistente · envio automático ({OUTREACH.get(outreach, 'aviso')})"
    return "Assistente"
