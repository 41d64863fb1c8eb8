"""The company's tone: greetings by local time, formality, empathy, humour and emoji.

Wordings vary (greetings, "how can I help", fallbacks, complaint answers) so the bot does not
sound like a recording, but deterministically: `pick` chooses by a seed (the contact and how many
replies they have had) and never the wording the contact got last, so the same message in the
same context gets the same words and tests, the replay simulator and A/B templates stay comparable.
`profile` is a CompanyProfile or anything with the same attribute names.
"""

import re
import zlib
from collections.abc import Iterable, Sequence

from conversations.assistant.engine.hours import DEFAULT_TZ, local_time
from secretaria.ptbr import fold

FORMAL, NEUTRAL, INFORMAL = "formal", "neutral", "informal"

# Companies whose name starts with a masculine noun are "do" ("assistente virtual do Salão Bela").
_MASCULINE = re.compile(r"^(sal[aã]o|consult[oó]rio|est[uú]dio|studio|espa[cç]o|instituto|centro|escrit[oó]rio"
                        r"|laborat[oó]rio|hospital|ateli[eê]|spa|cabeleireiro|barbeiro|grupo|n[uú]cleo)\b", re.I)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2764\ufe0f\u200d]+")
_EMPATHY_OPENERS = {FORMAL: "Lamentamos pelo transtorno.", NEUTRAL: "Sinto muito por isso.",
                    INFORMAL: "Poxa, sinto muito por isso."}
_ALREADY_EMPATHETIC = re.compile(r"^(sinto muito|lamento|lamentamos|poxa|desculpe|pedimos desculpas)", re.I)
_FORMAL_WORDS = [(r"\bpra\b", "para"), (r"\bpro\b", "para o"), (r"\bt[aá]\b", "está"), (r"\bt[oô]\b", "estou"),
                 (r"\bvc\b", "você"), (r"\bvcs\b", "vocês"), (r"\bte (ajudar|aviso|avisar|chamar)\b", r"\1"),
                 (r"^Oi\b", "Olá"), (r"\bPoxa, s", "S"), (r"\bbeleza\b", "certo")]


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z]+", fold(text)))


def pick(options: Sequence[str], *, seed: str = "", avoid: Iterable[str] = ()) -> str:
    """One of `options`, chosen by `seed` ("" -> the first), skipping any the contact was just sent
    (`avoid`: their last replies). The same seed and history always give the same choice."""
    said = [f" {_words(text)} " for text in avoid]
    start = zlib.crc32(seed.encode()) % len(options) if seed else 0
    for step in range(len(options)):
        option = options[(start + step) % len(options)]
        key = _key(option)
        if not any(key and f" {key} " in text for text in said):
            return option
    return options[start]


def _key(option: str) -> str:
    """The words that identify a wording template: its longest stretch between {placeholders} (a name,
    the company), so it is found in a sent text whatever was filled in."""
    stretches = [_words(part) for part in re.split(r"\{\w+\}", option)]
    return " ".join(max(stretches, key=lambda words: len(words.split())).split()[:5])


def formality(profile) -> str:
    value = str(getattr(profile, "formality", NEUTRAL) or NEUTRAL)
    return value if value in (FORMAL, INFORMAL) else NEUTRAL


def first_name(name: str) -> str:
    """'maria souza' -> 'Maria'; phone numbers, emojis and empty names -> ''."""
    for word in (name or "").split():
        cleaned = re.sub(r"[^\w'-]", "", word).strip("'-_")
        if cleaned and cleaned.replace("'", "").replace("-", "").isalpha():
            return cleaned[0].upper() + cleaned[1:] if cleaned.islower() else cleaned
    return ""


def of_company(company_name: str) -> str:
    return f"{'do' if _MASCULINE.match(company_name.strip()) else 'da'} {company_name.strip()}"


def daypart(now, tz: str = DEFAULT_TZ) -> str:
    hour = local_time(now, tz).hour
    if 5 <= hour < 12:
        return "Bom dia"
    return "Boa tarde" if 12 <= hour < 18 else "Boa noite"


def greeting(profile, contact_name: str, company_name: str, now, tz: str = DEFAULT_TZ, *,
             introduce: bool = True, seed: str = "", avoid: Iterable[str] = ()) -> str:
    """'Boa tarde, Maria! Aqui é Ana, assistente virtual da Clínica Bella Pele.'"""
    name = first_name(contact_name)
    who = f", {name}" if name else ""
    mode = formality(profile)
    end = "." if mode == FORMAL else "!"
    hello = f"{daypart(now, tz)}{who}{end}"
    if mode == INFORMAL and introduce:
        hello = f"{hello} Tudo bem?"
    if getattr(profile, "emoji", False) and mode != FORMAL:
        hello = f"{hello} 😊"
    if not introduce:
        return hello
    assistant = (getattr(profile, "assistant_name", "") or "").strip()
    introductions = _INTRODUCTIONS[FORMAL if mode == FORMAL else NEUTRAL]
    intro = pick(introductions, seed=seed, avoid=avoid).format(assistant=assistant, company=of_company(company_name)) \
        if assistant else f"Aqui é a assistente virtual {of_company(company_name)}."
    return f"{hello} {intro}"


_OFFER_HELP = {
    FORMAL: ("Em que posso ajudar?", "Como posso ser útil?", "Em que podemos ajudar hoje?"),
    NEUTRAL: ("Como posso ajudar?", "Em que posso ajudar hoje?", "Me conta: do que você precisa?",
              "Estou por aqui para ajudar — o que você precisa?"),
    INFORMAL: ("Como posso te ajudar?", "Me conta, o que você precisa?", "Em que posso te ajudar hoje?",
               "Bora lá: do que você precisa?"),
}
_INTRODUCTIONS = {
    FORMAL: ("Sou {assistant}, assistente virtual {company}.",
             "Quem fala é {assistant}, assistente virtual {company}."),
    NEUTRAL: ("Aqui é {assistant}, assistente virtual {company}.", "Quem fala é {assistant}, assistente virtual "
              "{company}.", "Eu sou {assistant}, a assistente virtual {company}."),
}
# Said when nothing matched: what the bot can do, and a person. "chamo alguém da" is read back by the engine.
FALLBACKS = (
    "Desculpe{who}, não encontrei essa informação por aqui. Posso ajudar com nossos serviços, valores, horários, "
    "endereço e agendamentos — ou, se preferir, chamo alguém da equipe.",
    "Hmm, essa eu não sei responder por aqui{who}. Consigo te passar valores e horários, o endereço ou marcar um "
    "atendimento — ou, se preferir, chamo alguém da equipe.",
    "Não consegui entender bem{who}. Pode me dizer de outro jeito? Por aqui eu informo valores, horários e "
    "endereço e faço agendamentos — ou, se preferir, chamo alguém da equipe.",
    "Essa eu fico te devendo{who}. O que eu sei responder: serviços e valores, horários, endereço e agendamentos. "
    "Se preferir, chamo alguém da equipe.",
)
_COMPLAINT_OPENERS = {
    FORMAL: ("Lamentamos muito pelo ocorrido.", "Pedimos desculpas pelo ocorrido.", "Lamentamos a sua experiência."),
    NEUTRAL: ("Sinto muito pelo que aconteceu{who}.", "Sinto muito por essa experiência{who}.",
              "Poxa{who}, lamento muito por isso."),
}
_COMPLAINT_BODIES = (
    "Já passei a sua mensagem para a nossa equipe, que vai falar com você por aqui o quanto antes.",
    "Avisei a nossa equipe agora mesmo; uma pessoa vai falar com você por aqui assim que possível.",
    "Sua mensagem já está com a nossa equipe, que vai retomar o contato por aqui o quanto antes.",
)


def offer_help(profile, *, seed: str = "", avoid: Iterable[str] = ()) -> str:
    return pick(_OFFER_HELP[formality(profile)], seed=seed, avoid=avoid)


def fallback(*, who: str = "", seed: str = "", avoid: Iterable[str] = ()) -> str:
    return pick(FALLBACKS, seed=seed, avoid=avoid).format(who=who)


def complaint(profile, *, who: str = "", seed: str = "", avoid: Iterable[str] = ()) -> str:
    """An apology and the news that a person has it ('Sinto muito pelo que aconteceu, Maria. Já passei...')."""
    openers = _COMPLAINT_OPENERS[FORMAL if formality(profile) == FORMAL else NEUTRAL]
    opener = pick(openers, seed=seed, avoid=avoid).format(who=who)
    body = pick(_COMPLAINT_BODIES, seed=seed, avoid=avoid)
    return f"{opener} {body}"


_FEEDBACK_THANKS = (
    "Que bom saber disso! Obrigada pelo retorno — vou passar para a equipe.",
    "Muito obrigada pela sua avaliação! Ela ajuda a nossa equipe a melhorar sempre.",
    "Obrigada por contar como foi! Sua opinião já chegou à nossa equipe.",
)


def feedback_thanks(*, seed: str = "", avoid: Iterable[str] = ()) -> str:
    return pick(_FEEDBACK_THANKS, seed=seed, avoid=avoid)


def welcome_name(name: str, profile, *, seed: str = "", avoid: Iterable[str] = ()) -> str:
    """'meu nome é Joana' -> 'Prazer, Joana! Em que posso ajudar?'"""
    help_text = offer_help(profile, seed=seed, avoid=avoid)
    return f"Prazer, {name}! {help_text}" if name else help_text


def acknowledge(profile) -> str:
    return {FORMAL: "Perfeito. Permanecemos à disposição.",
            INFORMAL: "Combinado! Qualquer coisa, é só chamar."}.get(
        formality(profile), "Combinado! Se precisar de mais alguma coisa, é só chamar.")


def thanks_reply(profile) -> str:
    if getattr(profile, "humour", False) and formality(profile) != FORMAL:
        return "Imagina! Foi um prazer — e aqui o atendimento não tira folga. Se precisar, é só chamar."
    return {FORMAL: "Nós que agradecemos. Permanecemos à disposição.",
            INFORMAL: "Imagina! Qualquer coisa, é só chamar."}.get(
        formality(profile), "Por nada! Se precisar de mais alguma coisa, é só chamar.")


def sign_off(profile, now, tz: str = DEFAULT_TZ) -> str:
    """A goodbye that fits the time of day: 'Até logo! Tenha uma ótima tarde.'"""
    hour = local_time(now, tz).hour
    rest = "um ótimo dia" if 5 <= hour < 12 else "uma ótima tarde" if 12 <= hour < 18 else "uma ótima noite"
    if formality(profile) == FORMAL:
        return f"Agradecemos o contato. Tenha {rest}."
    return f"Até logo! Tenha {rest}."


def empathy_opener(profile) -> str:
    return _EMPATHY_OPENERS[formality(profile)]


def strip_emoji(text: str) -> str:
    return re.sub(r" {2,}", " ", _EMOJI.sub("", text)).strip()


def has_emoji(text: str) -> bool:
    return bool(_EMOJI.search(text or ""))


def style(text: str, profile, sentiment=None, *, add_emoji: bool = True) -> str:
    """Fit a reply to the profile: empathy first for an upset customer, formal wording,
    emoji removed when the company does not use them (or one added for an informal tone)."""
    negative = sentiment is not None and sentiment.label == "negative"
    if negative and getattr(profile, "empathy", False) and not _ALREADY_EMPATHETIC.match(text.strip()):
        text = f"{empathy_opener(profile)} {text}"
    mode = formality(profile)
    if mode == FORMAL:
        text = _formalise(text)
    if not getattr(profile, "emoji", False):
        text = strip_emoji(text)
    elif add_emoji and mode == INFORMAL and not negative and not has_emoji(text):
        text = f"{text} 😊"
    return _tidy(text)


def _formalise(text: str) -> str:
    for pattern, replacement in _FORMAL_WORDS:
        text = re.sub(pattern, replacement, text, flags=re.M)
    return strip_emoji(re.sub(r"!+", ".", text).replace("..", "."))


def _tidy(text: str) -> str:
    text = re.sub(r"([!?])\1+", r"\1", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
