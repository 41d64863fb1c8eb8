"""Reads of the reply templates, in the current company's schema."""

from __future__ import annotations

from secretaria.settings_cache import cached
from templates.replies.catalogue import slot_get, slots
from templates.replies.models import ReplyTemplate


def company_texts() -> dict[tuple[str, str], str]:
    """The company's edits by (slot, variant), kept in each process until its settings change."""
    return cached("reply_templates", lambda: {(row.slot, row.variant): row.text for row in ReplyTemplate.objects.all()})


def template_text(slot: str, variant: str = "") -> str:
    """What the company says at `slot`: its edit of the variant, its edit of the slot, the default
    variant, the default. A company's edit always wins over a default."""
    edits = company_texts()
    default = slot_get(slot)
    if variant and (slot, variant) in edits:
        return edits[(slot, variant)]
    if (slot, "") in edits:
        return edits[(slot, "")]
    return default.default(variant)


def template_list() -> list[dict]:
    """Every slot and variant with the company's text and the default, in catalogue order."""
    edits = company_texts()
    listed = []
    for slot in slots().values():
        for variant in ("", *slot.variants):
            listed.append({"slot": slot.name, "variant": variant, "label": slot.label, "moment": slot.moment,
                           # what the customer receives: a variant without its own edit says the company's slot edit
                           "text": template_text(slot.name, variant),
                           "default_text": slot.default(variant), "variables": list(slot.variables),
                           "customized": (slot.name, variant) in edits})
    return listed
