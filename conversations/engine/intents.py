"""Intent detection in Portuguese, by normalised keyword patterns (offline, deterministic)."""

import re
import unicodedata
from enum import StrEnum


class Intent(StrEnum):
    GREETING = "greeting"
    QUESTION = "question"
    APPOINTMENT_REQUEST = "appointment_request"
    APPOINTMENT_RESCHEDULE = "appointment_reschedule"
    APPOINTMENT_CANCEL = "appointment_cancel"
    HUMAN_REQUEST = "human_request"
    COMPLAINT = "complaint"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    LGPD_REQUEST = "lgpd_request"
    OTHER = "other"


def normalise(text: str) -> str:
    """Lower case, no accents, single spaces: 'Olá, BOM dia!' -> 'ola, bom dia!'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"\s+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


# Checked in order: the first that matches wins (a cancellation that says "obrigado" is a cancellation).
PATTERNS: list[tuple[Intent, re.Pattern]] = [
    (Intent.LGPD_REQUEST, re.compile(r"\b(meus dados|apagar (os )?meus dados|lgpd|excluir (os )?meus dados)\b")),
    (Intent.HUMAN_REQUEST, re.compile(
        r"\b(atendente|humano|pessoa de verdade|falar com (alguem|uma pessoa|a equipe|o responsavel|gerente))\b")),
    (Intent.APPOINTMENT_CANCEL, re.compile(r"\b(cancelar|cancela|desmarcar|desmarca)\b")),
    (Intent.APPOINTMENT_RESCHEDULE, re.compile(
        r"\b(remarcar|remarca|reagendar|mudar (o )?horario|trocar (o )?horario)\b")),
    (Intent.APPOINTMENT_REQUEST, re.compile(
        r"\b(agendar|agenda|marcar|marca|horario|consulta|atendimento|disponivel|vaga)\b")),
    (Intent.COMPLAINT, re.compile(r"\b(reclama\w*|pessim\w*|horrivel|absurdo|descaso|insatisfeit\w*|decepcion\w*)\b")),
    (Intent.THANKS, re.compile(r"\b(obrigad[oa]|valeu|agradeco|grat[oa])\b")),
    (Intent.GOODBYE, re.compile(r"\b(tchau|ate logo|ate mais|falou|boa noite e obrigad)\b")),
    (Intent.GREETING, re.compile(r"^(oi+|ola|bom dia|boa tarde|boa noite|e ai|eae|hey|opa)\b")),
    (Intent.QUESTION, re.compile(r"\?|\b(qual|quais|quanto|quando|onde|como|que horas|voces|tem)\b")),
]


def detect_intent(text: str) -> Intent:
    norm = normalise(text)
    for intent, pattern in PATTERNS:
        if pattern.search(norm):
            return intent
    return Intent.OTHER
