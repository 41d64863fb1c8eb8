"""WhatsApp pt-BR as the engine matches it: "vc tem horaaario amnh? 🙏" -> "voce tem horario amanha? obrigado".

Customers write in abbreviations, stretched letters, without accents, with typos, numbers in
words and emojis. Intent detection, the safety check and the knowledge search read the
normalised text; the original stays for display and for a language model. The tables live in
`engine/data/whatsapp_ptbr.py`; this module only applies them, in this order:

1. emojis -> words (before folding, which would keep them but lose nothing else);
2. `fold` (lower case, no accents, single spaces);
3. stretched letters collapsed ("olaaa" -> "ola", "carrrro" -> "carro");
4. word by word: abbreviations, misspellings, number words and ordinals, then, for a word none
   of those know, the nearest word of a vocabulary if it is close enough (rapidfuzz).
"""

import re
from collections.abc import Collection
from functools import lru_cache

from rapidfuzz import fuzz, process

from conversations.assistant.engine.data.whatsapp_ptbr import (
    ABBREVIATIONS,
    DOUBLE_LETTERS,
    DOUBLE_VOWEL_WORDS,
    EMOJIS,
    MISSPELLINGS,
    NUMBERS,
    VOCABULARY,
)
from secretaria.ptbr import fold

# rapidfuzz's `ratio` is 100 * (1 - Indel distance / total length); one letter missing or extra costs
# about 2/len. Against the engine's own words (intents) the cutoff is 90: a letter left out or doubled
# ("cnsulta" 93, "cancelr" 93, "estacionamnto" 96) is corrected, but a real word of another meaning
# that happens to be close stays ("atender" vs "atendente" 87.5, "marcas" vs "marcar" 83), since a
# wrong correction there changes the intent. Against a company's service and FAQ words (knowledge
# search, which still has to score) the cutoff is 85, so one swapped letter in 7+ is forgiven too
# ("limpesa" 86, "pelling" 86) while "laser" finds nothing. Tested both ways in test_normalize.py.
FUZZY_CUTOFF = 90
COMPANY_CUTOFF = 85
# Shorter words are corrected only by the tables: one letter off in four is another word ("casa", "caso").
FUZZY_MIN_LENGTH = 5

_WORDS = {**NUMBERS, **MISSPELLINGS, **ABBREVIATIONS}
_EMOJI = re.compile("|".join(re.escape(e) for e in sorted(EMOJIS, key=len, reverse=True)))
# Emojis with no meaning in EMOJIS ("🌙", "😅") are dropped: they would stop a pattern between two words.
_OTHER_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+")
_STRETCH = re.compile(r"([a-z])\1{2,}")
_FINAL_DOUBLE = re.compile(r"\b[a-z]*([aeiou])\1\b")
_TOKEN = re.compile(r"[a-z0-9]+")
_DIMINUTIVE = re.compile(r"^([a-z]{3,}?)(z?)inh([oa])(s?)$")


def normalize(text: str, vocabulary: Collection[str] = ()) -> str:
    """The text as matched: folded, abbreviations spelled out, typos near `VOCABULARY` (and the
    caller's `vocabulary`, e.g. the company's service words, at COMPANY_CUTOFF) corrected.
    Punctuation stays ("?" matters)."""
    words = _OTHER_EMOJI.sub(" ", _EMOJI.sub(lambda m: f" {EMOJIS[m.group()]} ", text or ""))
    norm = _collapse(fold(words))
    extra = frozenset(vocabulary)
    return _TOKEN.sub(lambda m: _word(m.group(), extra), norm)


def _collapse(norm: str) -> str:
    """'olaaa' -> 'ola', 'bommm diaaa' -> 'bom dia', 'carrrro' -> 'carro' (three or more of a letter);
    a doubled last vowel too ('boa noitee', 'falouu', 'oiee'), but for the few words spelled so ('voo')."""
    norm = _STRETCH.sub(lambda m: m.group(1) * (2 if m.group(1) in DOUBLE_LETTERS else 1), norm)
    return _FINAL_DOUBLE.sub(lambda m: m.group() if m.group() in DOUBLE_VOWEL_WORDS else m.group()[:-1], norm)


def _word(word: str, extra: frozenset[str]) -> str:
    if word in _WORDS:
        return _WORDS[word]
    if word in extra or word in VOCABULARY:
        return word
    if base := _undiminished(word):  # "consultinha" -> "consulta", "cravinho" -> "cravos" (the company's word)
        for form in (base, f"{base}s", base.removesuffix("s")):
            if form in extra or form in VOCABULARY:
                return form
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return word
    # The nearer of the engine's word and the company's wins, the company's on a tie: "mancha" is the
    # clinic's "manchas" (92), not the engine's "manha" (91).
    known, company = _closest_known(word), _scored(word, extra, COMPANY_CUTOFF)
    if company and (known is None or company[1] >= known[1]):
        return company[0]
    return known[0] if known else word


def _undiminished(word: str) -> str | None:
    """The word without its diminutive ('consultinha' -> 'consulta', 'botoxzinho' -> 'botox'), or None."""
    match = _DIMINUTIVE.match(word)
    if not match:
        return None
    stem, z, gender, plural = match.groups()
    return f"{stem}{plural}" if z else f"{stem}{gender}{plural}"


def closest(word: str, vocabulary: Collection[str], cutoff: float = FUZZY_CUTOFF) -> str | None:
    """The word of `vocabulary` nearest to `word`, if its rapidfuzz ratio reaches `cutoff`."""
    found = _scored(word, vocabulary, cutoff)
    return found[0] if found else None


def _scored(word: str, vocabulary: Collection[str], cutoff: float) -> tuple[str, float] | None:
    if not vocabulary:
        return None
    found = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
    return (found[0], found[1]) if found else None


@lru_cache(maxsize=4096)
def _closest_known(word: str) -> tuple[str, float] | None:
    # Customers repeat the same words all day: remember the answers for the engine's fixed vocabulary.
    return _scored(word, VOCABULARY, FUZZY_CUTOFF)


def similarity(a: str, b: str) -> float:
    """0..100: how alike two phrases are, word order and extra words aside ("limpeza pele" ~ "limpeza de pele")."""
    return fuzz.token_set_ratio(fold(a), fold(b))
