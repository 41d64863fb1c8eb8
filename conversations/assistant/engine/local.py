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

from conversations.assistant.catalogue import services_named
from conversations.assistant.engine import hours, knowledge, tone
from conversations.assistant.engine.context import Draft, EngineContext
from conversations.assistant.engine.data import intents_ptbr as cues
from conversations.assistant.engine.intents import (
    Intent,
    detect_intent,
    detect_intents,
    is_out_of_scope,
    primary_intent,
)
from conversations.assistant.engine.intents import is_greeting as _is_greeting
from conversations.assistant.engine.normalize import normalize
from conversations.assistant.engine.safety import SAFE_REFUSAL, detect_injection
from conversations.assistant.engine.sentiment import Sentiment, combine, detect_sentiment
from secretaria.ptbr import fold

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
    draft = _decide(turn)
    read = [i for t in texts for i in detect_intents(t)]
    draft.intents = list(dict.fromkeys([draft.intent, *read]))
    return draft


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
    if turn.primary in _AGENDA_ANSWERS:
        return _reply(turn, _AGENDA_ANSWERS[turn.primary], confidence=0.8)
    if draft := _information(turn):
        return draft
    if turn.primary == Intent.FEEDBACK and (turn.sentiment.label != "negative" or _good_score(turn)):
        return _reply(turn, tone.feedback_thanks(seed=_seed(turn), avoid=_last_replies(turn)), confidence=0.85)
    if turn.primary in _SOCIAL:
        return _social(turn)
    if draft := _introduction(turn):
        return draft
    if all(_ACKNOWLEDGEMENT.match(normalize(t)) for t in turn.texts):
        if _offered_the_team(turn.ctx):  # "... ou, se preferir, chamo alguém da equipe." - "sim"
            return _handoff(turn, "Claro! Já avisei a nossa equipe; uma pessoa vai continuar o atendimento por aqui.",
                            "human_request", 0.95)
        return _reply(turn, tone.acknowledge(turn.profile), confidence=0.9)
    return _fallback(turn)


def _offered_the_team(ctx: EngineContext) -> bool:
    last = next((text for role, text in reversed(ctx.history) if role == "assistant"), "")
    return "chamo alguém da" in last or "chamo alguem da" in last


# "sim", "ok", "beleza", "👍" on their own: the customer agrees with what was just said (an agenda
# question would have taken the turn before the engine). Not a "didn't understand".
_ACKNOWLEDGEMENT = re.compile(cues.ACKNOWLEDGEMENT)
_INTRODUCTION = re.compile(cues.INTRODUCTION)
_RETURNING = re.compile(cues.RETURNING)
_LEAD_IN = re.compile(cues.LEAD_IN)
# Without the agenda wired in (or with nothing of the customer's to act on), the next step in words.
_AGENDA_ANSWERS = {
    Intent.APPOINTMENT_CONFIRM: "Obrigada por confirmar! Se precisar remarcar ou cancelar, é só me dizer por aqui.",
    Intent.WAITLIST: ("Posso ver os horários livres e, se não houver nenhum, deixar você na lista de espera para "
                      "avisar assim que vagar. Qual serviço e qual dia você prefere?"),
}


def _good_score(turn: _Turn) -> bool:
    """"dou 8, só achei que atrasou": a score of 7 or more is a good review with a remark, not a complaint
    ("não gostei" with no score gets empathy instead)."""
    scores = [int(n) for n in re.findall(r"\b(10|[0-9])\b", normalize(" ".join(turn.texts)))]
    return bool(scores) and max(scores) >= 7


def _introduction(turn: _Turn) -> Draft | None:
    """'meu nome é Joana', 'é a Carla, a paciente da sexta', 'eu de novo kkk', 'queria saber': a welcome or
    a go-ahead, not a 'didn't understand'."""
    norm = normalize(" ".join(turn.texts))
    if match := _INTRODUCTION.match(norm):
        name = match.group(1).capitalize()
        return _reply(turn, tone.welcome_name(name, turn.profile, seed=_seed(turn), avoid=_last_replies(turn)),
                      confidence=0.85)
    if _LEAD_IN.match(norm):
        return _reply(turn, "Claro, pode perguntar! Estou aqui para ajudar.", confidence=0.8)
    if _RETURNING.match(norm):
        return _reply(turn, f"Que bom ter você de volta! {tone.offer_help(turn.profile, seed=_seed(turn))}",
                      confidence=0.85)
    return None


def _reply(turn: _Turn, body: str, **fields) -> Draft:
    """Style the body to the profile and greet first when the customer greeted (the name said once)."""
    greeting = ""
    if turn.greeted:
        greeting = tone.greeting(turn.profile, turn.ctx.contact_name, turn.ctx.company_name, turn.ctx.now,
                                 turn.ctx.timezone, introduce=not _introduced(turn.ctx), seed=_seed(turn),
                                 avoid=_last_replies(turn))
        if name := tone.first_name(turn.ctx.contact_name):
            body = re.sub(rf",? {re.escape(name)}\b", "", body, count=1) if name in greeting else body
    text = tone.style(body, turn.profile, turn.sentiment, add_emoji=not tone.has_emoji(greeting))
    if greeting:
        joint = " " if len(text) < 60 and "\n" not in text else "\n"
        text = f"{greeting}{joint}{text}"
    return Draft(text=text, intent=fields.pop("intent", turn.primary), sentiment=turn.sentiment, **fields)


def _seed(turn: _Turn) -> str:
    """The contact and how many replies they have had: a wording's choice is stable for tests and replays,
    and moves on with the conversation."""
    ctx = turn.ctx
    who = str(ctx.contact_id) if ctx.contact_id is not None else ctx.contact_name
    return f"{who}:{sum(1 for role, _text in ctx.history if role == 'assistant')}"


def _last_replies(turn: _Turn) -> list[str]:
    """The contact's last reply from us (the context the pipeline keeps in Redis), without their name,
    so the next wording is another one."""
    last = [text for role, text in turn.ctx.history if role == "assistant"][-1:]
    name = tone.first_name(turn.ctx.contact_name)
    return [re.sub(rf",? {re.escape(name)}\b", "", text) if name else text for text in last]


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
    if not business_hours or hours.is_open(business_hours, ctx.now, ctx.timezone, closed_days=ctx.closed_days):
        return ""
    custom = (getattr(turn.profile, "out_of_hours_message", "") or "").strip()
    opening = hours.next_opening(business_hours, ctx.now, ctx.timezone, closed_days=ctx.closed_days)
    if custom:
        # "volta no próximo horário de atendimento" does not say when: we do.
        if opening and not re.search(r"\d", custom):
            return f"{custom} Voltamos {hours.when(opening, ctx.now, ctx.timezone)}."
        return custom
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
    body = tone.complaint(turn.profile, who=turn.who, seed=_seed(turn), avoid=_last_replies(turn))
    return _handoff(turn, body, reason, 0.9)


def _appointment(turn: _Turn) -> Draft:
    """The next step of a booking; the agenda takes over from here when it is wired in."""
    service = _service_in_talk(turn)
    if turn.primary == Intent.APPOINTMENT_CANCEL:
        body = ("Entendi, você quer cancelar um horário. Pode me dizer o dia e o horário do agendamento? "
                "Assim eu já encaminho o cancelamento.")
    elif turn.primary == Intent.APPOINTMENT_RESCHEDULE:
        body = "Sem problemas, vamos remarcar! Qual novo dia e horário ficam melhores para você?"
    else:
        body = _booking_prompt(turn, service)
    if turn.primary != Intent.APPOINTMENT_REQUEST and (policy := _policy(turn)):
        body = f"{body}\n{policy}"
    extras = _side_answers(turn)
    if extras:
        body = f"{extras}\n{body}"
    aside = "\n".join(a for a in (_price_aside(turn), extras) if a)
    return _reply(turn, body, confidence=0.8, aside=aside, service_id=service.id if service else None)


def _service_in_talk(turn: _Turn):
    """The service this booking is for: named now, or in the customer's last turns or our last answer
    ("quanto custa a limpeza?" -> price -> "quero marcar então")."""
    match = knowledge.search(turn.services, " ".join(turn.texts), ignore_unknown=True)
    if match and match.score >= 0.5:
        return match.item
    recent = [text for _role, text in turn.ctx.history[-3:]]
    for text in reversed(recent):
        if len(named := services_named(turn.services, text)) == 1:
            return named[0]
    return None


def _price_aside(turn: _Turn) -> str:
    """The price asked along with a booking, for the agenda's reply to keep (its slot list has none)."""
    text = " ".join(turn.texts)
    if "price" not in knowledge.concepts_in(text):
        return ""
    answer = _answer_on(turn, text, "price")
    return answer[0] if answer else ""


# Asked along with a booking ("tem vaga sábado? aceita cartão?"): answered before the booking's next step.
# Price and duration are in the booking prompt; "horário" there is a slot, not the business hours.
_SIDE_CONCEPTS = ("payment", "insurance", "address", "parking", "hours")


def _side_answers(turn: _Turn) -> str:
    found: list[str] = []
    for text in turn.texts:
        for part in _sentences(text):
            concepts = knowledge.concepts_in(part)
            for concept in _SIDE_CONCEPTS:
                if concept == "hours" and detect_intent(part) != Intent.QUESTION:
                    continue  # "tem horário sábado?" asks for a slot; "abre sábado?" for the business hours
                if concept in concepts and (answer := _answer_on(turn, part, concept)) and answer[0] not in found:
                    found.append(answer[0])
    return "\n".join(found[:_MAX_ANSWERS])


def _booking_prompt(turn: _Turn, service) -> str:
    if service is not None:
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
             if (i in (Intent.QUESTION, Intent.OTHER) or "?" in t) and not is_out_of_scope(t)]
    found = [a for t in asked for part in _sentences(t) for a in _answers_for(turn, part)]
    if not found and len(asked) > 1:
        found = _answers_for(turn, " ".join(asked))
    unique: list[tuple[str, float, object]] = []
    for answer in found:
        if all(answer[0] != seen[0] for seen in unique):
            unique.append(answer)
    if not unique:
        return None
    unique = unique[:_MAX_ANSWERS]
    best = max(score for _text, score, _item in unique)
    item = next((i for _t, _s, i in unique if i is not None and i is not NOT_OFFERED), None)
    intent = Intent.OTHER if all(i is NOT_OFFERED for _t, _s, i in unique) else Intent.QUESTION
    return _reply(turn, "\n".join(text for text, _s, _i in unique), intent=intent,
                  confidence=round(min(0.95, 0.5 + best / 2), 3), **_source(item))


def _source(item) -> dict:
    """Where the answer came from: a knowledge item or a service (their ids are of different tables)."""
    if item is None:
        return {}
    key = "service_id" if knowledge.is_service(item) else "knowledge_id"
    return {key: knowledge.item_id(item)}


# The order in which several answers read naturally: what it is and costs, how to pay, where, when.
_ANSWER_ORDER = ("price", "duration", "who", "payment", "insurance", "address", "parking", "hours")
# Facts of the company (one FAQ each), answered on their own even when the text also names a service.
_FACT_CONCEPTS = ("payment", "insurance", "parking", "address")
_PAYMENT_METHODS = {r"\bpix\b": "Pix", r"\bboletos?\b": "boleto", r"\bdinheiro\b": "dinheiro", r"\bcheques?\b": "cheque",
                    r"\bdebito\b": "débito", r"\bcredito\b": "crédito", r"\bcart(ao|oes)\b": "cartão"}
_INSTALMENTS_ASKED = re.compile(r"\bparcel\w*|\bvezes\b|\b\d+ ?x\b")
_INSTALMENTS = re.compile(r"(?:em )?at[eé] \d+ ?x(?: sem juros)?|\d+ ?x(?: sem juros)?", re.I)


def _sentences(text: str) -> list[str]:
    """'qto sai o botox? parcela em quantas vezes?' -> two questions."""
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text) if p.strip()]
    return parts or [text]


def _answers_for(turn: _Turn, text: str) -> list[tuple[str, float, object]]:
    """Every question in one text answered: one answer per concept asked ("quanto custa a limpeza e
    aceita pix?" -> the price, then the payment), else the best single answer."""
    concepts = knowledge.concepts_in(text)
    if len(concepts) > 1:
        answers = [a for c in _ANSWER_ORDER if c in concepts and (a := _answer_on(turn, text, c))]
        if answers:
            return answers
    single = _answer_for(turn, text)
    return [single] if single else []


def _answer_for(turn: _Turn, text: str) -> tuple[str, float, object] | None:
    query = knowledge.parse_query(text)
    if "price" in query.concepts and len(services_named(turn.services, text)) > 1:
        return _answer_on(turn, text, "price")
    if "recommend" in query.concepts and (answer := _recommendation(turn, text)):
        return answer
    if "who" in query.concepts and (answer := _who_answer(turn, text)):
        return answer
    match = knowledge.search(turn.facts, text)
    business_hours = getattr(turn.profile, "business_hours", None) or {}
    # A match that speaks to none of the concepts asked loses to them ("até que horas fica aberto?" is the
    # hours, though "fica" is a word of the address).
    off_topic = not match or not (_concepts_of(match.item) & query.concepts)
    if "services" in query.concepts and off_topic and turn.services and not services_named(turn.services, text):
        return _service_list(turn), 0.8, None
    if "hours" in query.concepts and business_hours and (off_topic or knowledge.kind_of(match.item) == "hours"):
        return _hours_answer(turn, text, business_hours), 0.8, None
    for concept in _FACT_CONCEPTS:
        # "da pra parcelar o botox?", "o convênio cobre limpeza?": the fact asked about, not the service named.
        if concept in query.concepts and (not match or knowledge.is_service(match.item)
                                          or concept in _concepts_of(match.item)):
            if answer := _answer_on(turn, text, concept):
                return answer
    if "price" in query.concepts and match and not knowledge.is_service(match.item):
        # "e particular, quanto é a consulta?": a price asked is a service's, even when a FAQ shares words.
        service = knowledge.search(turn.services, text, ignore_unknown=True)
        if service and service.score >= 0.5:
            match = service
        elif "R$" not in (match.item.answer or "") and turn.services:
            # "se não, quanto é particular?": a price with no service named is the price list.
            return f"Estes são os nossos valores:\n{knowledge.price_list(turn.services)}", 0.7, None
    if match:
        return knowledge.format_item(match.item), match.score, match.item
    if "price" in query.concepts and _all_known(turn, query) and (prices := knowledge.price_list(turn.services)):
        return f"Estes são os nossos valores:\n{prices}", 0.7, None
    if query.concepts == {"services"} and turn.services:
        return _service_list(turn), 0.8, None
    if _OFFER_ASKED.search(normalize(text)) and turn.services:
        # "vocês fazem depilação a laser?" and it is not ours: say so, and what we do (out of scope).
        return f"Esse serviço não está na nossa lista. {_service_list(turn)}", 0.6, NOT_OFFERED
    return None


# The answer "not one of our services": a helpful reply, but the question was out of scope.
NOT_OFFERED = object()
_OFFER_ASKED = re.compile(r"\b(voces )?(fazem|faz|oferecem|realizam|aplicam|trabalham com|tem servico de) \w+")


def _professional_answer(turn: _Turn, text: str) -> tuple[str, float, object] | None:
    """A professional named by first name ("a dra Marina faz botox?"): the services she does."""
    words = set(re.findall(r"[a-z]+", normalize(text)))
    team = dict.fromkeys(name for s in turn.services for name in s.professionals)
    named = [name for name in team if (first := _first_name(name)) and first in words]
    if len(named) != 1:
        return None
    does = [s.name for s in turn.services if named[0] in s.professionals]
    asked = services_named(turn.services, text)
    if asked and asked[0].name not in does:
        who = hours.join_words(list(asked[0].professionals)) or "outra pessoa da equipe"
        return (f"{named[0]} não faz {asked[0].name}; quem faz é {who}. {named[0]} atende: "
                f"{hours.join_words(does)}.", 0.85, asked[0])
    return f"{named[0]} atende: {hours.join_words(does)}.", 0.85, None


def _first_name(name: str) -> str:
    """'Dra. Marina Costa' -> 'marina'; 'Juliana (esteticista)' -> 'juliana'."""
    words = [w for w in re.findall(r"[a-z]+", fold(name)) if w not in ("dra", "dr", "doutora", "doutor")]
    return words[0] if words else ""


def _recommendation(turn: _Turn, text: str) -> tuple[str, float, object] | None:
    """"o que vocês têm pra mancha de sol?": the service whose words match the need, other words aside."""
    match = knowledge.search(turn.services, text, ignore_unknown=True)
    if not match or match.score < 0.5:
        return None
    return f"Para isso, indicamos: {knowledge.format_service(match.item)}", match.score, match.item


def _who_answer(turn: _Turn, text: str) -> tuple[str, float, object] | None:
    """"quem faz a limpeza?": the service's professionals; "a Juliana é médica?": what she does; with
    nothing named, the whole team."""
    if answer := _professional_answer(turn, text):
        return answer
    named = services_named(turn.services, text)
    match = knowledge.search(turn.services, text, ignore_unknown=True)
    service = named[0] if len(named) == 1 else (match.item if match and match.score >= 0.5 else None)
    if service is not None and service.professionals:
        return f"{service.name}: com {hours.join_words(list(service.professionals))}.", 0.85, service
    team = list(dict.fromkeys(name for s in turn.services for name in s.professionals))
    return (f"Nossa equipe: {hours.join_words(team)}.", 0.7, None) if team and not match else None


def _answer_on(turn: _Turn, text: str, concept: str) -> tuple[str, float, object] | None:
    """The answer to one concept of a text that asks several things."""
    if concept == "price" and len(named := services_named(turn.services, text)) > 1:
        # "qual o preço da limpeza e do peeling?": each service named, in one list.
        return "\n".join(f"• {knowledge.format_service(s)}" for s in named), 0.85, named[0]
    if concept in ("price", "duration"):
        match = knowledge.search(turn.services, text)
        if match and match.score >= 0.5:
            return knowledge.format_item(match.item), match.score, match.item
        # "quanto custa o estacionamento?" asks the parking's price, not our price list.
        about_else = knowledge.concepts_in(text) & {"parking", "insurance", "address"}
        if concept == "price" and not about_else and _all_known(turn, knowledge.parse_query(text)) and turn.services:
            return f"Estes são os nossos valores:\n{knowledge.price_list(turn.services)}", 0.7, None
        return None
    if concept == "payment":
        return _payment_answer(turn, text)
    if concept == "who":
        return _who_answer(turn, text)
    business_hours = getattr(turn.profile, "business_hours", None) or {}
    if concept == "hours" and business_hours:
        return _hours_answer(turn, text, business_hours), 0.8, None
    candidates = [item for item in turn.faqs if concept in _concepts_of(item)]
    if not candidates:
        return None
    match = knowledge.search(candidates, text)
    item = match.item if match else candidates[0]
    return knowledge.format_item(item), match.score if match else 0.7, item


def _concepts_of(item) -> set[str]:
    kind = knowledge.kind_of(item)
    implied = {kind} if kind in ("address", "hours") else set()
    return knowledge.concepts_in(f"{knowledge.title_of(item)}, {item.keywords or ''}") | implied


def _all_known(turn: _Turn, query) -> bool:
    """Every word asked about is one the base knows ("quanto custa o laser?" is not a price list)."""
    known: set[str] = set()
    for item in turn.facts:
        body = item.description if knowledge.is_service(item) else item.answer
        known |= knowledge.tokens(f"{knowledge.title_of(item)} {item.keywords or ''} {body or ''}")
    return knowledge.without_fillers(query.tokens, known) <= known


def _payment_answer(turn: _Turn, text: str) -> tuple[str, float, object] | None:
    """On the point asked: instalments ("parcela em quantas vezes?"), one method ("aceita boleto?"), or all."""
    item = next((i for i in turn.faqs if "payment" in _concepts_of(i)), None)
    if item is None:
        return None
    said, norm, known = (item.answer or "").strip(), fold(text), fold(item.answer or "")
    if _INSTALMENTS_ASKED.search(norm):
        if terms := _INSTALMENTS.search(said):
            terms_text = terms.group(0)
            body = f"Sim, dá para parcelar {terms_text if terms_text.startswith('em ') else 'em ' + terms_text}."
        elif "parcel" in known:
            body = f"Sim, parcelamos. {said}"
        else:
            body = f"O parcelamento não aparece nas nossas formas de pagamento. {said}"
        return body, 0.9, item
    asked = [label for pattern, label in _PAYMENT_METHODS.items() if re.search(pattern, norm)]
    if not asked:
        return said, 0.9, item
    accepted = [label for label in asked if re.search(rf"\b{fold(label)}", known)
                or (label == "cartão" and re.search(r"\bcart(ao|oes)\b", known))]
    refused = [label for label in asked if label not in accepted]
    if not refused:
        return f"Sim, aceitamos {_accepted_clauses(said, accepted)}.", 0.9, item
    head = f"Sim, aceitamos {hours.join_words(accepted)}, mas " if accepted else ""
    missing = f"{hours.join_words(refused)} não {'está' if len(refused) == 1 else 'estão'} entre as formas " \
              f"de pagamento que aceitamos"
    missing = missing if head else missing[0].upper() + missing[1:]
    return f"{head}{missing}. {said}", 0.85, item


def _accepted_clauses(said: str, methods: list[str]) -> str:
    """The words of the knowledge item about the methods asked: 'cartão' -> 'cartões de débito e crédito
    (até 3x sem juros)', so the customer gets the detail without the whole list."""
    clauses = [re.sub(r"^(aceitamos|aceita|e)\s+", "", c.strip(), flags=re.I)
               for c in re.split(r",\s*|;\s*|\s+e\s+(?=(?:pix|dinheiro|boleto|cart|transfer))", said.rstrip(". "),
                                 flags=re.I)]
    found: list[str] = []
    for method in methods:
        pattern = r"\bcart(ao|oes)\b" if method == "cartão" else rf"\b{fold(method)}"
        clause = next((c for c in clauses if re.search(pattern, fold(c))), method)
        if clause not in found:
            found.append(clause)
    return hours.join_words(found)


def _service_list(turn: _Turn) -> str:
    names = [s.name for s in turn.services[:10]]
    return (f"Nossos serviços: {hours.join_words(names)}. Quer saber o valor de algum ou já deixar "
            "um horário marcado?")


def _hours_answer(turn: _Turn, text: str, business_hours: dict) -> str:
    ctx = turn.ctx
    return hours.answer(business_hours, text, ctx.now, ctx.timezone,
                        holidays=getattr(turn.profile, "holidays", None), closed_days=ctx.closed_days,
                        opens_on_holidays=getattr(turn.profile, "opens_on_holidays", False))


def _social(turn: _Turn) -> Draft:
    if turn.primary == Intent.THANKS:
        return _reply(turn, tone.thanks_reply(turn.profile), confidence=0.9)
    if turn.primary == Intent.GOODBYE:
        return _reply(turn, tone.sign_off(turn.profile, turn.ctx.now, turn.ctx.timezone), confidence=0.9)
    return _reply(turn, tone.offer_help(turn.profile, seed=_seed(turn), avoid=_last_replies(turn)),
                  confidence=0.95)


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
        body = tone.fallback(who=turn.who, seed=_seed(turn), avoid=_last_replies(turn))
    # A question nothing of the company's answers is about something else ("vocês vendem pizza?").
    intent = Intent.OTHER if turn.primary == Intent.QUESTION else turn.primary
    return _reply(turn, body, confidence=0.3, needs_llm=True, intent=intent)
