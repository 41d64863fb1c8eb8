"""Form fields the settings pages share: a week of opening intervals as a grid, money typed in reais,
durations and small costs written the way staff read them.

The weekly grid posts one text input per interval end, named `<field>-<weekday>-<n>-start|end`, and
one "fechado" checkbox per day (`<field>-<weekday>-closed`); without JavaScript the grid still saves
what is on screen, with it (settings_panel/week_hours.js) staff add and remove intervals and copy
Monday to the other weekdays. What it means is checked in conversations/assistant/weekly_hours.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.safestring import mark_safe

from conversations.assistant.weekly_hours import DAYS, Span, clock, spans_of_business_hours, week_problems
from secretaria.ptbr import WEEKDAY_NAMES, brl

MAX_SPANS = 12  # intervals a day: far more than any business needs, a bound on what a POST may ask
INTEGER_MAX = 2**31 - 1  # price_cents is an integer column


@dataclass
class DayInput:
    """One day of the grid as typed (kept as text, to show back with the errors)."""

    weekday: int
    closed: bool = False
    spans: list[tuple[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = WEEKDAY_NAMES[self.weekday]
        return name[0].upper() + name[1:]


def _days_of(value) -> list[DayInput]:
    """The grid's days from whatever the form holds: typed input, spans, or business_hours JSON."""
    if isinstance(value, list) and all(isinstance(item, DayInput) for item in value) and value:
        return value
    if isinstance(value, dict):
        value = spans_of_business_hours(value)
    days = [DayInput(weekday) for weekday in DAYS]
    for span in value or []:
        days[span.weekday].spans.append((f"{span.start:%H:%M}", f"{span.end:%H:%M}"))
    if not any(day.spans for day in days):
        return days  # no hours at all means "any hour" (see the help text), not seven closed days
    for day in days:
        day.closed = not day.spans
    return days


class WeekHoursWidget(forms.Widget):
    template_name = "settings_panel/week_hours.html"

    class Media:
        js = ("settings_panel/week_hours.js",)
        css = {"all": ("settings_panel/settings.css",)}

    def value_from_datadict(self, data, files, name) -> list[DayInput]:
        days = []
        for weekday in DAYS:
            day = DayInput(weekday, closed=data.get(f"{name}-{weekday}-closed") in ("on", "1", "true"))
            for index in range(MAX_SPANS):
                start, end = data.get(f"{name}-{weekday}-{index}-start"), data.get(f"{name}-{weekday}-{index}-end")
                if start is not None or end is not None:  # a row removed on screen leaves a gap in the numbers
                    day.spans.append(((start or "").strip(), (end or "").strip()))
            days.append(day)
        return days

    def value_omitted_from_data(self, data, files, name) -> bool:
        return not any(key.startswith(f"{name}-") for key in data)

    def format_value(self, value):
        return value  # the template reads the days, not a string

    def _render(self, template_name, context, renderer=None):
        # The project's template engine (its DIRS hold this app's settings templates), not the form
        # renderer's, which only looks in apps' own template folders.
        return mark_safe(loader.render_to_string(template_name, context))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        days = _days_of(value)
        for day in days:
            if not day.spans:
                day.spans = [("", "")]  # an open day starts with one empty interval to fill
        context["widget"]["days"] = days
        context["widget"]["disabled"] = bool((attrs or {}).get("disabled") or self.attrs.get("disabled"))
        return context


class WeekHoursField(forms.Field):
    """The grid, cleaned to sorted `Span`s (a closed day, or one left empty, has none)."""

    widget = WeekHoursWidget

    def to_python(self, value) -> list[Span]:
        spans, problems = [], []
        for day in _days_of(value):
            if day.closed:
                continue
            for start, end in day.spans:
                if not start and not end:
                    continue
                if not start or not end:
                    problems.append(f"{day.label}: informe o início e o fim de cada intervalo.")
                    continue
                try:
                    spans.append(Span(day.weekday, clock(start), clock(end)))
                except ValueError:
                    problems.append(f"{day.label}: horário inválido ({start}–{end}); use, por exemplo, 08:00.")
        problems += week_problems(spans)
        if problems:
            raise ValidationError(problems)
        return sorted(set(spans))

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != self.to_python(_days_of(initial))
        except ValidationError:
            return True


_MONEY = re.compile(r"\d{1,3}(\.\d{3})+(,\d{1,2})?|\d+(,\d{1,2})?|\d+\.\d{1,2}")


def reais_to_cents(text: str) -> int | None:
    """Money as typed in Brazil: "150", "150,00", "1.200,50", "R$ 1.200" -> cents; "" -> None.

    A comma is the decimal separator and dots group thousands; a lone dot followed by one or two
    digits ("150.5") is read as decimals too, as people paste it from elsewhere. ValueError otherwise.
    """
    typed = re.sub(r"\s+", "", (text or "").replace("R$", ""))
    if not typed:
        return None
    if not _MONEY.fullmatch(typed):
        raise ValueError(text)
    if "," in typed or re.fullmatch(r"\d{1,3}(\.\d{3})+", typed):
        typed = typed.replace(".", "").replace(",", ".")
    try:
        cents = int(Decimal(typed) * 100)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return cents


class ReaisField(forms.CharField):
    """A price in reais, cleaned to cents (None when left blank)."""

    default_error_messages = {"invalid": "Use um valor em reais, por exemplo 150, 150,00 ou 1.200,50.",
                              "max": "Valor alto demais (máximo R$ 21.474.836,47)."}

    def prepare_value(self, value):
        if isinstance(value, int):
            return brl(value).removeprefix("R$ ")
        return value

    def to_python(self, value):
        try:
            cents = reais_to_cents(super().to_python(value))
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if cents is not None and cents > INTEGER_MAX:
            raise ValidationError(self.error_messages["max"], code="max")
        return cents

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


_BEFORE = re.compile(r"(?:(?P<days>\d+)\s*(?:d|dias?))?\s*(?:(?P<hours>\d+)\s*(?:h|horas?))?\s*"
                     r"(?:(?P<minutes>\d+)\s*(?:m|min|minutos?)?)?")


def minutes_of(text: str) -> int:
    """"24h", "1 h 30", "90 min", "90", "2 dias" -> minutes; ValueError when it is none of those."""
    match = _BEFORE.fullmatch(text.strip().lower())
    if not match or not any(match.groupdict().values()):
        raise ValueError(text)
    return int(match["days"] or 0) * 1440 + int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)


class RemindersField(forms.CharField):
    """How long before an appointment each reminder goes, typed as people say it ("24 h, 1 h"), cleaned
    to a list of minutes (the limits are the calendar service's to check)."""

    default_error_messages = {"invalid": "Use tempos separados por vírgula, como 24 h, 2 h ou 30 min."}

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(duration_text(minutes) for minutes in value)
        return value

    def to_python(self, value) -> list[int]:
        text = super().to_python(value).strip().strip("[]")  # the API's list, [1440, 60], reads as minutes too
        parts = [part for part in re.split(r"[,;]|\se\s", text) if part.strip()]
        try:
            return [minutes_of(part) for part in parts]
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


def duration_text(minutes: int | None) -> str:
    """90 -> "1 h 30 min", 60 -> "1 h", 45 -> "45 min"."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


PICO_PER_REAL = 10**12


def brl_small(pico: int) -> str:
    """A cost in pico-reais (billing/metering/prices.py) as staff read it: cents once it reaches a cent
    ("R$ 12,34"), else the first significant decimals ("R$ 0,0007"), "R$ 0,00" for nothing."""
    if pico >= PICO_PER_REAL // 100 or pico == 0:
        return brl(round(pico / (PICO_PER_REAL // 100)))
    reais = Decimal(pico) / PICO_PER_REAL
    places = 2
    while reais < Decimal(1).scaleb(-places) and places < 8:
        places += 1
    shown = f"{reais:.{places + 1}f}".rstrip("0")
    return "R$ " + shown.replace(".", ",")
