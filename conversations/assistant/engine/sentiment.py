"""Sentiment of a customer's message in Portuguese, from a small lexicon (offline, deterministic).

Good enough to notice an upset customer (and hand over) and to add an empathetic
opener; it is not meant to grade praise. Words are matched on the normalised text
(engine/normalize.py: "mt ruim" is "muito ruim", "pessimooo" is "pessimo"),
negations flip the next words ("não gostei"), intensifiers scale them ("muito
ruim"), and shouting (ALL CAPS, "!!!") makes whatever was said stronger.
"""

import math
import re
from dataclasses import dataclass

from conversations.assistant.engine.normalize import normalize

STRONG_NEGATIVE = -0.6  # at or below: the customer is upset enough for a person to step in
_LABEL_AT = 0.2

# Whole phrases first (they would be misread word by word), then removed from the text.
PHRASES: dict[str, float] = {
    "falta de respeito": -1.0, "nunca mais": -0.8, "mal atendid": -0.8, "mal educad": -0.8,
    "pouco caso": -0.8, "reclame aqui": -0.8, "ninguem responde": -0.7, "ninguem atende": -0.7,
    "deixa a desejar": -0.6, "de novo nao": -0.5, "bom dia": 0.0, "boa tarde": 0.0, "boa noite": 0.0,
    "tudo bem": 0.0, "tudo bom": 0.0,
}
EXACT: dict[str, float] = {
    "bom": 0.5, "boa": 0.4, "otimo": 0.8, "otima": 0.8, "legal": 0.5, "show": 0.5, "top": 0.5, "amei": 0.9,
    "amo": 0.8, "adorei": 0.9, "gostei": 0.6, "gosto": 0.4, "lindo": 0.6, "linda": 0.6, "melhor": 0.6,
    "beleza": 0.3, "massa": 0.3, "ajudou": 0.5, "resolveu": 0.5, "resolvido": 0.4, "rapido": 0.4,
    "ruim": -0.7, "pior": -0.8, "lixo": -1.0, "odiei": -1.0, "odeio": -1.0, "raiva": -0.8, "triste": -0.5,
    "caro": -0.3, "cara": -0.1, "erro": -0.4, "errado": -0.5, "errada": -0.5, "problema": -0.4,
    "demora": -0.5, "demorou": -0.5, "demorando": -0.5, "atraso": -0.5, "atrasou": -0.5, "aff": -0.4,
    "affs": -0.4, "droga": -0.5, "merda": -1.0, "nojo": -0.9, "golpe": -0.8, "mentira": -0.7,
}
PREFIXES: dict[str, float] = {
    "excelent": 1.0, "maravilh": 0.9, "perfeit": 0.8, "incrive": 0.9, "parabe": 0.8, "satisfeit": 0.7,
    "feliz": 0.7, "recomend": 0.8, "atencios": 0.7, "eficient": 0.7, "gentil": 0.6, "educad": 0.5,
    "obrigad": 0.3, "agradec": 0.4, "sensaciona": 0.9, "fantastic": 0.9, "carinhos": 0.6,
    "pessim": -1.0, "horrive": -1.0, "terrive": -1.0, "absurd": -0.9, "descaso": -0.9, "insatisfeit": -0.8,
    "decepcion": -0.8, "lamentave": -0.8, "desrespeit": -0.9, "grosseir": -0.8, "grossa": -0.7,
    "grosso": -0.7, "irritad": -0.7, "chatead": -0.6, "vergonh": -0.8, "ridicul": -0.8, "palhacad": -0.9,
    "enganad": -0.8, "inaceitave": -1.0, "indignad": -0.9, "furios": -1.0, "porcaria": -0.9,
    "reclama": -0.5, "atrasad": -0.5, "cansad": -0.3, "desanimad": -0.5, "frustrad": -0.7,
}
EMOJIS: dict[str, float] = {
    "😡": -1.0, "🤬": -1.0, "😠": -0.8, "😤": -0.6, "👎": -0.7, "😭": -0.6, "😢": -0.5, "😞": -0.5,
    "😒": -0.4, "🙄": -0.4, "😊": 0.6, "🙂": 0.4, "😀": 0.6, "😃": 0.6, "😁": 0.6, "😍": 0.8, "🥰": 0.8,
    "❤": 0.7, "♥": 0.6, "👍": 0.5, "👏": 0.6, "🙏": 0.4, "😉": 0.3, "🤩": 0.8,
}
_EMOJI_CHARS = frozenset("".join(EMOJIS))
NEGATORS = {"nao", "nunca", "nem", "jamais", "sem", "nenhum", "nenhuma", "n"}
INTENSIFIERS = {"muito", "muita", "super", "mega", "extremamente", "totalmente", "completamente", "bem",
                "tao", "bastante", "realmente", "muitissimo"}
POST_INTENSIFIERS = {"demais", "nada", "mesmo"}
_NEGATION_WINDOW = 4


@dataclass(frozen=True)
class Sentiment:
    label: str  # "positive" | "neutral" | "negative"
    score: float  # -1 (furious) .. 1 (delighted)

    @property
    def strong_negative(self) -> bool:
        return self.score <= STRONG_NEGATIVE


NEUTRAL = Sentiment("neutral", 0.0)


def detect_sentiment(text: str) -> Sentiment:
    if not text or not text.strip():
        return NEUTRAL
    # Emojis are weighed here (EMOJIS), not again as the words normalize() would make of them.
    norm = normalize("".join(c for c in text if c not in _EMOJI_CHARS))
    raw = _phrase_total(norm) + _words_total(_strip_phrases(norm)) + _emoji_total(text)
    raw *= _shouting(text)
    score = round(raw / (abs(raw) + 0.5), 3) if raw else 0.0
    return Sentiment(_label(score), score)


def _label(score: float) -> str:
    if score >= _LABEL_AT:
        return "positive"
    return "negative" if score <= -_LABEL_AT else "neutral"


def _phrase_total(norm: str) -> float:
    return sum(weight * len(re.findall(rf"\b{phrase}", norm)) for phrase, weight in PHRASES.items())


def _strip_phrases(norm: str) -> str:
    for phrase in PHRASES:
        norm = re.sub(rf"\b{phrase}\w*", " , ", norm)
    return norm


def word_weight(word: str) -> float:
    """The lexicon weight of one normalised word (0 when unknown)."""
    if word in EXACT:
        return EXACT[word]
    return next((w for prefix, w in PREFIXES.items() if word.startswith(prefix)), 0.0)


def _words_total(norm: str) -> float:
    """Sum of word weights, with negations and intensifiers; punctuation ends their reach."""
    total, negated_until, boost, last = 0.0, -1, 1.0, None  # last: (index, weight) of the last scored word
    for i, token in enumerate(re.findall(r"[a-z]+|[.,;!?]", norm)):
        if token in ".,;!?":
            negated_until, boost = -1, 1.0
        elif token in NEGATORS:
            negated_until = i + _NEGATION_WINDOW
        elif token in INTENSIFIERS:
            boost = 1.5
        elif token in POST_INTENSIFIERS and last and last[0] >= i - 2:
            total += last[1] * 0.5
            last = None
        elif weight := word_weight(token):
            if i <= negated_until:
                weight = -weight if weight > 0 else -weight * 0.5  # "não gostei" < 0 < "não foi ruim"
            weight *= boost
            total, boost, last = total + weight, 1.0, (i, weight)
    return total


def _emoji_total(text: str) -> float:
    return sum(weight * text.count(emoji) for emoji, weight in EMOJIS.items())


def _shouting(text: str) -> float:
    """ALL CAPS and repeated '!' make the feeling stronger, whichever it is."""
    letters = [c for c in text if c.isalpha()]
    factor = 1.0
    if len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) >= 0.7:
        factor *= 1.5
    if re.search(r"[!?]{2,}", text) and "!" in text:
        factor *= 1.3
    return factor


def combine(sentiments: list[Sentiment]) -> Sentiment:
    """The sentiment of a burst: the most negative message counts most (one angry line is enough)."""
    if not sentiments:
        return NEUTRAL
    worst = min(sentiments, key=lambda s: s.score)
    if worst.label == "negative":
        return worst
    mean = sum(s.score for s in sentiments) / len(sentiments)
    score = round(math.copysign(min(abs(mean), 1.0), mean), 3)
    return Sentiment(_label(score), score)
