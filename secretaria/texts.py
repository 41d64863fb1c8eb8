"""Every fixed text the product sends to a customer is a named template slot.

The slots, their pt-BR defaults (data files) and each company's edits live in `templates/`, a
higher floor; the floors below (billing, conversations, agenda) ask for a text here, by slot:

    text("booking_confirmation", {"servico": "Limpeza de pele", "data": "terça, 08/12", ...},
         contact_id=contact.pk, variant="formal")

and `templates` fills the renderer in its `AppConfig.ready()`. The renderer picks the company's
edit of the slot (or the default), lets a running A/B test choose among its variants for this
contact, and fills the variables. The text that comes back is final: the language model never
rewrites it (it may word free answers, never a template's dates, prices or addresses).

`variant` names a wording of the slot for a sentiment, a formality or a channel ("formal",
"informal", "upset"...); a slot without that variant answers with its base text. `seed` and
`avoid` choose among a text's alternatives (lines of `---` between them) the way the assistant
varies its wording: the same seed gives the same choice, never one of the texts in `avoid`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextAsk:
    slot: str
    variables: Mapping[str, object] = field(default_factory=dict)
    variant: str = ""
    contact_id: int | None = None
    seed: str = ""
    avoid: tuple[str, ...] = ()


Renderer = Callable[[TextAsk], str]
_renderer: list[Renderer] = []


def renderer_set(renderer: Renderer) -> None:
    """templates' AppConfig.ready(): the one renderer (setting it again replaces it)."""
    _renderer[:] = [renderer]


def text(slot: str, variables: Mapping[str, object] | None = None, *, variant: str = "",
         contact_id: int | None = None, seed: str = "", avoid: Iterable[str] = ()) -> str:
    """The company's text for `slot`, filled with `variables` (in the current company's schema)."""
    if not _renderer:
        raise RuntimeError("No text renderer: the templates app is not installed or not ready.")
    return _renderer[0](TextAsk(slot=slot, variables=dict(variables or {}), variant=variant,
                                contact_id=contact_id, seed=seed, avoid=tuple(avoid)))
