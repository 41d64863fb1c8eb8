"""Where the agenda conversation with a contact stands (one row per contact, see models.Dialog).

The state of each step is a dataclass of agenda/chat/dialog_state.py (the chat reads what
the automations wrote); the row keeps its step and its JSON.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from django.utils import timezone

from agenda.chat.dialog_state import DialogState, state_from_json
from agenda.models import Dialog
from conversations.models import Contact

log = structlog.get_logger(__name__)
DEFAULT_TTL_MINUTES = 60


@dataclass(frozen=True)
class OpenDialog:
    state: DialogState
    updated_at: datetime  # when this step was opened: a reminder does not interrupt a booking under way


def dialog_open(*, contact: Contact, state: DialogState, ttl_minutes: int = DEFAULT_TTL_MINUTES) -> None:
    """Replace whatever the contact's agenda dialog was with this step."""
    Dialog.objects.update_or_create(contact=contact, defaults={
        "step": state.step, "data": state.to_json(), "expires_at": timezone.now() + timedelta(minutes=ttl_minutes)})


def dialog_current(*, contact: Contact) -> OpenDialog | None:
    """The contact's dialog if it has not expired (and can be read: a corrupt row is no dialog)."""
    row = Dialog.objects.filter(contact=contact, expires_at__gt=timezone.now()).first()
    if row is None:
        return None
    try:
        return OpenDialog(state=state_from_json(row.step, row.data), updated_at=row.updated_at)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        # Never written by any version of the code (an edit by hand?): better no dialog than a crash
        # in every reply and reminder of this contact. The next step replaces the row.
        log.warning("agenda_dialog_unreadable", contact_id=contact.pk, step=row.step, error=repr(exc))
        return None


def dialog_close(*, contact: Contact) -> None:
    Dialog.objects.filter(contact=contact).delete()
