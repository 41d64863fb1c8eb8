"""What the engine reads and what it writes: plain data, so the engine never touches the database
(its fixed texts come through secretaria.texts, the company's template slots, cached per process).

The caller (the reply pipeline, the chat simulator, the replay tool) loads the company's
profile, knowledge base (FAQs) and catalogue of services and this contact's recent turns,
and passes them in. The context holds one contact's conversation only: nothing about
other customers can reach a reply or an LLM prompt, because it is never given to the engine.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from conversations.assistant.catalogue import CatalogueItem
from conversations.assistant.engine.hours import DEFAULT_TZ
from conversations.assistant.engine.intents import Intent
from conversations.assistant.engine.sentiment import NEUTRAL, Sentiment

HANDOFF_REASONS = ("human_request", "low_confidence", "negative_sentiment", "complaint", "lgpd_request")


@dataclass
class ProfileData:
    """Same attribute names as CompanyProfile: for tests, the simulator and companies without a profile row."""

    assistant_name: str = "Ana"
    formality: str = "neutral"  # "informal" | "neutral" | "formal"
    empathy: bool = True
    humour: bool = False
    emoji: bool = False
    business_hours: dict = field(default_factory=dict)
    out_of_hours_message: str = ""


@dataclass
class KnowledgeData:
    """Same attribute names as KnowledgeItem (services are CatalogueItems, not knowledge)."""

    title: str
    answer: str
    kind: str = "faq"
    keywords: str = ""
    is_active: bool = True
    id: int | None = None


@dataclass
class EngineContext:
    company_name: str
    profile: object = field(default_factory=ProfileData)  # CompanyProfile or ProfileData
    knowledge: list = field(default_factory=list)  # KnowledgeItem or KnowledgeData; inactive ones are skipped
    catalogue: list[CatalogueItem] = field(default_factory=list)  # the active services, prices and durations
    contact_name: str = ""
    contact_id: int | None = None  # seeds the choice of wordings (the name does when it is missing)
    texts: list[str] = field(default_factory=list)  # the customer's new messages in this burst, oldest first
    history: list[tuple[str, str]] = field(default_factory=list)  # ("user" | "assistant", text), oldest first
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # aware
    timezone: str = DEFAULT_TZ
    low_confidence_streak: int = 0  # previous bot answers in a row that were low-confidence
    # The company's closed days ahead, {date: pt-BR reason}: holidays and days off (assistant/closed_days.py);
    # None when the caller has no calendar (the engine then answers "abrem feriado?" with the hours alone).
    closed_days: dict[date, str] | None = None


@dataclass
class Draft:
    """The engine's reply and what the pipeline should do with it."""

    text: str
    intent: Intent
    sentiment: Sentiment = NEUTRAL
    confidence: float = 1.0  # 0..1; below 0.5 the reply is a fallback
    handoff: bool = False
    handoff_reason: str = ""  # "" or one of HANDOFF_REASONS
    summary: str = ""  # for the staff, when handing off
    knowledge_id: int | None = None  # the knowledge item the answer came from
    service_id: int | None = None  # the catalogue's service the answer came from
    injection: bool = False  # an injection attempt was refused; never send this turn to an LLM
    needs_llm: bool = False  # no good local answer: an LLM, if configured, should try
    # Choices offered with the text, (id, title, description): an interactive list where the channel has one.
    options: list[tuple[str, str, str]] = field(default_factory=list)
    options_body: str = ""  # the text without the numbered options, for the interactive message
    turn: str = ""  # the turn handler that answered (conversations/turns.py), "" for the engine or the LLM
    # Answers to the questions asked along with a booking ("quanto custa a limpeza e tem horário amanhã?"):
    # a turn handler that takes the booking keeps them above its own reply.
    aside: str = ""
    intents: list = field(default_factory=list)  # every intent read in the burst, in the order written
    # The text is the company's template slots alone (a greeting, thanks, a handoff notice): sent as rendered,
    # never reworded by a language model.
    fixed: bool = False
    greeting: str = ""  # the rendered `greeting` slot the text opens with: it stays when a model words the rest

    @property
    def low_confidence(self) -> bool:
        return self.confidence < 0.5
