"""Answers from the company's facts, offline: its FAQs, its services (prices, durations, who does
them), its business hours and payment terms.

Each answer is a (text, score, item) tuple: the words to send, how sure the search was (0..1) and
the knowledge item or service it came from (None for computed answers such as the hours or the
price list). local.py decides when to answer from the facts and wraps the answers in a reply.
Every question in a text is answered: one answer per concept asked ("quanto custa a limpeza e
aceita pix?" -> the price, then the payment), in the order that reads naturally.
"""

import re

from conversations.assistant.catalogue import services_named
from conversations.assistant.engine import hours, knowledge
from conversations.assistant.engine.intents import Intent, detect_intent
from conversations.assistant.engine.normalize import normalize
from conversations.assistant.engine.reading import Reading
from secretaria.ptbr import fold

Answer = tuple[str, float, object]
MAX_ANSWERS = 3  # answers in one reply: more reads as a wall of text

def service_in_talk(turn: Reading):
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


def price_aside(turn: Reading) -> str:
    """The price asked along with a booking, for the agenda's reply to keep (its slot list has none)."""
    text = " ".join(turn.texts)
    if "price" not in knowledge.concepts_in(text):
        return ""
    answer = _answer_on(turn, text, "price")
    return answer[0] if answer else ""


# Asked along with a booking ("tem vaga sábado? aceita cartão?"): answered before the booking's next step.
# Price and duration are in the booking prompt; "horário" there is a slot, not the business hours.
_SIDE_CONCEPTS = ("payment", "insurance", "address", "parking", "hours")


def side_answers(turn: Reading) -> str:
    found: list[str] = []
    for text in turn.texts:
        for part in sentences(text):
            concepts = knowledge.concepts_in(part)
            for concept in _SIDE_CONCEPTS:
                if concept == "hours" and detect_intent(part) != Intent.QUESTION:
                    continue  # "tem horário sábado?" asks for a slot; "abre sábado?" for the business hours
                if concept in concepts and (answer := _answer_on(turn, part, concept)) and answer[0] not in found:
                    found.append(answer[0])
    return "\n".join(found[:MAX_ANSWERS])


def policy(turn: Reading) -> str:
    match = knowledge.search(turn.faqs, "cancelar desmarcar remarcar")
    return knowledge.format_item(match.item) if match and str(match.item.kind) in ("policy", "faq") else ""


# The order in which several answers read naturally: what it is and costs, how to pay, where, when.
_ANSWER_ORDER = ("price", "duration", "who", "payment", "insurance", "address", "parking", "hours")
# Facts of the company (one FAQ each), answered on their own even when the text also names a service.
_FACT_CONCEPTS = ("payment", "insurance", "parking", "address")
_PAYMENT_METHODS = {r"\bpix\b": "Pix", r"\bboletos?\b": "boleto", r"\bdinheiro\b": "dinheiro",
                    r"\bcheques?\b": "cheque", r"\bdebito\b": "débito", r"\bcredito\b": "crédito", r"\bcart(ao"
                    r"|oes)\b": "cartão"}
_INSTALMENTS_ASKED = re.compile(r"\bparcel\w*|\bvezes\b|\b\d+ ?x\b")
_INSTALMENTS = re.compile(r"(?:em )?at[eé] \d+ ?x(?: sem juros)?|\d+ ?x(?: sem juros)?", re.I)


def sentences(text: str) -> list[str]:
    """'qto sai o botox? parcela em quantas vezes?' -> two questions."""
    parts = [p.strip() for p in re.split(r"(?<=\?)\s+", text) if p.strip()]
    return parts or [text]


def answers_for(turn: Reading, text: str) -> list[Answer]:
    """Every question in one text answered: one answer per concept asked ("quanto custa a limpeza e
    aceita pix?" -> the price, then the payment), else the best single answer."""
    concepts = knowledge.concepts_in(text)
    if len(concepts) > 1:
        answers = [a for c in _ANSWER_ORDER if c in concepts and (a := _answer_on(turn, text, c))]
        if answers:
            return answers
    single = _answer_for(turn, text)
    return [single] if single else []


def _answer_for(turn: Reading, text: str) -> Answer | None:
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


def _professional_answer(turn: Reading, text: str) -> Answer | None:
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


def _recommendation(turn: Reading, text: str) -> Answer | None:
    """"o que vocês têm pra mancha de sol?": the service whose words match the need, other words aside."""
    match = knowledge.search(turn.services, text, ignore_unknown=True)
    if not match or match.score < 0.5:
        return None
    return f"Para isso, indicamos: {knowledge.format_service(match.item)}", match.score, match.item


def _who_answer(turn: Reading, text: str) -> Answer | None:
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


def _answer_on(turn: Reading, text: str, concept: str) -> Answer | None:
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


def _all_known(turn: Reading, query) -> bool:
    """Every word asked about is one the base knows ("quanto custa o laser?" is not a price list)."""
    known: set[str] = set()
    for item in turn.facts:
        body = item.description if knowledge.is_service(item) else item.answer
        known |= knowledge.tokens(f"{knowledge.title_of(item)} {item.keywords or ''} {body or ''}")
    return knowledge.without_fillers(query.tokens, known) <= known


def _payment_answer(turn: Reading, text: str) -> Answer | None:
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


def _service_list(turn: Reading) -> str:
    names = [s.name for s in turn.services[:10]]
    return (f"Nossos serviços: {hours.join_words(names)}. Quer saber o valor de algum ou já deixar "
            "um horário marcado?")


def _hours_answer(turn: Reading, text: str, business_hours: dict) -> str:
    ctx = turn.ctx
    return hours.answer(business_hours, text, ctx.now, ctx.timezone,
                        holidays=getattr(turn.profile, "holidays", None), closed_days=ctx.closed_days,
                        opens_on_holidays=getattr(turn.profile, "opens_on_holidays", False))
