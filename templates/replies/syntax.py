"""The template language: `{variable}` placeholders, `{{`/`}}` for a literal brace, and alternatives
separated by a line holding only `---` (the bot varies among them).

Only bare names are placeholders: no attribute or index access, conversions or format specs, so a
company's text can never reach into the objects behind a variable. An empty variable takes the
comma, the space, the dash or the linking word ("com", "para", "de") just before it along ("Bom dia, {nome}!"
with no name is "Bom dia!", "às 15:00 com {profissional}." without one is "às 15:00."), and its whole line
when nothing but punctuation or an emoji would be left there ("📍 {endereco}" without an address).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from string import Formatter

from django.core.exceptions import ValidationError

ALTERNATIVE = re.compile(r"\n[ \t]*---[ \t]*\n")
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_TEXT = 4096  # WhatsApp's limit for a text message


def alternatives(text: str) -> list[str]:
    return [part.strip() for part in ALTERNATIVE.split(text.strip()) if part.strip()]


def fields(text: str) -> list[str]:
    """The variables `text` uses, in order; ValidationError (pt-BR) for a broken brace or a placeholder
    that is not a bare name."""
    found = []
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(f"Chave {{ }} quebrada no texto: {_brace_message(exc)}.", code="syntax") from exc
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not NAME.match(name) or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValidationError(f"Variável inválida: {shown}. Use só o nome, como {{nome}}.", code="syntax")
        found.append(name)
    return found


def _brace_message(exc: ValueError) -> str:
    message = str(exc)
    if "'}'" in message:
        return "há um “}” sem “{” (para escrever a chave, use “}}”)"
    return "há um “{” sem “}” (para escrever a chave, use “{{”)"


def validate(text: str, *, allowed: Iterable[str], limit: int = MAX_TEXT) -> None:
    """What a saved text must satisfy: not empty, within `limit` characters, known variables only."""
    if not text or not text.strip():
        raise ValidationError("O texto não pode ficar vazio.", code="empty")
    if len(text) > limit:
        raise ValidationError(f"O texto tem {len(text)} caracteres; o limite é {limit}.", code="too_long")
    allowed = set(allowed)
    unknown = [name for name in fields(text) if name not in allowed]
    if unknown:
        names = ", ".join("{" + name + "}" for name in sorted(allowed)) or "nenhuma"
        raise ValidationError(f"Variável desconhecida: {{{unknown[0]}}}. Variáveis deste modelo: {names}.",
                              code="unknown_variable")


def _was_sent(option: str, sent: str) -> bool:
    """Is `option` in the (plain) text `sent`, whatever filled its variables? Its words between the
    placeholders, in order: greetings that differ only in "Aqui é"/"Quem fala é" are told apart."""
    parts = [_plain(part) for part in re.split(r"\{\w+\}", option)]
    parts = [part for part in parts if part]
    return bool(parts) and re.search(".*?".join(re.escape(part) for part in parts), sent) is not None


def choose(text: str, *, seed: str = "", avoid: Iterable[str] = ()) -> str:
    """One of the text's alternatives: by `seed` ("" -> the first), skipping one already in `avoid`."""
    options = alternatives(text) or [text]
    start = zlib.crc32(seed.encode()) % len(options) if seed else 0
    sent = [_plain(said) for said in avoid]
    for step in range(len(options)):
        option = options[(start + step) % len(options)]
        if not any(_was_sent(option, said) for said in sent):
            return option
    return options[start]


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# What goes with an empty variable: the comma, the dash or the linking word before it, else the spaces.
_BEFORE_EMPTY = r"(?:,\s*|[ \t]+(?:—|com|para|de)[ \t]+|[ \t]+)?"


def fill(text: str, variables: Mapping[str, object]) -> str:
    """`text` with its variables filled; a variable not given is empty."""
    values = {name: "" if variables.get(name) is None else str(variables.get(name)) for name in fields(text)}
    empty = {name for name, value in values.items() if not value}
    if empty:  # "📍 {endereco}" goes; "Bom dia, {nome}!" -> "Bom dia!": the separator goes with the empty value
        text = "\n".join(line for line in text.split("\n") if not _only_empty(line, empty))
    for name in empty:
        text = re.sub(_BEFORE_EMPTY + r"(?<!\{)\{" + name + r"\}(?!\})", "{" + name + "}", text)
    return text.format_map(values).strip()


def _only_empty(line: str, empty: set[str]) -> bool:
    """A line whose variables are all empty and whose own words are none (an emoji, a dash)."""
    parsed = list(Formatter().parse(line))
    names = {name for _, name, _, _ in parsed if name is not None}
    return bool(names) and names <= empty and not re.search(r"\w", "".join(literal for literal, *_ in parsed))
