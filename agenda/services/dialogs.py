"""Where the agenda conversation with a contact stands (one row per contact, see models.Dialog).

Data by step (the chat reads what the automations wrote):
- choosing_slot:  {"slots": [Slot.key()...], "purpose": "book"|"reschedule", "service_id": int|None,
                   "appointment_id": int (reschedule only)}
- confirming:     {"slot": Slot.key(), "purpose": ..., "service_id": ..., "appointment_id": ...}
- choosing_appointment: {"appointment_ids": [int...], "purpose": "reschedule"|"cancel"}
- confirming_cancel: {"appointment_id": int}
- reminder:       {"appointment_id": int, "reminder_id": int}
- followup:       {"followup_id": int}
- rebook_offer:   {"appointment_id": int (the missed one), "slots": [Slot.key()...], "service_id": int|None}
- waitlist_offer: {"entry_id": int, "slot": Slot.key()}
"""

from datetime import timedelta

from django.utils import timezone

from agenda.models import Dialog
from conversations.models import Contact

DEFAULT_TTL_MINUTES = 60


def dialog_open(*, contact: Contact, step: str, data: dict, ttl_minutes: int = DEFAULT_TTL_MINUTES) -> Dialog:
    """Replace whatever the contact's agenda dialog was with this step."""
    dialog, _ = Dialog.objects.update_or_create(contact=contact, defaults={
        "step": step, "data": data, "expires_at": timezone.now() + timedelta(minutes=ttl_minutes)})
    return dialog


def dialog_current(*, contact: Contact) -> Dialog | None:
    """The contact's dialog if it has not expired."""
    return Dialog.objects.filter(contact=contact, expires_at__gt=timezone.now()).first()


def dialog_close(*, contact: Contact) -> None:
    Dialog.objects.filter(contact=contact).delete()
