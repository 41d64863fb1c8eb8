"""Finding the company's answer to a customer's question, offline: its FAQs and its services.

Items are FAQs (any object with the KnowledgeItem attribute names) and services (the
catalogue's CatalogueItems, conversations/assistant/catalogue.py), ranked together by
accent-insensitive overlap of light-stemmed words with their title (a service's name),
keywords and answer (a service's description), weighted by rarity across them. Common
asks are recognised as concepts ("quanto custa" -> price, "onde fica" -> address) that
match an item by its kind or keywords, so "onde fica?" finds the address with no word in
common. A price asked for must name something the company knows: "quanto custa o laser?"
finds nothing rather than another service's price. The caller loads the items (no queries here).

Both sides are normalised (engine/normalize.py: "vc", "qto", stretched letters), and a word of
the question that no item uses is corrected to the nearest word the items do use when it is
close enough ("limpesa" -> "limpeza", "pelling" -> "peeling"; normalize.COMPANY_CUTOFF).
"""

import math
import re
from dataclasses import dataclass

from conversations.assistant.catalogue import CatalogueItem
from conversations.assistant.engine.data.questions_ptbr import FILLER_WORDS, PHRASES, SYNONYMS
from conversations.assistant.engine.normalize import normalize
from secretaria.ptbr import brl

THRESHOLD = 0.4
_TITLE_WEIGHT, _ANSWER_WEIGHT = 1.0, 0.6

CONCEPTS: dict[str, re.Pattern] = {
    "price": re.compile(r"\b(precos?|valor(es)?|quanto (que )?(voces |voce |a senhora |o senhor )?(custa|custam|e"
                        r"|fica|ficam|sai|saem|cobra\w*|ta|eu pago"
                        r"|pago|vou pagar|seria)|(ta|fica|sai|custa|cobram|cobra|e) quanto|custa\w*"
                        r"|custos?|tabela|orcamento|investimento|promoc\w*|desconto|quanto(?: \w+){1,3} (custa"
                        r"|custam|cobra\w*|fica|sai|seria)"
                        r"|(sai|saindo|fica|ta|esta|custa) (por|em) quanto|quanto cada|cada um quanto|mais (caro"
                        r"|barato)"
                        r")\b"),
    "address": re.compile(r"\b(endereco|onde (fica|ficam|voces ficam|e|esta|estao|voces estao|voces atendem)"
                          r"|localiza\w*|como (eu )?(chego|chegar|faco pra chegar)|fica onde|ponto de referencia"
                          r"|referencia|mapa|perto de (onde|que|qual)|e perto|fica perto|(qual|que) (o )?bairro"
                          r"|(qual|que) (a )?rua|cade voces|(voces )?ficam onde|(onde"
                          r"|em que lugar) (que )?(voces )?ficam"
                          r"|(qual|que) (o )?(numero|andar) (da sala|do predio)|(qual|que) sala|ficam (na|no|em)"
                          r"|cade (a clinica|o consultorio|o lugar|a sala|o predio|o salao|a loja)|(estou"
                          r"|to) perdid[oa]"
                          r"|longe|distante|distancia|(manda|envia|passa|mande|envie) (a |o )?(localizacao|local"
                          r"|pin))\b"),
    "hours": re.compile(r"\b(horarios? de (funcionamento|atendimento)|horarios?|funcionamento"
                        r"|funcionam? (hoje|amanha|sabado|domingo|feriado|ate|de|no|na|aos)|abre|abrem|abertos?"
                        r"|abertas?|fecha|fecham|fechados?|fechadas?|que horas|ate que horas|expediente|almoco"
                        r"|feriados?"
                        r"|(estao|tao) (atendendo|funcionando|trabalhando)|(que|quais) dias|dias (de|que) atend\w*"
                        r"|(atendem|funcionam|trabalham|abrem) (aos|nos|no|na|de|em|hoje|amanha|sabado|domingo|segunda"
                        r"|terca|quarta|quinta|sexta)|(segunda|terca|quarta|quinta|sexta|sabado|domingo)s?"
                        r"( (a|de) (manha|tarde|noite))? (voces )?(atendem|funcionam|trabalham|abrem)"
                        r"|(ir|passar|chegar|ser atendid[oa]) (depois|antes|ate) (das|de|as) \d+)\b"),
    "payment": re.compile(r"\b(pagamentos?|pagar|pago (com|via|a vista|(no|na|em|por) (cartao|pix|debito|credito"
                          r"|dinheiro|especie|boleto|maquininha))|cartao|cartoes|pix|parcel\w*|dinheiro|credito|debito"
                          r"|boleto|dividir|divide|(em )?quantas vezes|cheques?|transferencia|formas? de pagamento"
                          r"|como (e que )?(eu )?(se )?(paga|pago|pagar|faco pra pagar))\b"),
    "parking": re.compile(r"\b(estaciona\w*|vagas? (para|pra|de) (carro|moto)|valet|manobrista"
                          r"|onde (eu )?(deixo|paro|estaciono) (o |meu )?carro|(tem )?onde parar( o carro)?"
                          r"|(tem )?onde (deixar|parar|estacionar)|(parar|deixar|estacionar) (o |meu )?carro)\b"),
    "insurance": re.compile(r"\b(convenios?|planos? de saude|(quais|que) planos|planos? (voces )?aceit\w*|unimed"
                            r"|amil|bradesco saude|sul ?america|hapvida"
                            r"|reembolso)\b"),
    "duration": re.compile(r"\b(quanto tempo|duracao|dura|demora)\b"),
    # "o que voces fazem ai?": the list of services. No item implies it (one service is not the list);
    # a FAQ about the services carries it in its title or keywords, and the engine lists the catalogue.
    "services": re.compile(r"\b(o que (voces )?(fazem|faz|oferecem|atendem|tem ai)|trabalham com o que"
                           r"|(voces )?(fazem|oferecem) o que"
                           r"|(quais|que) (sao )?(os )?(servicos|procedimentos|tratamentos)( que)?"
                           r"|lista de (servicos|procedimentos|tratamentos)|(seus|os) (servicos|procedimentos"
                           r"|tratamentos)"
                           r"|(que|qual|quais) tipos? de (servico|procedimento|tratamento)s?)\b"),
    # "quem faz a limpeza?", "é com médica ou esteticista?": the professionals of a service.
    "who": re.compile(r"\b(quem (faz|atende|aplica|realiza|vai me atender)|feit[oa] por quem|(com|por) quem"
                      r"|qual (a |o )?(profissional|doutora|doutor|medic[oa])|(medic[oa]|doutora|doutor) ou esteticista"
                      r"|(e|sera) (com )?(medic[oa]|doutora|doutor|esteticista)|esteticista ou medic[oa]"
                      r"|(quais|que) (dermatologistas|medic[oa]s|doutoras|doutores|profissionais)"
                      r"|tem (medic[oa]|doutora|doutor)|(a |o )?(doutora|doutor) \w+ (faz|atende|aplica)|\w+ (e"
                      r"|eh) (medic[oa]"
                      r"|esteticista|doutora|dermatologista))\b"),
    # "o que vocês têm pra mancha de sol?": the service for a need, named in the customer's words.
    "recommend": re.compile(r"\b((o que|qual|quais|que) (voces )?(tem|indicam|indica|recomendam|sugerem|fazem"
                            r"|oferecem) (pra|para)|(serve|bom|boa|indicad[oa]|resolve|funciona) (pra|para)"
                            r"|(tratamento|procedimento|algo|alguma coisa) (pra|para|contra)|(qual|que) (tratamento"
                            r"|procedimento)"
                            r"|o que (eu )?(faco|fazer)|tem jeito|(voces )?tratam|tenho (uns |umas |um "
                            r"|uma )?(manchas?|acne"
                            r"|espinhas?|cravos?|rugas?|linhas|melasma|olheiras?)|minha pele|(quero"
                            r"|queria) (renovar|melhorar"
                            r"|tirar|tratar))\b"),
}
# Concepts whose words also say what is asked about ("tenho manchas", "quem faz a limpeza"): they stay
# in the query's words.
_FRAME_ONLY = {"recommend", "who"}
# Concepts that need a named item (a price of what?); the others are one fact of the company.
_ITEM_CONCEPTS = {"price", "duration"}
_KIND_CONCEPTS = {"service": {"price", "duration"}, "address": {"address"}, "hours": {"hours"}}
_KIND_BOOST = {"address": 0.2, "hours": 0.2}

STOPWORDS = set("""
a o as os um uma uns umas de da do das dos em no na nos nas num numa por pra pro para com sem e ou que se ao
aos me mim te ti lhe eu voce voces vc vcs tu ele ela meu minha meus minhas seu sua seus suas nosso nossa isso
isto esse essa este esta aquilo aquele aquela qual quais quanto quanta quantos quantas como onde quando porque
oi ola bom boa dia tarde noite tudo bem ok sim nao ja ai aqui la entao tambem mais muito pouco tem ter tenho
temos teria ha hoje eh sao ser era foi estao estou fazer faz fazem faco fazemos gostaria queria quero quer
saber sobre favor pf pfv poderia pode podem posso preciso precisava alguma algum ainda so apenas tipo coisa
vez clinica salao empresa consultorio informacao informacoes duvida gente obrigado obrigada obg valeu
por favor fazer ola bem oie tchau certo beleza entendi
""".split())

_SUFFIXES = [("coes", "cao"), ("oes", "ao"), ("aes", "ao"), ("ais", "al"), ("eis", "el"), ("ns", "m"),
             ("res", "r"), ("zes", "z")]
_VERB_PLURALS = ("amos", "emos", "imos")
_ENDINGS = ["acao", "amento", "imento", "ando", "endo", "indo", "aram", "eram", "iram", "ava",
            "ado", "ada", "ido", "ida", "ar", "er", "ir", "am", "em"]


@dataclass(frozen=True)
class Match:
    item: object
    score: float  # 0..1


@dataclass(frozen=True)
class Query:
    tokens: frozenset[str]  # stemmed content words, without the words that named a concept
    concepts: frozenset[str]


def stem(word: str) -> str:
    """Light pt-BR stemming; only needs to be consistent on both sides: 'informações' -> 'informaca'."""
    if word.endswith(_VERB_PLURALS) and len(word) >= 7:
        word = word[:-4]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        word = word[:-1]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if word[-1:] in ("a", "e", "o") and len(word) > 4:
        word = word[:-1]
    return word


_PHRASE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in PHRASES) + r")\b")


def tokens(text: str) -> set[str]:
    return _stems(normalize(text))


def _stems(norm: str) -> set[str]:
    words = (SYNONYMS.get(w, w) for w in re.findall(r"[a-z0-9]+", norm))
    return {stem(w) for w in words if w not in STOPWORDS and len(w) > 1}


# Filler words are forgiven in a question only when no item uses them: a salon whose service is
# "Tratamento capilar" still matches on "tratamento".
_FILLER_STEMS = frozenset(stem(w) for w in FILLER_WORDS)


def without_fillers(query_tokens: frozenset[str], known: set[str] | dict) -> frozenset[str]:
    """The query's words, less the fillers and numbers ("uns 20 min") that no item uses."""
    return frozenset(t for t in query_tokens if t in known or (t not in _FILLER_STEMS and not t.isdigit()))


def concepts_in(text: str) -> set[str]:
    norm = normalize(text)
    return {name for name, pattern in CONCEPTS.items() if pattern.search(norm)}


def parse_query(text: str, vocabulary: frozenset[str] = frozenset()) -> Query:
    """The question's concepts and remaining content words; `vocabulary` (the items' own words)
    corrects near misses of them."""
    norm = _PHRASE.sub(lambda m: PHRASES[m.group()], normalize(text, vocabulary))
    found = {name for name, pattern in CONCEPTS.items() if pattern.search(norm)}
    for name in found - _FRAME_ONLY:
        norm = CONCEPTS[name].sub(" ", norm)
    return Query(frozenset(_stems(norm)), frozenset(found))


@dataclass(frozen=True)
class _Doc:
    item: object
    strong: frozenset[str]  # title and keywords
    title: frozenset[str]
    weak: frozenset[str]  # answer
    concepts: frozenset[str]

    def weight(self, token: str) -> float:
        if token in self.strong:
            return _TITLE_WEIGHT
        return _ANSWER_WEIGHT if token in self.weak else 0.0


def is_service(item) -> bool:
    return isinstance(item, CatalogueItem)


def kind_of(item) -> str:
    """A FAQ's kind ("faq", "address", "hours", "policy", "other"), or "service"."""
    return "service" if is_service(item) else str(item.kind)


def title_of(item) -> str:
    return item.name if is_service(item) else item.title


def _doc(item) -> _Doc:
    title, body = title_of(item), (item.description if is_service(item) else item.answer)
    keywords = item.keywords or ""
    strong = tokens(f"{title} {keywords.replace(',', ' ')}")
    implied = _KIND_CONCEPTS.get(kind_of(item), set())
    return _Doc(item, frozenset(strong), frozenset(tokens(title)), frozenset(tokens(body or "") - strong),
                frozenset(concepts_in(f"{title}, {keywords}") | implied))


def _idf(docs: list[_Doc]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for doc in docs:
        for token in doc.strong | doc.weak:
            counts[token] = counts.get(token, 0) + 1
    return {token: 1 + math.log(len(docs) / n) for token, n in counts.items()}


def _score(query: Query, doc: _Doc, idf: dict[str, float], unseen: float) -> float:
    """How well an item answers: coverage of the query's words (words the base does not know count
    against it, so "laser de pele" is not "limpeza de pele"), or of the item's title when the
    customer added details around it, plus bonuses for the concepts asked about."""
    total = sum(idf.get(t, unseen) for t in query.tokens)
    coverage = sum(idf[t] * doc.weight(t) for t in query.tokens if t in idf) / total if total else 0.0
    if doc.title:
        coverage = max(coverage, 0.9 * len(doc.title & query.tokens) / len(doc.title))
    shared = query.concepts & doc.concepts
    bonus = 0.45 if shared - _ITEM_CONCEPTS else 0.0
    if shared & _ITEM_CONCEPTS and coverage >= 0.5:
        bonus += 0.35 * coverage + (0.1 if is_service(doc.item) and doc.item.price_cents else 0.0)
    kind = kind_of(doc.item)
    if kind in _KIND_BOOST and shared & _KIND_CONCEPTS[kind]:
        bonus += _KIND_BOOST[kind]
    return min(1.0, 0.7 * coverage + bonus)


def rank(items, text: str, *, ignore_unknown: bool = False) -> list[Match]:
    """Every active item (FAQ or service) with a score at or above THRESHOLD, best first (ties: given order).

    `ignore_unknown` drops words the base does not know, for texts that mix an item with other
    talk ("quero agendar uma consulta amanhã" -> the consultation)."""
    docs = [_doc(item) for item in items if getattr(item, "is_active", True)]
    if not docs:
        return []
    idf = _idf(docs)
    query = parse_query(text, _vocabulary(docs))
    query = Query(without_fillers(query.tokens, idf), query.concepts)
    if ignore_unknown:
        query = Query(frozenset(t for t in query.tokens if t in idf), query.concepts)
    unseen = 1 + math.log(len(docs) + 1)
    scored = [Match(doc.item, round(_score(query, doc, idf, unseen), 3)) for doc in docs]
    return sorted((m for m in scored if m.score >= THRESHOLD), key=lambda m: -m.score)


def _vocabulary(docs: list[_Doc]) -> frozenset[str]:
    """The items' own words (title, keywords, answer), for correcting a customer's typo of one of them."""
    words: set[str] = set()
    for doc in docs:
        item = doc.item
        body = item.description if is_service(item) else item.answer
        words.update(re.findall(r"[a-z]{5,}", normalize(f"{title_of(item)} {item.keywords or ''} {body or ''}")))
    return frozenset(words - STOPWORDS)


def search(items, text: str, *, ignore_unknown: bool = False) -> Match | None:
    ranked = rank(items, text, ignore_unknown=ignore_unknown)
    return ranked[0] if ranked else None


def format_price(cents: int | None) -> str:
    """15000 -> 'R$ 150,00'; 120000 -> 'R$ 1.200,00'."""
    return brl(cents)


def format_duration(minutes: int | None) -> str:
    return f"{minutes} min" if minutes else ""


def format_item(item) -> str:
    """The answer as sent: a FAQ's answer, or a service's details (format_service)."""
    return format_service(item) if is_service(item) else (item.answer or "").strip()


def format_service(service: CatalogueItem) -> str:
    """'Limpeza de pele: R$ 150,00 · 60 min. <description>' (the price only if the description has none)."""
    description = (service.description or "").strip()
    details = [format_duration(service.duration_minutes)]
    if "R$" not in description:
        details.insert(0, format_price(service.price_cents))
    details = [d for d in details if d]
    if not details:
        return description or f"{service.name}."
    head = f"{service.name}: {' · '.join(details)}"
    return f"{head}. {description}" if description else f"{head}."


def price_list(services: list[CatalogueItem], limit: int = 8) -> str:
    """'• Limpeza de pele: R$ 150,00 (60 min)' lines for the services with a price."""
    lines = []
    for service in services:
        if service.price_cents is not None:
            duration = f" ({format_duration(service.duration_minutes)})" if service.duration_minutes else ""
            lines.append(f"• {service.name}: {format_price(service.price_cents)}{duration}")
    return "\n".join(lines[:limit])


def item_id(item) -> int | None:
    return getattr(item, "pk", None) or getattr(item, "id", None)
