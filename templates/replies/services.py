"""Writes of a company's reply templates: its own wording of a slot (or of one of its variants), and
going back to the shipped default.

Every write is checked against the slot's rules (its variables, the template language, WhatsApp's
4,096 characters), tells every process to reload (`settings_changed()`: the next message after the
response already says the new text) and is published for the company's audit trail; django-auditlog
keeps the field diff of the row itself (registered in `setup.py`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from secretaria.events import SettingsChanged, publish
from secretaria.settings_cache import settings_changed
from templates.replies.catalogue import Slot, slot_get
from templates.replies.models import ReplyTemplate
from templates.replies.syntax import validate


def slot_checked(slot: str, variant: str = "") -> Slot:
    """The catalogue's slot, if it has `variant` ("" is the slot's base text); ValidationError (pt-BR)
    naming what exists otherwise."""
    try:
        found = slot_get(slot)
    except LookupError:
        raise ValidationError({"slot": [f"Modelo de resposta desconhecido: “{slot}”."]}, code="unknown_slot") from None
    if variant and variant not in found.variants:
        known = ", ".join(found.variants) or "nenhuma (só o texto principal)"
        raise ValidationError({"variant": [f"Variação desconhecida para “{slot}”: “{variant}”. "
                                           f"Variações deste modelo: {known}."]}, code="unknown_variant")
    return found


def template_check(slot: str, text: str, variant: str = "") -> Slot:
    """What saving `text` at (slot, variant) would accept: the slot and variant exist, the text is not
    empty, fits a WhatsApp message and uses only the slot's variables, with whole braces. Returns the
    slot; ValidationError (pt-BR, on `text`) otherwise."""
    found = slot_checked(slot, variant)
    try:
        validate(text, allowed=found.variables)
    except ValidationError as exc:
        raise ValidationError({"text": exc.messages}, code=exc.code) from exc
    return found


@transaction.atomic
def template_set(slot: str, text: str, variant: str = "", by: str = "") -> ReplyTemplate:
    """The company says `text` at `slot` (or at its `variant`) from now on; `by` is who changed it."""
    template_check(slot, text, variant)
    row, created = ReplyTemplate.objects.update_or_create(
        slot=slot, variant=variant, defaults={"text": text, "updated_by": by[:254]})
    _changed("templates.reply_template_changed", slot, variant, by, created=created)
    return row


@transaction.atomic
def template_reset(slot: str, variant: str = "", by: str = "") -> bool:
    """Back to the shipped default at (slot, variant); whether the company had its own text there.

    Only that entry: resetting the slot's base text keeps the company's variants, and the other way round.
    """
    slot_checked(slot, variant)
    deleted = 0
    for row in ReplyTemplate.objects.filter(slot=slot, variant=variant):
        row.delete()  # one by one, so that django-auditlog records the deletion
        deleted += 1
    if deleted:
        _changed("templates.reply_template_reset", slot, variant, by)
    return bool(deleted)


def _changed(action: str, slot: str, variant: str, by: str, **data) -> None:
    settings_changed()
    publish(SettingsChanged(area="reply_template", action=action, actor=by,
                            target=f"template:{slot}:{variant}" if variant else f"template:{slot}",
                            data={"slot": slot, "variant": variant, **data}))
