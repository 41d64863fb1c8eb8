"""Intent detection in Portuguese, by keyword patterns on normalised text (offline, deterministic).

The text is normalised first (engine/normalize.py: "vc", "agnd", "olaaa", typos), so the
patterns are written once, in standard spelling. A greeting at the start of a message
("Oi, quanto custa?") is split off first, so the intent is what the customer wants, and
`is_greeting` tells the engine to greet back. `detect_intent` gives the one intent that
decides; `detect_intents` every intent of the message, in the order the customer wrote them.
"""

import re
from collections.abc import Iterable

from conversations.assistant.engine.data import intents_ptbr as cues
from conversations.assistant.engine.normalize import normalize
from conversations.turns import Intent


def _any(phrases) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b")


_GREETING = re.compile(r"^(?:(?:" + "|".join(cues.GREETING_OPENING) + r")\b[\s,!.?]*)+")
_SMALL_TALK = re.compile(r"^(?:(?:" + "|".join(cues.SMALL_TALK) + r")[\s,!?.]*)+")
_NAME_WORD = re.compile(r"^\w+[,!.]?\s*")
_GREETING_TAIL = re.compile(cues.GREETING_TAIL)
_INFO_GUARD = _any(cues.INFO_QUESTION)
_OUT_OF_SCOPE = _any(cues.OUT_OF_SCOPE)

# Question words: what is left when nothing more specific matched.
_CATCH_ALL = re.compile(
    r"\?|\b(qual|quais|quanto|quantos|quantas|quando|onde|cade|como|que horas|voces|tem|aceita\w*|fazem|faz"
    r"|atende\w*|trabalham|possui|existe|posso|pode|saber|precos?|valor(es)?|informac\w*|investimento"
    r"|perto|fica|chego|chegar|estacionamento|endereco|abre|abrem|fecha|fecham|funciona\w*"
    r"|parcel\w*|cartao|pix|boleto|convenio|dinheiro)\b")

# Checked in order: the first that matches wins (the order and why: engine/data/intents_ptbr.py).
PATTERNS: list[tuple[Intent, re.Pattern]] = [
    (Intent.HUMAN_REQUEST, _any(cues.HUMAN)),
    (Intent.LGPD_REQUEST, re.compile(_any(cues.LGPD).pattern + "|" + cues.LGPD_ALONE)),
    (Intent.COMPLAINT, _any(cues.COMPLAINT)),
    (Intent.QUESTION, _INFO_GUARD),
    (Intent.OTHER, _OUT_OF_SCOPE),
    (Intent.WAITLIST, _any(cues.WAITLIST)),
    (Intent.APPOINTMENT_RESCHEDULE, _any(cues.RESCHEDULE)),
    (Intent.APPOINTMENT_CANCEL, _any(cues.CANCEL)),
    (Intent.APPOINTMENT_RESCHEDULE, _any(cues.RESCHEDULE_WEAK)),
    (Intent.APPOINTMENT_CANCEL, _any(cues.CANCEL_CANT_GO)),
    (Intent.APPOINTMENT_CONFIRM, _any(cues.CONFIRM)),
    (Intent.APPOINTMENT_REQUEST, _any(cues.REQUEST)),
    (Intent.FEEDBACK, re.compile(_any(cues.FEEDBACK).pattern + "|" + cues.FEEDBACK_SCORE)),
    (Intent.QUESTION, _any(cues.INFO_ASK)),
    (Intent.THANKS, _any(cues.THANKS)),
    (Intent.GOODBYE, _any(cues.GOODBYE)),
    (Intent.QUESTION, _CATCH_ALL),
]

# When a burst holds several intents, the one that decides the reply comes first here.
PRIORITY: list[Intent] = [
    Intent.LGPD_REQUEST, Intent.HUMAN_REQUEST, Intent.COMPLAINT, Intent.APPOINTMENT_CANCEL,
    Intent.APPOINTMENT_RESCHEDULE, Intent.WAITLIST, Intent.APPOINTMENT_CONFIRM, Intent.APPOINTMENT_REQUEST,
    Intent.QUESTION, Intent.FEEDBACK, Intent.OTHER, Intent.THANKS, Intent.GOODBYE, Intent.GREETING,
]


_LGPD_KINDS = [("erasure", _any(cues.LGPD_ERASURE)),
               ("opt_out", re.compile(_any(cues.LGPD_OPT_OUT).pattern + "|" + cues.LGPD_STOP)),
               ("access", _any(cues.LGPD_ACCESS))]


def is_out_of_scope(text: str) -> bool:
    """Not ours to answer from the company's facts: a job seeker, a spam chain, someone's CPF."""
    return bool(_OUT_OF_SCOPE.search(normalize(text)))


def lgpd_kind(text: str) -> str | None:
    """What an LGPD request asks for: "erasure", "opt_out" or "access" ("o que vocês guardam sobre mim?"),
    or None (not one of those; "lgpd?" alone is for a person)."""
    norm = normalize(text)
    return next((kind for kind, pattern in _LGPD_KINDS if pattern.search(norm)), None)


def split_greeting(norm: str) -> tuple[bool, str]:
    """(greeted, the rest) of a normalised text: 'oi ana, tudo bem? quanto custa?' -> (True, 'quanto custa?')."""
    match = _GREETING.match(norm)
    greeted = bool(match and match.end())
    rest = norm[match.end():] if greeted else norm
    talk = _SMALL_TALK.match(rest)
    if talk and talk.end():
        greeted, rest = True, rest[talk.end():]
    elif greeted and (name := _NAME_WORD.match(rest)):
        # "oi ana, tudo bem?": one word between the greeting and small talk is a name.
        talk = _SMALL_TALK.match(rest[name.end():])
        if talk and talk.end():
            rest = rest[name.end() + talk.end():]
    if greeted and _GREETING_TAIL.match(rest):
        rest = ""
    return greeted, rest if re.search(r"\w|\?", rest) else ""


def is_greeting(text: str) -> bool:
    """The message opens with a greeting or small talk ("bom dia", "tudo bem?")."""
    return split_greeting(normalize(text))[0]


def detect_intent(text: str) -> Intent:
    """The intent that decides the reply to one message: the first of PATTERNS that matches."""
    greeted, rest = split_greeting(normalize(text))
    if greeted and not rest:
        return Intent.GREETING
    for intent, pattern in PATTERNS:
        if pattern.search(rest):
            return intent
    return Intent.GREETING if greeted and len(rest.split()) <= 2 else Intent.OTHER  # "oi ana!"


def detect_intents(text: str) -> list[Intent]:
    """Every intent in one message, in the order written: "quero marcar, e quanto custa?" ->
    [APPOINTMENT_REQUEST, QUESTION]. A phrase read by an earlier pattern is not read again by a later
    one ("cancelar inscricao" is LGPD, not also a cancellation), and the catch-all question words
    count only outside what another intent read (the "?" of "tem horario amanha?" is the booking's)."""
    greeted, rest = split_greeting(normalize(text))
    found: list[tuple[int, Intent]] = [(-1, Intent.GREETING)] if greeted else []
    claimed: list[tuple[int, int]] = []
    for intent, pattern in PATTERNS:
        if pattern is _CATCH_ALL and claimed:
            match = next((m for m in pattern.finditer(rest) if m.group() != "?" and _free(m, claimed)), None)
        else:
            match = next((m for m in pattern.finditer(rest) if _free(m, claimed)), None)
        if match:
            claimed.append(match.span())
            found.append((match.start(), intent))
    intents = list(dict.fromkeys(intent for _start, intent in sorted(found, key=lambda f: f[0])))
    return intents or [detect_intent(text)]


def _free(match: re.Match, claimed: list[tuple[int, int]]) -> bool:
    return all(match.end() <= start or match.start() >= end for start, end in claimed)


def primary_intent(intents: Iterable[Intent]) -> Intent:
    """The intent that decides the reply to a burst of messages (see PRIORITY)."""
    found = set(intents)
    return next((i for i in PRIORITY if i in found), Intent.OTHER)
