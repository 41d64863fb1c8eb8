"""The offline engine: deterministic Portuguese replies from the company's profile, FAQs and services.

It needs no account anywhere, so a new company (and the demo) answers from the first
message. `compose` reads one burst of a contact's messages (customers type in fragments)
and decides, in this order: refuse an injection attempt; hand over for LGPD requests,
requests for a person, complaints and strong anger; give the next step for bookings;
answer from the FAQs, the catalogue of services or the business hours; greet, thank, say
goodbye; or fall back (low confidence, `needs_llm`), handing over when that happens twice
in a row. The answers from the company's facts are engine/answers.py's; this module wraps them
in a reply (greeting, tone, the name once, handoff notes).
"""

import re

from conversations.assistant.engine import answers, hours, knowledge, tone
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
from conversations.assistant.engine.reading import Reading
from conversations.assistant.engine.safety import SAFE_REFUSAL, detect_injection
from conversations.assistant.engine.sentiment import combine, detect_sentiment
from secretaria import texts as texts_
from secretaria.ptbr import fold

_APPOINTMENT = (Intent.APPOINTMENT_REQUEST, Intent.APPOINTMENT_RESCHEDULE, Intent.APPOINTMENT_CANCEL)
_SOCIAL = (Intent.GREETING, Intent.THANKS, Intent.GOODBYE)
_REASON_LABELS = {
    "human_request": "Cliente pediu para falar com uma pessoa",
    "low_confidence": "A assistente não soube responder duas vezes seguidas",
    "negative_sentiment": "Cliente insatisfeito(a)",
    "complaint": "Reclamação",
    "lgpd_request": "Pedido sobre dados pessoais (LGPD)",
}
_MOODS = {"negative": "negativo", "neutral": "neutro", "positive": "positivo"}


def compose(ctx: EngineContext) -> Draft:
    texts = [t.strip() for t in ctx.texts if t and t.strip()]
    if not texts:
        return Draft(texts_.text("media_unreadable", _names(ctx), contact_id=ctx.contact_id), Intent.OTHER,
                     confidence=0.3, fixed=True)
    sentiment = combine([detect_sentiment(t) for t in texts])
    if any(detect_injection(t) for t in texts):
        return Draft(tone.style(SAFE_REFUSAL, ctx.profile), Intent.OTHER, sentiment, injection=True)
    intents = [detect_intent(t) for t in texts]
    joined = detect_intent(" ".join(texts)) if len(texts) > 1 else intents[0]
    turn = Reading(ctx, texts, intents, primary_intent([*intents, joined]), sentiment,
                 any(_is_greeting(t) for t in texts), [i for i in ctx.knowledge if getattr(i, "is_active", True)],
                 list(ctx.catalogue))
    draft = _decide(turn)
    read = [i for t in texts for i in detect_intents(t)]
    draft.intents = list(dict.fromkeys([draft.intent, *read]))
    return draft


def _decide(turn: Reading) -> Draft:
    if turn.primary == Intent.LGPD_REQUEST:
        return _lgpd(turn)
    if turn.primary == Intent.HUMAN_REQUEST:
        return _handoff(turn, _say(turn, "handoff_notice"), "human_request", 0.95)
    if turn.primary == Intent.COMPLAINT or turn.sentiment.strong_negative:
        return _complaint(turn)
    if turn.primary in _APPOINTMENT:
        return _appointment(turn)
    if turn.primary in _AGENDA_ANSWERS:
        return _reply(turn, _AGENDA_ANSWERS[turn.primary], confidence=0.8)
    if draft := _information(turn):
        return draft
    if turn.primary == Intent.FEEDBACK and (turn.sentiment.label != "negative" or _good_score(turn)):
        return _reply(turn, tone.feedback_thanks(**_varied(turn)), confidence=0.85, fixed=True)
    if turn.primary in _SOCIAL:
        return _social(turn)
    if draft := _introduction(turn):
        return draft
    if all(_ACKNOWLEDGEMENT.match(normalize(t)) for t in turn.texts):
        if _offered_the_team(turn.ctx):  # "... ou, se preferir, chamo alguém da equipe." - "sim"
            return _handoff(turn, _say(turn, "handoff_notice"), "human_request", 0.95)
        return _reply(turn, tone.acknowledge(turn.profile, names=_names(turn.ctx), contact_id=turn.ctx.contact_id),
                      confidence=0.9, fixed=True)
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


def _good_score(turn: Reading) -> bool:
    """"dou 8, só achei que atrasou": a score of 7 or more is a good review with a remark, not a complaint
    ("não gostei" with no score gets empathy instead)."""
    scores = [int(n) for n in re.findall(r"\b(10|[0-9])\b", normalize(" ".join(turn.texts)))]
    return bool(scores) and max(scores) >= 7


def _introduction(turn: Reading) -> Draft | None:
    """'meu nome é Joana', 'é a Carla, a paciente da sexta', 'eu de novo kkk', 'queria saber': a welcome or
    a go-ahead, not a 'didn't understand'."""
    norm = normalize(" ".join(turn.texts))
    if match := _INTRODUCTION.match(norm):
        name = match.group(1).capitalize()
        return _reply(turn, tone.welcome_name(name, turn.profile, **_varied(turn)), confidence=0.85)
    if _LEAD_IN.match(norm):
        return _reply(turn, tone.go_ahead(names=_names(turn.ctx), contact_id=turn.ctx.contact_id), confidence=0.8)
    if _RETURNING.match(norm):
        return _reply(turn, tone.welcome_back(turn.profile, names=_names(turn.ctx), seed=_seed(turn),
                                              contact_id=turn.ctx.contact_id), confidence=0.85)
    return None


def _reply(turn: Reading, body: str, **fields) -> Draft:
    """Style the body to the profile and greet first when the customer greeted (the name said once)."""
    greeting = ""
    if turn.greeted:
        greeting = tone.greeting(turn.profile, turn.ctx.contact_name, turn.ctx.company_name, turn.ctx.now,
                                 turn.ctx.timezone, introduce=not _introduced(turn.ctx), seed=_seed(turn),
                                 avoid=_last_replies(turn), contact_id=turn.ctx.contact_id)
        if name := tone.first_name(turn.ctx.contact_name):
            body = re.sub(rf",? {re.escape(name)}\b", "", body, count=1) if name in greeting else body
    text = tone.style(body, turn.profile, turn.sentiment, add_emoji=not tone.has_emoji(greeting))
    if greeting:
        joint = " " if len(text) < 60 and "\n" not in text else "\n"
        text = f"{greeting}{joint}{text}"
    return Draft(text=text, intent=fields.pop("intent", turn.primary), sentiment=turn.sentiment, greeting=greeting,
                 **fields)


def _names(ctx: EngineContext) -> dict[str, str]:
    """What a company's wording of a slot may name: the contact (first name) and the company."""
    return {"nome": tone.first_name(ctx.contact_name), "empresa": ctx.company_name}


def _say(turn: Reading, slot: str, variables: dict | None = None) -> str:
    """The company's text for `slot` (secretaria/texts.py), for this contact."""
    return texts_.text(slot, {**_names(turn.ctx), **(variables or {})}, contact_id=turn.ctx.contact_id)


def _varied(turn: Reading) -> dict:
    """How a slot with alternatives is asked for this turn: by seed, never the last wording, for this contact."""
    return {"names": _names(turn.ctx), "seed": _seed(turn), "avoid": _last_replies(turn),
            "contact_id": turn.ctx.contact_id}


def _seed(turn: Reading) -> str:
    """The contact and how many replies they have had: a wording's choice is stable for tests and replays,
    and moves on with the conversation."""
    ctx = turn.ctx
    who = str(ctx.contact_id) if ctx.contact_id is not None else ctx.contact_name
    return f"{who}:{sum(1 for role, _text in ctx.history if role == 'assistant')}"


def _last_replies(turn: Reading) -> list[str]:
    """The contact's last reply from us (the context the pipeline keeps in Redis), without their name,
    so the next wording is another one."""
    last = [text for role, text in turn.ctx.history if role == "assistant"][-1:]
    name = tone.first_name(turn.ctx.contact_name)
    return [re.sub(rf",? {re.escape(name)}\b", "", text) if name else text for text in last]


def _introduced(ctx: EngineContext) -> bool:
    return any(role == "assistant" for role, _text in ctx.history)


def _handoff(turn: Reading, body: str, reason: str, confidence: float, **fields) -> Draft:
    note = _closed_note(turn)
    draft = _reply(turn, body, confidence=confidence, handoff=True, handoff_reason=reason,
                   summary=_summary(turn, reason), **fields)
    if note:
        draft.text = f"{draft.text}\n{note}"
    return draft


# The vague phrase a company's own out-of-hours message often uses, replaced by the real time.
_NEXT_HOURS = re.compile(r"(?:no|em nosso|no nosso) pr[óo]ximo (?:hor[áa]rio|per[íi]odo|dia)"
                         r" (?:de atendimento|[úu]til)", re.I)


def _closed_note(turn: Reading) -> str:
    """Out of business hours, the customer learns when a person will read them."""
    ctx, business_hours = turn.ctx, getattr(turn.profile, "business_hours", None) or {}
    if not business_hours or hours.is_open(business_hours, ctx.now, ctx.timezone, closed_days=ctx.closed_days):
        return ""
    custom = (getattr(turn.profile, "out_of_hours_message", "") or "").strip()
    opening = hours.next_opening(business_hours, ctx.now, ctx.timezone, closed_days=ctx.closed_days)
    if custom:  # the company's own message in its profile comes before the `out_of_hours` slot
        # "volta no próximo horário de atendimento" does not say when: we do, in its own words when it can.
        if opening and not re.search(r"\d", custom):
            when = hours.when(opening, ctx.now, ctx.timezone)
            said, found = _NEXT_HOURS.subn(when, custom, count=1)
            return said if found else f"{custom} Voltamos {when}."
        return custom
    if opening is None:
        return _say(turn, "out_of_hours_undated")
    return _say(turn, "out_of_hours", {"quando": hours.when(opening, ctx.now, ctx.timezone)})


def _summary(turn: Reading, reason: str) -> str:
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


def _lgpd(turn: Reading) -> Draft:
    erasure = re.search(r"\b(apag|exclu|delet|remov|esquec|anonimiz)\w*", fold(" ".join(turn.texts)))
    body = _say(turn, "lgpd_erasure_received" if erasure else "lgpd_access_received")
    return _handoff(turn, body, "lgpd_request", 0.95)


def _complaint(turn: Reading) -> Draft:
    reason = "complaint" if turn.primary == Intent.COMPLAINT else "negative_sentiment"
    body = tone.complaint(turn.profile, **_varied(turn))
    return _handoff(turn, body, reason, 0.9)


def _appointment(turn: Reading) -> Draft:
    """The next step of a booking; the agenda takes over from here when it is wired in."""
    service = answers.service_in_talk(turn)
    if turn.primary == Intent.APPOINTMENT_CANCEL:
        body = ("Entendi, você quer cancelar um horário. Pode me dizer o dia e o horário do agendamento? "
                "Assim eu já encaminho o cancelamento.")
    elif turn.primary == Intent.APPOINTMENT_RESCHEDULE:
        body = "Sem problemas, vamos remarcar! Qual novo dia e horário ficam melhores para você?"
    else:
        body = _booking_prompt(turn, service)
    if turn.primary != Intent.APPOINTMENT_REQUEST and (policy := answers.policy(turn)):
        body = f"{body}\n{policy}"
    extras = answers.side_answers(turn)
    if extras:
        body = f"{extras}\n{body}"
    aside = "\n".join(a for a in (answers.price_aside(turn), extras) if a)
    return _reply(turn, body, confidence=0.8, aside=aside, service_id=service.id if service else None)


def _booking_prompt(turn: Reading, service) -> str:
    if service is not None:
        details = " · ".join(d for d in (knowledge.format_price(service.price_cents),
                                         knowledge.format_duration(service.duration_minutes)) if d)
        named = f"{service.name} ({details})" if details else service.name
        return f"Vamos agendar: {named}! Qual dia e horário ficam melhores para você?"
    if turn.services:
        return "Vamos agendar! Qual serviço você deseja e qual dia e horário ficam melhores para você?"
    return "Vamos agendar! Qual dia e horário ficam melhores para você?"


def _information(turn: Reading) -> Draft | None:
    """Answers from the knowledge base (or the business hours) to every question in the burst."""
    asked = [t for t, i in zip(turn.texts, turn.intents, strict=True)
             if (i in (Intent.QUESTION, Intent.OTHER) or "?" in t) and not is_out_of_scope(t)]
    found = [a for t in asked for part in answers.sentences(t) for a in answers.answers_for(turn, part)]
    if not found and len(asked) > 1:
        found = answers.answers_for(turn, " ".join(asked))
    unique: list[tuple[str, float, object]] = []
    for answer in found:
        if all(answer[0] != seen[0] for seen in unique):
            unique.append(answer)
    if not unique:
        return None
    unique = unique[:answers.MAX_ANSWERS]
    best = max(score for _text, score, _item in unique)
    item = next((i for _t, _s, i in unique if i is not None and i is not answers.NOT_OFFERED), None)
    intent = Intent.OTHER if all(i is answers.NOT_OFFERED for _t, _s, i in unique) else Intent.QUESTION
    return _reply(turn, "\n".join(text for text, _s, _i in unique), intent=intent,
                  confidence=round(min(0.95, 0.5 + best / 2), 3), **_source(item))


def _source(item) -> dict:
    """Where the answer came from: a knowledge item or a service (their ids are of different tables)."""
    if item is None:
        return {}
    key = "service_id" if knowledge.is_service(item) else "knowledge_id"
    return {key: knowledge.item_id(item)}


def _social(turn: Reading) -> Draft:
    """Thanks, a goodbye or a greeting: the company's texts, sent as they are (fixed)."""
    who = {"names": _names(turn.ctx), "contact_id": turn.ctx.contact_id}
    if turn.primary == Intent.THANKS:
        return _reply(turn, tone.thanks_reply(turn.profile, **who), confidence=0.9, fixed=True)
    if turn.primary == Intent.GOODBYE:
        return _reply(turn, tone.sign_off(turn.profile, turn.ctx.now, turn.ctx.timezone, **who), confidence=0.9,
                      fixed=True)
    return _reply(turn, tone.offer_help(turn.profile, **_varied(turn)), confidence=0.95, fixed=True)


def _fallback(turn: Reading) -> Draft:
    """No good answer: offer what we can help with; the second time in a row, call the team.
    Either way an LLM, if configured, may try first (needs_llm)."""
    if turn.ctx.low_confidence_streak >= 1:
        return _handoff(turn, _say(turn, "handoff_unsure"), "low_confidence", 0.3, needs_llm=True)
    body = tone.fallback(upset=turn.sentiment.label == "negative", **_varied(turn))
    # A question nothing of the company's answers is about something else ("vocês vendem pizza?").
    intent = Intent.OTHER if turn.primary == Intent.QUESTION else turn.primary
    return _reply(turn, body, confidence=0.3, needs_llm=True, intent=intent)
