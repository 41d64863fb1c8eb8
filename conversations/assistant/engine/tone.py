"""The company's tone: greetings by local time, formality, empathy, humour and emoji.

The fixed texts the assistant says on its own (the greeting, "how can I help", the fallback, the
handoff notices, thanks and goodbye) are the company's template slots (secretaria/texts.py; the
defaults in templates/replies/slots/conversations.toml), asked for here with the variant that fits the
company's formality or the customer's mood. Wordings vary (alternatives in a slot's text) so the bot
does not sound like a recording, but deterministically: the choice goes by a seed (the contact and how
many replies they have had) and never repeats the wording the contact got last, so the same message in
the same context gets the same words and tests, the replay simulator and A/B templates stay comparable.
`profile` is a CompanyProfile or anything with the same attribute names.
"""

import re
import zlib
from collections.abc import Iterable, Mapping, Sequence

from conversations.assistant.engine.hours import DEFAULT_TZ, local_time
from secretaria import texts
from secretaria.ptbr import fold

FORMAL, NEUTRAL, INFORMAL = "formal", "neutral", "informal"

# Companies whose name starts with a masculine noun are "do" ("assistente virtual do Salão Bela").
_MASCULINE = re.compile(r"^(sal[aã]o|consult[oó]rio|est[uú]dio|studio|espa[cç]o|instituto|centro|escrit[oó]rio"
                        r"|laborat[oó]rio|hospital|ateli[eê]|spa|cabeleireiro|barbeiro|grupo|n[uú]cleo)\b", re.I)
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2764\ufe0f\u200d]+")
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
             introduce: bool = True, seed: str = "", avoid: Iterable[str] = (), contact_id: int | None = None) -> str:
    """'Boa tarde, Maria! Aqui é Ana, assistente virtual da Clínica Bella Pele.' (the `greeting` slot);
    `introduce=False`: 'Boa tarde, Maria!' (`greeting_again`), as is a greeting by an assistant with no name."""
    assistant = (getattr(profile, "assistant_name", "") or "").strip()
    variables = {"saudacao": daypart(now, tz), "nome": first_name(contact_name), "assistente": assistant,
                 "empresa": company_name.strip(), "da_empresa": of_company(company_name)}
    said = _say("greeting" if introduce and assistant else "greeting_again", variables,
                variant=_formality_variant(profile), contact_id=contact_id, seed=seed, avoid=avoid)
    # The defaults carry an emoji for the companies that use them; the others get the text without it.
    return said if getattr(profile, "emoji", False) and formality(profile) != FORMAL else strip_emoji(said)


def _formality_variant(profile) -> str:
    """The slot variant for the company's formality: "formal", "informal" or "" (the base text)."""
    mode = formality(profile)
    return "" if mode == NEUTRAL else mode


def _say(slot: str, variables: Mapping[str, object] | None = None, *, variant: str = "",
         contact_id: int | None = None, seed: str = "", avoid: Iterable[str] = ()) -> str:
    return texts.text(slot, variables, variant=variant, contact_id=contact_id, seed=seed, avoid=avoid)


# `names` below: {"nome": the contact's first name, "empresa": the company's name}, which a company's own
# wording of a slot may use; `contact_id` lets an A/B test on the slot pick the text for this contact.

def offer_help(profile, *, names: Mapping[str, object] | None = None, seed: str = "", avoid: Iterable[str] = (),
               contact_id: int | None = None) -> str:
    return _say("offer_help", names, variant=_formality_variant(profile), contact_id=contact_id, seed=seed,
                avoid=avoid)


def fallback(*, names: Mapping[str, object] | None = None, upset: bool = False, seed: str = "",
             avoid: Iterable[str] = (), contact_id: int | None = None) -> str:
    """What the bot can do, and a person (`upset`: first ask what happened)."""
    return _say("fallback", names, variant="upset" if upset else "", contact_id=contact_id, seed=seed, avoid=avoid)


def complaint(profile, *, names: Mapping[str, object] | None = None, seed: str = "", avoid: Iterable[str] = (),
              contact_id: int | None = None) -> str:
    """An apology and the news that a person has it ('Sinto muito pelo que aconteceu, Maria. Já passei...'):
    the handoff notice's variant for an upset customer."""
    variant = "upset_formal" if formality(profile) == FORMAL else "upset"
    return _say("handoff_notice", names, variant=variant, contact_id=contact_id, seed=seed, avoid=avoid)


def feedback_thanks(*, names: Mapping[str, object] | None = None, seed: str = "", avoid: Iterable[str] = (),
                    contact_id: int | None = None) -> str:
    return _say("feedback_thanks", names, contact_id=contact_id, seed=seed, avoid=avoid)


def welcome_name(name: str, profile, *, names: Mapping[str, object] | None = None, seed: str = "",
                 avoid: Iterable[str] = (), contact_id: int | None = None) -> str:
    """'meu nome é Joana' -> 'Prazer, Joana! Em que posso ajudar?'"""
    help_text = offer_help(profile, names=names, seed=seed, avoid=avoid, contact_id=contact_id)
    if not name:
        return help_text
    welcome = _say("welcome_name", {**(names or {}), "nome": name}, contact_id=contact_id)
    return f"{welcome} {help_text}"


def go_ahead(*, names: Mapping[str, object] | None = None, contact_id: int | None = None) -> str:
    """'queria saber uma coisa' -> 'Claro, pode perguntar! Estou aqui para ajudar.'"""
    return _say("go_ahead", names, contact_id=contact_id)


def welcome_back(profile, *, names: Mapping[str, object] | None = None, seed: str = "", avoid: Iterable[str] = (),
                 contact_id: int | None = None) -> str:
    """'eu de novo kkk' -> 'Que bom ter você de volta! Como posso ajudar?'"""
    help_text = offer_help(profile, names=names, seed=seed, avoid=avoid, contact_id=contact_id)
    return _say("welcome_back", names, contact_id=contact_id) + " " + help_text


def acknowledge(profile, *, names: Mapping[str, object] | None = None, contact_id: int | None = None) -> str:
    return _say("acknowledgement", names, variant=_formality_variant(profile), contact_id=contact_id)


def thanks_reply(profile, *, names: Mapping[str, object] | None = None, contact_id: int | None = None) -> str:
    humour = getattr(profile, "humour", False) and formality(profile) != FORMAL
    return _say("thanks_reply", names, variant="humour" if humour else _formality_variant(profile),
                contact_id=contact_id)


def sign_off(profile, now, tz: str = DEFAULT_TZ, *, names: Mapping[str, object] | None = None,
             contact_id: int | None = None) -> str:
    """A goodbye that fits the time of day: 'Até logo! Tenha uma ótima tarde.'"""
    hour = local_time(now, tz).hour
    rest = "um ótimo dia" if 5 <= hour < 12 else "uma ótima tarde" if 12 <= hour < 18 else "uma ótima noite"
    return _say("goodbye", {**(names or {}), "periodo": rest}, variant=_formality_variant(profile),
                contact_id=contact_id)


def empathy_opener(profile) -> str:
    return _say("empathy_opener", variant=_formality_variant(profile))


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
