"""The vocabulary of a chat turn, and the registry of turn handlers.

`Intent` is every intent any app produces: the engine detects the first ones from the
text; turn handlers (the agenda's booking chat, and later LGPD self-service or feedback)
answer with these too, so every answer is counted under a known intent.

A turn handler is asked, after the offline engine has read the burst, whether the turn
is its business (an answer to a question it asked, "quero marcar..."). Handlers are
registered by the app that owns them, in its `AppConfig.ready()`:

    register_turn_handler(TurnHandler(name="agenda", answer=agenda_turn, priority=100))

and asked in priority order (lowest first); the first that returns a `TurnReply` answers.
None means "not mine": the engine's (or the LLM's) answer stands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from secretaria.registry import Registry


class Intent(StrEnum):
    GREETING = "greeting"
    QUESTION = "question"
    APPOINTMENT_REQUEST = "appointment_request"
    APPOINTMENT_RESCHEDULE = "appointment_reschedule"
    APPOINTMENT_CANCEL = "appointment_cancel"
    APPOINTMENT_CONFIRM = "appointment_confirm"  # "1" to a reminder, "sim" to a slot
    WAITLIST = "waitlist"  # joining, accepting or declining a freed slot
    FEEDBACK = "feedback"  # an answer to the post-visit follow-up
    HUMAN_REQUEST = "human_request"
    COMPLAINT = "complaint"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    LGPD_REQUEST = "lgpd_request"
    OTHER = "other"


# One option of a reply: (id, title, description); an interactive list where the channel has one.
Option = tuple[str, str, str]


@dataclass(frozen=True)
class Turn:
    """One burst of a contact's messages, as the engine understood it."""

    contact: object  # conversations.models.Contact
    conversation: object | None  # conversations.models.Conversation (None in some tools and tests)
    texts: tuple[str, ...]
    intent: Intent  # the engine's reading of the burst
    now: datetime
    handoff: bool = False  # the engine is handing over to a person: record, never answer
    # The catalogue service the engine read in this burst or, failing that, in the turns just before
    # ("quanto custa a limpeza?" ... "quero marcar então"); None when none was named.
    service_id: int | None = None

    @property
    def text(self) -> str:
        return " ".join(t.strip() for t in self.texts if t and t.strip())


@dataclass(frozen=True)
class TurnReply:
    """A handler's answer. `text` carries the options as numbered lines too; `body` is `text` without them."""

    text: str
    intent: Intent
    options: tuple[Option, ...] = field(default_factory=tuple)
    body: str = ""


@dataclass(frozen=True)
class TurnHandler:
    name: str
    answer: Callable[[Turn], TurnReply | None]
    priority: int = 100


_handlers: Registry[TurnHandler] = Registry(key=lambda h: h.name, order=lambda h: (h.priority, h.name))
register_turn_handler = _handlers.register  # add (or replace, by name) a turn handler
unregister_turn_handler = _handlers.unregister


def turn_handlers() -> list[TurnHandler]:
    """Registered handlers, lowest priority first."""
    return _handlers.all()
