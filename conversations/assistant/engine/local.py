"""The offline engine: deterministic Portuguese replies from the company's profile, FAQs and services.

It needs no account anywhere, so a new company (and the demo) answers from the first
message. `compose` reads one burst of a contact's messages (customers type in fragments)
and decides, in this order: refuse an injection attempt; hand over for LGPD requests,
requests for a person, complaints and strong anger; give the next step for bookings;
answer from the FAQs, the catalogue of services or the business hours; greet, thank, say
goodbye; or fall back (low confidence, `needs_llm`), handing over when that happens twice
in a row.
"""

import re
from dataclasses import dataclass, field

from conversations.assistant.engine import hours, knowledge, tone
from conversations.assistant.engine.context import Draft, EngineContext
from conversations.assistant.engine.intents import Intent, detect_intent, primary_intent
from conversations.assistant.engine.intents import is_greeting as _is_greeting
from conversations.assistant.engine.safety import SAFE_REFUSAL, detect_injection
from conversations.assistant.engine.sentiment import Sentiment, combine, detect_sentiment
from secretaria.ptbr import WEEKDAY_NUMBERS, fold

_APPOINTMENT = (Intent.APPOINTMENT_REQUEST, Intent.APPOINTMENT_RESCHEDULE, Intent.APPOINTMENT_CANCEL)
_SOCIAL = (Intent.GREETING, Intent.THANKS, Intent.GOODBYE)
_MAX_ANSWERS = 3
_REASON_LABELS = {
    "human_request": "Cliente pediu para falar com uma pessoa",
    "low_confidence": "A assistente não soube responder duas vezes seguidas",
    "negative_sentiment": "Cliente insatisfeito(a)",
    "complaint": "Reclamação",
    "lgpd_request": "Pedido sobre dados pessoais (LGPD)",
}
_MOODS = {"negative": "negativo", "neutral": "neutro", "positive": "positivo"}


@dataclass(frozen=True)
class _Turn:
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
    def who(self) -> str:
        name = tone.first_name(self.ctx.contact_name)
        return f", {name}" if name else ""

    @property
    def facts(self) -> list:
        """FAQs and services, searched together so the best of either answers."""
        return [*self.faqs, *self.services]


def compose(ctx: EngineContext) -> Draft:
    texts = [t.strip() for t in ctx.texts if t and t.strip()]
    if not texts:
        return Draft("Recebi sua mensagem! Por aqui eu consigo ler apenas texto — pode me escrever o que "
                     "você precisa?", Intent.OTHER, confidence=0.3)
    sentiment = combine([detect_sentiment(t) for t in texts])
    if any(detect_injection(t) for t in texts):
        return Draft(tone.style(SAFE_REFUSAL, ctx.profile), Intent.OTHER, sentiment, injection=True)
    intents = [detect_intent(t) for t in texts]
    joined = detect_intent(" ".join(texts)) if len(texts) > 1 else intents[0]
    turn = _Turn(ctx, texts, intents, primary_intent([*intents, joined]), sentiment,
                 any(_is_greeting(t) for t in texts), [i for i in ctx.knowledge if getattr(i, "is_active", True)],
                 list(ctx.catalogue))
    return _decide(turn)


def _decide(turn: _Turn) -> Draft:
    if turn.primary == Intent.LGPD_REQUEST:
        return _lgpd(turn)
    if turn.primary == Intent.HUMAN_REQUEST:
        return _handoff(turn, "Claro! Já avisei a nossa equipe; uma pessoa vai continuar o atendimento por aqui.",
                        "human_request", 0.95)
    if turn.primary == Intent.COMPLAINT or turn.sentiment.strong_negative:
        return _complaint(turn)
    if turn.primary in _APPOINTMENT:
        return _appointment(turn)
    if draft := _information(turn):
        return draft
    if turn.primary in _SOCIAL:
        return _social(turn)
    if all(_ACKNOWLEDGEMENT.match(fold(t)) for t in turn.texts):
        if _offered_the_team(turn.ctx):  # "... ou, se preferir, chamo alguém da equipe." - "sim"
            return _handoff(turn, "Claro! Já avisei a nossa equipe; uma pessoa vai continuar o atendimento por aqui.",
                            "human_request", 0.95)
        return _reply(turn, tone.acknowledge(turn.profile), confidence=0.9)
    return _fallback(turn)


def _offered_the_team(ctx: EngineContext) -> bool:
    last = next((text for role, text in reversed(ctx.history) if role == "assistant"), "")
    return "chamo alguém da" in last or "chamo alguem da" in last


# "sim", "ok", "beleza", "combinado" on their own: the customer agrees with what was just said
# (an agenda question would have taken the turn before the engine). Not a "didn't understand".
_ACKNOWLEDGEMENT = re.compile(
    r"^(?:sim|s|ok|okay|oks|ta|ta bom|ta certo|certo|beleza|blz|combinado|perfeito|otimo|show|joia|entendi"
    r"|entendido|fechado|pode ser|isso|isso mesmo|claro|com certeza|ah ta|uhum|aham)[\s!.,👍🙂😊]*$")


def _reply(turn: _Turn, body: str, **fields) -> Draft:
    """Style the body to the profile and greet first when the customer greeted."""
    greeting = ""
    if turn.greeted:
        greeting = tone.greeting(turn.profile, turn.ctx.contact_name, turn.ctx.company_name, turn.ctx.now,
                                 turn.ctx.timezone, introduce=not _introduced(turn.ctx))
    text = tone.style(body, turn.profile, turn.sentiment, add_emoji=not tone.has_emoji(greeting))
    if greeting:
        joint = " " if len(text) < 60 and "\n" not in text else "\n"
        text = f"{greeting}{joint}{text}"
    return Draft(text=text, intent=fields.pop("intent", turn.primary), sentiment=turn.sentiment, **fields)


def _introduced(ctx: EngineContext) -> bool:
    return any(role == "assistant" for role, _text in ctx.history)


def _handoff(turn: _Turn, body: str, reason: str, confidence: float, **fields) -> Draft:
    note = _closed_note(turn)
    draft = _reply(turn, body, confidence=confidence, handoff=True, handoff_reason=reason,
                   summary=_summary(turn, reason), **fields)
    if note:
        draft.text = f"{draft.text}\n{note}"
    return draft


def _closed_note(turn: _Turn) -> str:
    """Out of business hours, the customer learns when a person will read them."""
    ctx, business_hours = turn.ctx, getattr(turn.profile, "business_hours", None) or {}
    if not business_hours or hours.is_open(business_hours, ctx.now, ctx.timezone):
        return ""
    custom = (getattr(turn.profile, "out_of_hours_message", "") or "").strip()
    if custom:
        return custom
    opening = hours.next_opening(business_hours, ctx.now, ctx.timezone)
    back = (f"Nossa equipe volta {hours.when(opening, ctx.now, ctx.timezone)} e continua a conversa por aqui."
            if opening else "Nossa equipe responde assim que possível.")
    return f"No momento estamos fora do horário de atendimento. {back}"


def _summary(turn: _Turn, reason: str) -> str:
    """A few lines for the staff: why, who, the mood and what the customer wrote."""
    name = tone.first_name(turn.ctx.contact_name) or "Cliente"
    said = " / ".join(f"“{_clip(t)}”" for t in turn.texts[-3:])
    earlier = [text for role, text in turn.ctx.history if role == "user"][-1:]
    before = f" Antes: “{_clip(earlier[0])}”." if earlier else ""
    mood = _MOODS[turn.sentiment.label]
    return f"{_REASON_LABELS[reason]}. {name} (sentimento {mood}) escreveu: {said}.{before}"


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lgpd(turn: _Turn) -> Draft:
    if re.search(r"\b(apag|exclu|delet|remov|esquec|anonimiz)\w*", fold(" ".join(turn.texts))):
        body = ("Recebi seu pedido para apagar os seus dados pessoais. O pedido foi registrado e a nossa "
                "equipe vai confirmar com você por aqui antes de concluir, como prevê a LGPD.")
    else:
        body = ("Recebi seu pedido sobre os seus dados pessoais. O pedido foi registrado e a nossa equipe vai "
                "confirmar com você por aqui e enviar uma cópia dos dados, como prevê a LGPD.")
    return _handoff(turn, body, "lgpd_request", 0.95)


def _complaint(turn: _Turn) -> Draft:
    reason = "complaint" if turn.primary == Intent.COMPLAINT else "negative_sentiment"
    opener = "Lamentamos muito pelo ocorrido" if tone.formality(turn.profile) == tone.FORMAL \
        else f"Sinto muito pelo que aconteceu{turn.who}"
    body = (f"{opener}. Já passei a sua mensagem para a nossa equipe, que vai falar com você por aqui "
            "o quanto antes.")
    return _handoff(turn, body, reason, 0.9)


def _appointment(turn: _Turn) -> Draft:
    """The next step of a booking; the agenda takes over from here when it is wired in."""
    if turn.primary == Intent.APPOINTMENT_CANCEL:
        body = ("Entendi, você quer cancelar um horário. Pode me dizer o dia e o horário do agendamento? "
                "Assim eu já encaminho o cancelamento.")
    elif turn.primary == Intent.APPOINTMENT_RESCHEDULE:
        body = "Sem problemas, vamos remarcar! Qual novo dia e horário ficam melhores para você?"
    else:
        body = _booking_prompt(turn)
    if turn.primary != Intent.APPOINTMENT_REQUEST and (policy := _policy(turn)):
        body = f"{body}\n{policy}"
    return _reply(turn, body, confidence=0.8)


def _booking_prompt(turn: _Turn) -> str:
    match = knowledge.search(turn.services, " ".join(turn.texts), ignore_unknown=True)
    if match and match.score >= 0.5:
        service = match.item
        details = " · ".join(d for d in (knowledge.format_price(service.price_cents),
                                         knowledge.format_duration(service.duration_minutes)) if d)
        named = f"{service.name} ({details})" if details else service.name
        return f"Vamos agendar: {named}! Qual dia e horário ficam melhores para você?"
    if turn.services:
        return "Vamos agendar! Qual serviço você deseja e qual dia e horário ficam melhores para você?"
    return "Vamos agendar! Qual dia e horário ficam melhores para você?"


def _policy(turn: _Turn) -> str:
    match = knowledge.search(turn.faqs, "cancelar desmarcar remarcar")
    return knowledge.format_item(match.item) if match and str(match.item.kind) in ("policy", "faq") else ""


def _information(turn: _Turn) -> Draft | None:
    """Answers from the knowledge base (or the business hours) to every question in the burst."""
    asked = [t for t, i in zip(turn.texts, turn.intents, strict=True)
             if i in (Intent.QUESTION, Intent.OTHER) or "?" in t]
    found = [a for a in (_answer_for(turn, t) for t in asked) if a]
    if not found and len(asked) > 1:
        found = [a for a in [_answer_for(turn, " ".join(asked))] if a]
    unique: list[tuple[str, float, object]] = []
    for answer in found:
        if all(answer[0] != seen[0] for seen in unique):
            unique.append(answer)
    if not unique:
        return None
    unique = unique[:_MAX_ANSWERS]
    best = max(score for _text, score, _item in unique)
    item = next((i for _t, _s, i in unique if i is not None), None)
    return _reply(turn, "\n".join(text for text, _s, _i in unique), intent=Intent.QUESTION,
                  confidence=round(min(0.95, 0.5 + best / 2), 3), **_source(item))


def _source(item) -> dict:
    """Where the answer came from: a knowledge item or a service (their ids are of different tables)."""
    if item is None:
        return {}
    key = "service_id" if knowledge.is_service(item) else "knowledge_id"
    return {key: knowledge.item_id(item)}


def _answer_for(turn: _Turn, text: str) -> tuple[str, float, object] | None:
    match = knowledge.search(turn.facts, text)
    if match:
        return knowledge.format_item(match.item), match.score, match.item
    query = knowledge.parse_query(text)
    business_hours = getattr(turn.profile, "business_hours", None) or {}
    if "hours" in query.concepts and business_hours:
        return _hours_answer(turn, text, business_hours), 0.8, None
    if "price" in query.concepts and not query.tokens and (prices := knowledge.price_list(turn.services)):
        return f"Estes são os nossos valores:\n{prices}", 0.7, None
    return None


def _hours_answer(turn: _Turn, text: str, business_hours: dict) -> str:
    ctx, norm = turn.ctx, fold(text)
    day = next((d for name, d in WEEKDAY_NUMBERS.items() if re.search(rf"\b{name}", norm)), None)
    if day is not None:
        answer = f"Nosso horário — {hours.describe_day(business_hours, day)}."
    else:
        answer = f"Nosso horário de atendimento: {hours.describe(business_hours)}."
    if not hours.is_open(business_hours, ctx.now, ctx.timezone):
        opening = hours.next_opening(business_hours, ctx.now, ctx.timezone)
        if opening:
            answer += f" No momento estamos fechados; voltamos {hours.when(opening, ctx.now, ctx.timezone)}."
    return answer


def _social(turn: _Turn) -> Draft:
    if turn.primary == Intent.THANKS:
        return _reply(turn, tone.thanks_reply(turn.profile), confidence=0.9)
    if turn.primary == Intent.GOODBYE:
        return _reply(turn, tone.sign_off(turn.profile, turn.ctx.now, turn.ctx.timezone), confidence=0.9)
    return _reply(turn, tone.offer_help(turn.profile), confidence=0.95)


def _fallback(turn: _Turn) -> Draft:
    """No good answer: offer what we can help with; the second time in a row, call the team.
    Either way an LLM, if configured, may try first (needs_llm)."""
    if turn.ctx.low_confidence_streak >= 1:
        body = ("Para não deixar você sem resposta, vou chamar alguém da nossa equipe, que continua o "
                "atendimento por aqui.")
        return _handoff(turn, body, "low_confidence", 0.3, needs_llm=True)
    if turn.sentiment.label == "negative":
        body = (f"Sinto muito por isso{turn.who}. Pode me contar um pouco mais do que aconteceu? Se preferir, "
                "chamo alguém da nossa equipe para falar com você.")
    else:
        body = (f"Desculpe{turn.who}, não encontrei essa informação por aqui. Posso ajudar com nossos serviços, "
                "valores, horários, endereço e agendamentos — ou, se preferir, chamo alguém da equipe.")
    return _reply(turn, body, confidence=0.3, needs_llm=True)
