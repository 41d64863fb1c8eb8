"""The renderer behind `secretaria.texts.text` (set in templates' AppConfig.ready()).

Choosers (an A/B test on the slot) may pick the text for a contact first; otherwise the company's
text for the slot. Then one alternative is chosen and the variables are filled.
"""

from __future__ import annotations

from collections.abc import Callable

from secretaria.texts import TextAsk
from templates.replies.selectors import template_text
from templates.replies.syntax import choose, fill

# (ask) -> the text to say instead of the company's, or None. templates/experiments registers one.
Chooser = Callable[[TextAsk], str | None]
_choosers: list[Chooser] = []


def chooser_add(chooser: Chooser) -> None:
    if chooser not in _choosers:
        _choosers.append(chooser)


def slot_render(ask: TextAsk) -> str:
    text = None
    for chooser in _choosers:
        text = chooser(ask)
        if text is not None:
            break
    if text is None:
        text = template_text(ask.slot, ask.variant)
    return fill(choose(text, seed=ask.seed, avoid=ask.avoid), ask.variables)
