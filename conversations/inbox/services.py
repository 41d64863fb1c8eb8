"""What staff do from the inbox, through the conversation services (conversations/core/handoff.py,
sessions.py); this module only adds the inbox's own bookkeeping (what staff have seen) and refuses
up front a message WhatsApp would not deliver."""

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from conversations.core.handoff import conversation_hand_back, staff_reply
from conversations.core.models import Conversation, Outbox
from conversations.core.sessions import conversation_close
from conversations.inbox.selectors import conversation_reach

OUTSIDE_WINDOW = ("O cliente escreveu pela última vez há mais de {hours} horas: fora dessa janela o WhatsApp só "
                  "entrega modelos aprovados, e este canal não tem um para esta mensagem. Espere o cliente "
                  "escrever de novo ou peça a um gerente para cadastrar o modelo de reserva do canal.")


def inbox_mark_seen(*, conversation: Conversation, message_id: int) -> None:
    """Staff saw the thread up to `message_id`. Only ever moves forward (two tabs, two people)."""
    if message_id > conversation.staff_seen_message_id:
        Conversation.objects.filter(pk=conversation.pk, staff_seen_message_id__lt=message_id).update(
            staff_seen_message_id=message_id)
        conversation.staff_seen_message_id = message_id


def inbox_reply(*, conversation: Conversation, author, text: str, key: str = "", slot: str = "",
                variables: Mapping[str, object] | None = None, approved_template: bool = False,
                now: datetime | None = None) -> Outbox:
    """A staff reply (`staff_reply`), refused when it could not reach the customer.

    Outside the channel's window (WhatsApp's 24 hours) the outbox sends the approved template
    mapped to `slot` (an unedited company text, `approved_template`), else the channel's fallback
    template; with neither, nothing would be delivered, so the reply is refused here.
    """
    reach = conversation_reach(conversation=conversation, now=now)
    if not reach.window_open and not reach.fallback and not (slot and approved_template):
        raise ValidationError(OUTSIDE_WINDOW.format(hours=reach.window_hours))
    return staff_reply(conversation=conversation, author=author, text=text, idempotency_key=key, now=now,
                       slot=slot, variables=variables)


@transaction.atomic
def inbox_close(*, conversation: Conversation, actor) -> Conversation:
    """Close the conversation; one with the staff is handed back first, so the trail says who ended it."""
    if conversation.status == Conversation.Status.CLOSED:
        raise ValidationError("Esta conversa já está encerrada.")
    if conversation.status == Conversation.Status.HANDOFF:
        conversation_hand_back(conversation=conversation, actor=actor)
    conversation_close(conversation=conversation)
    return conversation
