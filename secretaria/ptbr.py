"""Brazilian Portuguese as customers and staff read it: weekday names, money, accent folding.

One place for what used to be written out in several modules (weekday names in six, BRL
formatting in three, accent folding in two), so a label reads the same everywhere.
"""

import re
import unicodedata
from decimal import Decimal

# Monday is 0, as datetime.weekday() counts.
WEEKDAYS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo")
WEEKDAY_NAMES = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")
WEEKDAY_SHORT = ("Seg", "Ter", "Qua", "Qui", "Sex", "Sáb", "Dom")
WEEKDAY_CHOICES = tuple(enumerate(WEEKDAY_NAMES))  # for a model field's `choices`
# A weekday named in a customer's (accent-folded) words: "terca" -> 1.
WEEKDAY_NUMBERS = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6}


def brl(cents: int | None) -> str:
    """Money as Brazilians write it: 15000 -> "R$ 150,00", 120000 -> "R$ 1.200,00", None -> ""."""
    if cents is None:
        return ""
    reais = Decimal(cents) / 100
    return "R$ " + f"{reais:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: "Olá,  BOM dia!" -> "ola, bom dia!" (for matching words)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return re.sub(r"\s+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()
