"""Figures as a person in Brazil reads them: 1.234, 12,5 %, R$ 1.200,00, 4 min 05 s, 01/12/2026.

The PDF prints these texts; the CSV writes bare numbers with a decimal comma (`plain`), so that a
pt-BR spreadsheet reads them as numbers; the XLSX writes real numbers with formats of its own.
"""

from datetime import date

from secretaria.ptbr import brl

NO_DATA = "sem dados"
NO_COMPARISON = "–"
MONTHS_SHORT = ("jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez")
# The unit a CSV column's header names (its cells are bare numbers).
UNITS = {"ratio": "%", "seconds": "s", "brl_cents": "R$"}


def decimal(value: float, places: int = 1) -> str:
    """1234.5 -> "1.234,5" (thousands with a dot, decimals with a comma)."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def integer(value: float) -> str:
    return decimal(round(value), 0)


def percent(fraction: float, places: int = 1) -> str:
    """0.125 -> "12,5 %" (Brazilian style puts a space before the sign)."""
    return f"{decimal(fraction * 100, places)} %"


def duration(seconds: float) -> str:
    """45 -> "45 s", 245 -> "4 min 05 s", 3900 -> "1 h 05 min", 100000 -> "27 h 47 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


def score(value: float) -> str:
    """NPS and satisfaction: 72 -> "72", 4.25 -> "4,3"."""
    return integer(value) if float(value).is_integer() else decimal(value, 1)


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def day_short(value: date) -> str:
    return value.strftime("%d/%m")


def month_short(value: date) -> str:
    """date(2026, 11, 1) -> "nov/26"."""
    return f"{MONTHS_SHORT[value.month - 1]}/{value.strftime('%y')}"


def value(kind: str, figure) -> str:
    """A figure of the catalogue's `kind` as text, "sem dados" when there is none."""
    if figure is None:
        return NO_DATA
    if kind == "ratio":
        return percent(figure)
    if kind == "seconds":
        return duration(figure)
    if kind == "brl_cents":
        return brl(round(figure))
    if kind == "score":
        return score(figure)
    return integer(figure)


def change(kpi) -> str:
    """A KPI's change: "+12,5 %", "-3,0 %", "+2,0 p.p." for rates, "–" when nothing compares."""
    if kpi.change is None:
        return NO_COMPARISON
    sign = "+" if kpi.change > 0 else "-" if kpi.change < 0 else ""
    if kpi.in_points:
        return f"{sign}{decimal(abs(kpi.change) * 100)} p.p."
    return f"{sign}{percent(abs(kpi.change))}"


def plain(kind: str, figure) -> str:
    """A CSV cell: "1234", "12,5" (percent), "1200,00" (reais), "95" (seconds), "sem dados"."""
    if figure is None:
        return NO_DATA
    if kind == "ratio":
        return f"{figure * 100:.1f}".replace(".", ",")
    if kind == "brl_cents":
        return f"{figure / 100:.2f}".replace(".", ",")
    if kind == "score":
        return f"{figure:.1f}".replace(".", ",")
    return str(round(figure))


def header(column) -> str:
    """A CSV/XLSX column's header with its unit: "Taxa de faltas (%)"."""
    unit = UNITS.get(column.kind)
    return f"{column.label} ({unit})" if unit else column.label
