"""What a customer would read: a slot's text filled with the slot's sample data (a made-up Maria at
a made-up clinic), for the API's preview and the admin's edit page.

Only the template: a running A/B test on the slot is left out (it picks per contact; its variants
have their own preview in the experiments' pages).
"""

from __future__ import annotations

from dataclasses import dataclass

from templates.replies.selectors import template_text
from templates.replies.services import slot_checked, template_check
from templates.replies.syntax import alternatives, fill


@dataclass(frozen=True)
class Preview:
    text: str  # what the bot says first (the first alternative), filled
    alternatives: list[str]  # every alternative, filled, in order
    sample: dict[str, str]  # the values used


def template_preview(slot: str, text: str | None = None, variant: str = "") -> Preview:
    """`text` (unsaved: checked as saving it would be) or, without it, what the company says now at
    (slot, variant), rendered with the slot's sample data."""
    found = slot_checked(slot, variant) if text is None else template_check(slot, text, variant)
    if text is None:
        text = template_text(slot, variant)
    sample = found.sample()
    filled = [fill(option, sample) for option in alternatives(text) or [text]]
    return Preview(text=filled[0], alternatives=filled, sample=sample)
