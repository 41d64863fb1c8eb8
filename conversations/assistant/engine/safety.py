"""Prompt-injection defence and data minimisation for what reaches a language model.

Customers' messages are data, never instructions. A message that tries to change the
assistant's role, extract its instructions or get at other customers' data is answered
with a fixed refusal by the engine itself: it is not sent to an LLM at all, so no model
can be talked into anything. Patterns run on normalised text (engine/normalize.py: no accents,
lower case, "vc" spelled out), plus one on the raw text for the upper-case "DAN", in
Portuguese and English.
"""

import re

from conversations.assistant.engine.normalize import normalize

SAFE_REFUSAL = ("Desculpe, não posso ajudar com esse pedido. Posso ajudar com informações sobre os nossos "
                "serviços, valores, horários, endereço e agendamentos — é só me dizer o que você precisa.")

_TARGETS = r"(instruc\w*|regras|diretrizes|orientacoes|comandos|prompt|instructions|rules|guidelines)"
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("ignore_instructions", re.compile(
        r"\b(ignore|ignora|ignorem|desconsidere|desconsidera|esqueca|esquece|esquecam|disregard|forget|override)\b"
        rf".{{0,40}}\b{_TARGETS}")),
    ("prompt_leak", re.compile(
        r"\b(system prompt|prompt (do|de) sistema|prompt inicial|mensagem (do|de) sistema|system message"
        r"|(suas|tuas) (instrucoes|regras|diretrizes) (internas|iniciais|originais|secretas)"
        r"|instrucoes (do sistema|internas|iniciais|originais|secretas)|initial instructions|your instructions)\b")),
    ("prompt_leak", re.compile(
        r"\b(revel\w*|mostr\w*|exib\w*|diga|digite|conte|repita|repete|imprima|escreva|copie|show|reveal|repeat|print"
        r"|tell me)\b.{0,30}\b(seu|teu|your|o) (prompt|instructions|configurac\w*)\b")),
    ("role_override", re.compile(
        r"\b(voce agora e|agora voce e|a partir de agora,? voce (e|sera|vai ser)|you are now|from now on you"
        r"|aja como|atue como|finja (ser|que)|fa(c|z)a de conta que|act as|pretend (to be|you are)|roleplay"
        r"|role-play|simule ser)\b")),
    # A game or a story that hands the assistant another persona: "vamos brincar: voce e um hacker",
    # "imagina que vc e o dono", "faz um roleplay onde voce e...".
    ("role_override", re.compile(
        r"\b(vamos|bora|vamo|quero) (brincar|jogar|fingir|imaginar|fazer um jogo|fazer uma brincadeira|inventar)\b"
        r".{0,60}\b(voce|tu) (e|era|sera|seria|fosse|vai ser|agora e)\b"
        r"|\b(imagin\w*|suponha|supondo|digamos) que (voce|tu) (e|era|seja|fosse|sera)\b"
        r"|\b(brinca|brincar|brinque) de (ser|que)\b|\bcomo se (voce|tu) fosse\b"
        r"|\b(interprete|interpreta|incorpore|incorpora|encarne|assuma) (o papel|um personagem|o personagem"
        r"|a persona|uma persona)\b|\b(entre|entra) no personagem\b")),
    ("jailbreak", re.compile(
        r"\b(modo (desenvolvedor|dev|deus|irrestrito|sem (filtro|restricoes))|developer mode|god mode|jailbreak"
        r"|without (any )?restrictions|no restrictions|do anything now)\b")),
    ("markup", re.compile(r"(<\|?(system|im_start|im_end)\|?>|\[/?inst\]|</?s>|#{2,} ?(system|instruction))")),
    ("other_customer_data", re.compile(
        r"\b(dados|informac\w*|telefone|numero|celular|whatsapp|contato|endereco|e-?mail|nome|cpf|agenda\w*)"
        r" (de|do|da|dos|das) (outr[oa]s?|demais|ultim[oa]s?|proxim[oa]s?|anterior|primeir[oa]s?|tod[oa]s (os|as))"
        r" ?(client|pacient|pessoa|usuari|contato)\w*")),
    ("other_customer_data", re.compile(
        r"\b(lista|listagem|relacao|planilha|cadastro) (de|dos|das|com (os|as)?) ?(clientes|pacientes|contatos"
        r"|usuarios|agendamentos)\b|\btodos os (clientes|pacientes|contatos)\b")),
    ("other_customer_data", re.compile(
        r"\b(mostr\w*|exib\w*|list\w*|envi\w*|mand\w*|abr\w*) (todas )?(as )?(conversas|mensagens)\b"
        r"(?! (que eu|minhas|comigo|que te mandei|que enviei))")),
    ("other_customer_data", re.compile(
        r"\bquem (mais )?(marcou|agendou|esta (marcad|agendad)\w*|foi atendid\w*) (hoje|amanha|antes|depois"
        r"|aqui|ai)\b|\b(customer|client) (data|list|records)\b")),
]
_DAN = re.compile(r"\bDAN\b")


def detect_injection(text: str) -> str | None:
    """The kind of injection attempt in a message ('ignore_instructions', ...) or None."""
    if not text:
        return None
    if _DAN.search(text):
        return "jailbreak"
    norm = normalize(text)
    return next((reason for reason, pattern in PATTERNS if pattern.search(norm)), None)


_REDACTIONS = [
    (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), "[e-mail]"),
    (re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"), "[CPF]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[cartão]"),
    (re.compile(r"(?:\+?55[ -]?)?\(?\b\d{2}\)?[ -]?9?\d{4}[ -]?\d{4}\b"), "[telefone]"),
]


def redact_for_llm(text: str) -> str:
    """Mask e-mails, CPFs, card and phone numbers before text leaves for an external model (LGPD
    minimisation): the model never needs them to answer, and they would end up in provider logs."""
    for pattern, mask in _REDACTIONS:
        text = pattern.sub(mask, text)
    return text
