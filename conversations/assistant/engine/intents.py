"""Intent detection in Portuguese, by keyword patterns on normalised text (offline, deterministic).

The text is normalised first (engine/normalize.py: "vc", "agnd", "olaaa", typos), so the
patterns are written once, in standard spelling. A greeting at the start of a message
("Oi, quanto custa?") is split off first, so the intent is what the customer wants, and
`is_greeting` tells the engine to greet back. `detect_intent` gives the one intent that
decides; `detect_intents` every intent of the message, in the order the customer wrote them.
"""

import re
from collections.abc import Iterable

from conversations.assistant.engine.normalize import normalize
from conversations.turns import Intent

_GREETING = re.compile(r"^(?:(?:oi+e?|ola|bom dia|boa tarde|boa noite|e ai|eae|hey|opa|alo|hello|hi)\b[\s,!.]*)+")
_SMALL_TALK = re.compile(
    r"^(?:(?:tudo (?:bem|bom|certo|joia|tranquilo|ok)|td (?:bem|bom)|como (?:vai|voce esta|vai voce|esta)|"
    r"blz|beleza)\b[\s,!?.]*)+")
_NAME_WORD = re.compile(r"^\w+[,!.]?\s*")

# An information question that mentions an agenda word ("horário de funcionamento", "política de
# cancelamento", "vaga para carro") is a question, not a booking: these are checked first.
_INFO_GUARD = re.compile(
    r"\bhorarios? de (funcionamento|atendimento)\b|\b(que|quais) horas? (voces )?(abre|abrem|fecha|fecham|funciona)"
    r"|\bate que horas\b|\bestaciona\w*|\bvagas? (para|pra|de) (carro|moto)\b|\bo que (voces )?(fazem|faz)\b"
    r"|\b(politica|regras?|multa|taxa|prazo) (de|para|pra) (cancel|desmarc|remarc)\w*")

# Question words: what is left when nothing more specific matched.
_CATCH_ALL = re.compile(
    r"\?|\b(qual|quais|quanto|quantos|quantas|quando|onde|cade|como|que horas|voces|tem|aceita\w*|fazem|faz"
    r"|atende\w*|trabalham|possui|existe|posso|pode|saber|precos?|valor(es)?|informac\w*|investimento"
    r"|perto|fica|chego|chegar|estacionamento|endereco)\b")

# Checked in order: the first that matches wins (a cancellation that says "obrigado" is a cancellation).
PATTERNS: list[tuple[Intent, re.Pattern]] = [
    (Intent.LGPD_REQUEST, re.compile(
        r"\b(meus dados|lgpd|dados pessoais|dados (que )?(voces )?(tem|guardam|possuem) (sobre|de) mim"
        r"|(o que|quais informacoes|que informacoes) (voces )?(sabem|guardam|tem|possuem|armazenam|salvam)"
        r" (sobre|de) mim|minhas informacoes|(apag|exclu|delet|remov)\w* (o |todo o )?meu (cadastro|numero|contato)"
        r"|(me )?(tira|tire|remove|remova|exclui) (da|dessa|desta|de) (lista|listas)"
        r"|nao quero (mais )?receber (mais )?(nenhuma |essas |suas )?(mensage\w*|avisos?|lembretes?|promoc\w*"
        r"|novidades)|nao quero mais receber|cancelar (a |minha )?inscricao|descadastr\w*"
        r"|par(e|em|ar|a) de (me )?(mandar|enviar))\b"
        r"|^(parar|pare|sair|stop)[\s!.]*$")),
    (Intent.HUMAN_REQUEST, re.compile(
        r"\b(atendente|humano|humana|pessoa (de verdade|real)|me liga|me ligue|(pode|podem) me ligar"
        r"|falar com (alguem|uma pessoa|a equipe|o responsavel|a responsavel|gerente|o gerente|a gerente|o dono"
        r"|a dona|a recepcao|a secretaria|a doutora|o doutor|a dra|o dr|gente|pessoa|ser humano|um ser humano)"
        r"|(gente|pessoa|alguem) de verdade|carne e osso|ser humano"
        r"|(chama|chame|chamar|passa|passe|transfere|transfira|encaminha) (pra |para )?(alguem|uma pessoa"
        r"|um atendente|a equipe)"
        r"|nao (quero|gosto de) (falar com )?(robo|bot|maquina)|nao (com|com um|com uma) (robo|bot|maquina))\b")),
    (Intent.COMPLAINT, re.compile(
        r"\b(reclama\w*|pessim\w*|horrive(l|is)|absurd\w*|descaso|insatisfeit\w*|decepcion\w*|desrespeit\w*"
        r"|falta de respeito|vergonha|ridicul\w*|lamentavel|inaceitavel|nunca mais volto|procon|reclame aqui"
        r"|palhacada|pior (atendimento|clinica|lugar|servico))\b")),
    (Intent.QUESTION, _INFO_GUARD),
    (Intent.APPOINTMENT_CANCEL, re.compile(
        r"\b(cancelar|cancela|cancele|desmarcar|desmarca|desmarque"
        r"|nao (vou|vai) (poder|conseguir) (ir|comparecer))\b")),
    (Intent.APPOINTMENT_RESCHEDULE, re.compile(
        r"\b(remarcar|remarca|remarque|reagendar|reagenda|adiar|(mudar|trocar) (o |a |de )?(horario|dia|data)"
        r"|outro (dia|horario))\b")),
    (Intent.APPOINTMENT_REQUEST, re.compile(
        r"\b(agendar|agenda|agendo|agende|agendamento|marcar|marca|marque|marcacao|encaixe|encaixar|disponibilidade"
        r"|(tem|teria|ha|existe) (algum |um )?(horario|vaga)|horarios? (livres?|disponive\w*)"
        r"|(quero|queria|gostaria de) (uma |um )?(consulta|sessao|horario|avaliacao))\b")),
    (Intent.THANKS, re.compile(r"\b(obrigad[oa]s?|obg|brigad[oa]|valeu|vlw|agradeco|grat[oa])\b")),
    (Intent.GOODBYE, re.compile(r"\b(tchau|ate logo|ate mais|ate breve|ate amanha|falou|bom descanso)\b")),
    (Intent.QUESTION, _CATCH_ALL),
]

# When a burst holds several intents, the one that decides the reply comes first here.
PRIORITY: list[Intent] = [
    Intent.LGPD_REQUEST, Intent.HUMAN_REQUEST, Intent.COMPLAINT, Intent.APPOINTMENT_CANCEL,
    Intent.APPOINTMENT_RESCHEDULE, Intent.APPOINTMENT_REQUEST, Intent.QUESTION, Intent.OTHER,
    Intent.THANKS, Intent.GOODBYE, Intent.GREETING,
]


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
