"""One burst of a contact's messages as the offline engine reads it: the context, each message's intent,
the intent that decides, the mood, and the company's facts to answer from. Shared by the engine's
composing (local.py) and its answers from the facts (answers.py)."""

from dataclasses import dataclass, field

from conversations.assistant.engine.context import EngineContext
from conversations.assistant.engine.intents import Intent
from conversations.assistant.engine.sentiment import Sentiment


@dataclass(frozen=True)
class Reading:
    """One burst being answered, with what was understood of it."""

    ctx: EngineContext
    texts: list[str]
    intents: list[Intent]  # one per text
    primary: Intent
    sentiment: Sentiment
    greeted: bool = False
    faqs: list = field(default_factory=list)  # the active knowledge items
    services: list = field(default_factory=list)  # the catalogue (CatalogueItem)

    @property
    def profile(self):
        return self.ctx.profile

    @property
    def facts(self) -> list:
        """FAQs and services, searched together so the best of either answers."""
        return [*self.faqs, *self.services]
