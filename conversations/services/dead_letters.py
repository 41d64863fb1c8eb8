"""Reprocessing the dead-letter queue once whatever made the work fail has been fixed.

Each source knows how to redo its own work. Everything a reprocess does happens in one
transaction with the row locked, so two staff members clicking "Reprocessar" together
cannot both redo it, and a payload that still fails leaves no trace but the error.
Redoing is idempotent where the data allows: a re-stored message that was already
stored is a no-op (the provider's message id is unique), and a reply already sent is
not requeued.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from compliance.services import audit_event_record
from conversations.models import DeadLetter, Message, Outbox
from conversations.providers.channels import meta, sandbox, whaticket
from conversations.providers.channels.base import InboundMessage
from conversations.providers.channels.meta.parse import OBJECT as META_OBJECT
from conversations.services.ingest import delivery_status_apply, inbound_store_many
from conversations.services.pipeline import pipeline_schedule

# What each outcome means to the staff member who clicked "Reprocessar".
OUTCOME_LABELS = {
    "stored": "mensagem registrada",
    "duplicate": "a mensagem já estava registrada",
    "ignored": "nada a registrar",
    "applied": "situação de entrega atualizada",
    "requeued": "de volta à fila",
    "already_sent": "já tinha sido enviada",
    "already_queued": "já estava na fila",
    "nothing": "nada pendente",
}


def dead_letter_reprocess(*, dead_letter: DeadLetter, actor=None) -> str:
    """Redo the failed work; the outcome ("stored", "duplicate", "ignored", "requeued"...).

    Raises ValidationError (pt-BR) when it still cannot be done; the row then stays as it was.
    """
    handler = _HANDLERS.get(dead_letter.source)
    if handler is None:
        raise ValidationError(f"Não sei reprocessar falhas de origem “{dead_letter.source}”.")
    with transaction.atomic():
        locked = DeadLetter.objects.select_for_update().get(pk=dead_letter.pk)
        outcome = handler(locked)
        DeadLetter.objects.filter(pk=locked.pk).update(
            reprocess_count=F("reprocess_count") + 1, reprocessed_at=timezone.now()
        )
        if actor is not None:
            audit_event_record(action="dead_letter.reprocessed", actor=actor.email, target=str(locked.pk),
                               data={"source": locked.source, "outcome": outcome})
    dead_letter.refresh_from_db()
    return outcome


def _unprocessable(exc: Exception) -> ValidationError:
    return ValidationError(f"O conteúdo ainda não pode ser processado: {exc}")


def _store(dead_letter: DeadLetter, messages: list[InboundMessage]) -> str:
    result = inbound_store_many(messages=messages)
    if result.stored and dead_letter.message_id is None:
        DeadLetter.objects.filter(pk=dead_letter.pk).update(message_id=result.stored[0])
    contacts = result.contacts_to_answer
    transaction.on_commit(lambda: pipeline_schedule(contact_ids=contacts))
    return "stored" if result.stored else "duplicate"


def _payload(dead_letter: DeadLetter) -> dict:
    if not isinstance(dead_letter.payload, dict):
        raise ValidationError("O conteúdo guardado não é um objeto JSON.")
    return dict(dead_letter.payload)


def _reprocess_sandbox(dead_letter: DeadLetter) -> str:
    payload = _payload(dead_letter)
    # Without an id the parser invents a new one each time: pin it to this row so that
    # reprocessing twice stores the message once.
    payload.setdefault("id", f"sbx-dl-{dead_letter.pk}")
    try:
        message = sandbox.parse_inbound(payload)
    except ValueError as exc:
        raise _unprocessable(exc) from exc
    return _store(dead_letter, [message])


def _reprocess_whaticket(dead_letter: DeadLetter) -> str:
    try:
        message = whaticket.parse_inbound(_payload(dead_letter))
    except ValueError as exc:
        raise _unprocessable(exc) from exc
    if message is None:
        return "ignored"  # valid, but nothing a customer wrote (our own echo, a status...)
    return _store(dead_letter, [message])


# The webhook dead-letters one rejected item as {"kind", "path", "reason", "channel_account", "item"}.
_META_SECTIONS = {"message": "messages", "status": "statuses", "error": "errors"}


def _meta_notification(payload: dict) -> dict:
    """A whole notification as stored, or the rejected item wrapped back into one."""
    if "object" in payload or payload.get("kind") not in _META_SECTIONS:
        return payload
    value = {"metadata": {"phone_number_id": payload.get("channel_account", "")},
             _META_SECTIONS[payload["kind"]]: [payload.get("item")]}
    return {"object": META_OBJECT, "entry": [{"changes": [{"field": "messages", "value": value}]}]}


def _reprocess_meta(dead_letter: DeadLetter) -> str:
    try:
        notification = meta.parse_notification(_meta_notification(_payload(dead_letter)))
    except ValueError as exc:
        raise _unprocessable(exc) from exc
    if notification.rejected:
        reasons = "; ".join(r["reason"] for r in notification.rejected)
        raise ValidationError(f"O conteúdo ainda não pode ser processado: {reasons}")
    for update in notification.statuses:
        delivery_status_apply(update=update, rank=meta.status_rank)
    if not notification.messages:
        return "applied" if notification.statuses else "ignored"
    return _store(dead_letter, notification.messages)


def _reprocess_send(dead_letter: DeadLetter) -> str:
    outbox = Outbox.objects.filter(pk=_payload(dead_letter).get("outbox_id")).first()
    if outbox is None:
        raise ValidationError("Este envio não existe mais; não há o que reenviar.")
    if outbox.state == Outbox.State.SENT:
        return "already_sent"
    # Compare-and-set: only a failed row goes back; one pending or sending is already on its way.
    requeued = Outbox.objects.filter(pk=outbox.pk, state=Outbox.State.FAILED).update(
        state=Outbox.State.PENDING, last_error=""
    )
    if not requeued:
        return "already_queued"
    transaction.on_commit(lambda: _enqueue_send(outbox.pk))
    return "requeued"


def _enqueue_send(outbox_id: int) -> None:
    from conversations.tasks import outbox_send_task

    outbox_send_task.delay(outbox_id)


def _reprocess_reply(dead_letter: DeadLetter) -> str:
    """Inbound messages the pipeline gave up on go back to `received` and are answered again."""
    ids = _payload(dead_letter).get("message_ids") or ([dead_letter.message_id] if dead_letter.message_id else [])
    messages = Message.objects.filter(pk__in=ids, direction=Message.Direction.IN)
    contacts = set(messages.values_list("contact_id", flat=True))
    if not contacts:
        raise ValidationError("As mensagens desta falha não existem mais.")
    # Answered or skipped messages are never answered again: only stuck ones go back.
    back = messages.filter(state__in=[Message.State.DEAD, Message.State.PROCESSING]).update(
        state=Message.State.RECEIVED
    )
    if not back and not messages.filter(state=Message.State.RECEIVED).exists():
        return "nothing"
    transaction.on_commit(lambda: pipeline_schedule(contact_ids=contacts, delay=0))
    return "requeued"


_HANDLERS: dict[str, Callable[[DeadLetter], str]] = {
    "webhook:sandbox": _reprocess_sandbox,
    "webhook:whaticket": _reprocess_whaticket,
    "webhook:meta": _reprocess_meta,
    "send": _reprocess_send,
    "reply": _reprocess_reply,
}
