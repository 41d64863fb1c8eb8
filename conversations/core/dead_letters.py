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

from conversations.channels.base import InboundMessage
from conversations.channels.models import Channel
from conversations.channels.registry import ChannelSpec, Inbound, channel_spec
from conversations.channels.selectors import channel_by_account, channel_by_id, channel_default
from conversations.core.ingest import delivery_status_apply, inbound_store_many
from conversations.core.models import DeadLetter, Message, Outbox
from conversations.core.pipeline import pipeline_schedule
from secretaria.events import DeadLetterReprocessed, publish
from secretaria.queue import task_delay

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
    handler = _handler_for(dead_letter.source)
    if handler is None:
        raise ValidationError(f"Não sei reprocessar falhas de origem “{dead_letter.source}”.")
    with transaction.atomic():
        locked = DeadLetter.objects.select_for_update().get(pk=dead_letter.pk)
        outcome = handler(locked)
        DeadLetter.objects.filter(pk=locked.pk).update(
            reprocess_count=F("reprocess_count") + 1, reprocessed_at=timezone.now()
        )
        if actor is not None:
            publish(DeadLetterReprocessed(dead_letter_id=locked.pk, source=locked.source, outcome=outcome,
                                          actor=actor.email))
    dead_letter.refresh_from_db()
    return outcome


def _unprocessable(exc: Exception) -> ValidationError:
    return ValidationError(f"O conteúdo ainda não pode ser processado: {exc}")


def _store(dead_letter: DeadLetter, messages: list[InboundMessage], channel: Channel) -> str:
    result = inbound_store_many(messages=messages, channel_id=channel.pk)
    if result.stored and dead_letter.message_id is None:
        DeadLetter.objects.filter(pk=dead_letter.pk).update(message_id=result.stored[0])
    contacts = result.contacts_to_answer
    transaction.on_commit(lambda: pipeline_schedule(contact_ids=contacts))
    return "stored" if result.stored else "duplicate"


def _payload(dead_letter: DeadLetter) -> dict:
    if not isinstance(dead_letter.payload, dict):
        raise ValidationError("O conteúdo guardado não é um objeto JSON.")
    return dict(dead_letter.payload)


def _reprocess_webhook(dead_letter: DeadLetter) -> str:
    """A webhook body (or one item of it) stored again, as the channel's kind reads it now."""
    spec = channel_spec(dead_letter.source.removeprefix("webhook:"))
    if spec is None:
        raise ValidationError(f"O tipo de canal de “{dead_letter.source}” não existe mais.")
    payload = _payload(dead_letter)
    body = spec.redeliver(payload, dead_letter.pk) if spec.redeliver else payload
    try:
        inbound = spec.parse(body)
    except ValueError as exc:
        raise _unprocessable(exc) from exc
    if inbound.rejected:
        reasons = "; ".join(str(r.get("reason", "")) for r in inbound.rejected)
        raise ValidationError(f"O conteúdo ainda não pode ser processado: {reasons}")
    for update in inbound.statuses:
        delivery_status_apply(update=update, rank=spec.status_rank)
    if not inbound.messages:
        return "applied" if inbound.statuses else "ignored"  # valid, but nothing a customer wrote
    return _store(dead_letter, inbound.messages, _channel_of(dead_letter, spec, inbound))


def _channel_of(dead_letter: DeadLetter, spec: ChannelSpec, inbound: Inbound) -> Channel:
    """The channel it came in on; for rows from before channels were recorded, the one its account
    names, else the company's default."""
    account = inbound.messages[0].channel_account
    channel = (channel_by_id(dead_letter.channel_id) or channel_by_account(kind=spec.kind, account=account)
               or channel_default())
    if channel is None or not channel.enabled:
        raise ValidationError("O canal desta falha está desativado: reative-o para reprocessar.")
    return channel


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
    task_delay("conversations.outbox_send", outbox_id)


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
    "send": _reprocess_send,
    "reply": _reprocess_reply,
}


def _handler_for(source: str) -> Callable[[DeadLetter], str] | None:
    if source.startswith("webhook:"):
        return _reprocess_webhook
    return _HANDLERS.get(source)
