"""Sending replies exactly once through the conversation's channel.

A reply is a Message (direction out) plus an Outbox row whose idempotency key is
unique: creating the same reply twice is impossible, and `outbox_send` moves the
row pending -> sending with a compare-and-set, so two workers never both send it.
The only tolerated duplicate is a crash between the provider's 200 and our commit.
"""

from collections.abc import Mapping

import structlog
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from conversations.channels.base import (
    Option,
    PermanentChannelError,
    SendResult,
    TemplateRequiredError,
    TransientChannelError,
)
from conversations.channels.message_templates import TemplateMessage, template_for
from conversations.channels.models import Channel
from conversations.channels.registry import channel_spec
from conversations.channels.selectors import channel_by_id, channel_default
from conversations.channels.services import CHANNEL_DISABLED, channel_client, channel_fallback_template
from conversations.core.ingest import dead_letter_record
from conversations.core.models import Contact, Conversation, Message, Outbox
from conversations.core.selectors import channel_for_contact
from secretaria.events import MessageSent, publish
from secretaria.observability.metrics import WHATICKET_ERRORS, WHATICKET_SEND_RETRY, WHATICKET_SEND_SUCCESS
from secretaria.queue import task_delay

log = structlog.get_logger(__name__)
# The send task's longest wait between two attempts (Celery's retry_backoff_max): a row
# pending for longer than this after an attempt has lost its retry (broker restarted empty).
SEND_RETRY_BACKOFF_MAX = 300
MAX_OPTIONS = 10  # Meta's list limit
WINDOW_CLOSED = ("janela de 24h fechada: configure um template de mensagem para o canal Meta "
                 "(24-hour window closed: set a message template on the Meta channel)")


def reply_create(
    *, contact: Contact, conversation: Conversation | None, text: str, idempotency_key: str, sent_by: str = "",
    deliver_inline: bool = False, options: list | None = None, options_body: str = "", outreach: str = "",
    slot: str = "", variables: Mapping[str, object] | None = None,
) -> Outbox:
    """Record a message to send (call inside the transaction that marks its inbound messages).

    It leaves through the conversation's channel (the one the customer wrote on), or — with no
    conversation, or one whose channel was removed — through the channel the contact last used,
    else the company's default. Once the transaction commits, it is sent by a task — or, with
    `deliver_inline` (the worker's pipeline), right there, saving a broker round trip; a failed
    inline send falls back to the task and its retries.

    `options` ((id, title, description) choices, already written as numbered lines in
    `text`) go out as an interactive list where the channel has one, with `options_body`.
    `outreach`: the automation that wrote it ("reminder", "followup"...), "" for replies.
    `slot`, `variables`: the template slot `text` was rendered from and its variables
    (secretaria/texts.py), kept so that outside the window the approved WhatsApp template mapped
    to that slot can carry the same facts, each variable in its own parameter.
    """
    channel = _channel_for(contact, conversation)
    payload = {"outreach": outreach} if outreach else {}
    if slot:
        payload |= {"slot": slot, "variables": _plain(variables or {})}
    if options:
        payload |= {"options": [{"id": str(o[0]), "title": o[1], "description": o[2] if len(o) > 2 else ""}
                                for o in options[:MAX_OPTIONS]],
                    "options_body": options_body or text}
    message = Message.objects.create(
        contact=contact, conversation=conversation, channel=channel, direction=Message.Direction.OUT,
        provider=channel.kind if channel else "", kind="text", text=text, payload=payload,
        state=Message.State.OUTBOUND, sent_by=sent_by,
    )
    outbox = Outbox.objects.create(message=message, idempotency_key=idempotency_key)
    if deliver_inline:
        transaction.on_commit(lambda: outbox_deliver(outbox.pk, loaded=outbox))
    else:
        transaction.on_commit(lambda: enqueue_send(outbox.pk))
    return outbox


def _plain(variables: Mapping[str, object]) -> dict[str, str]:
    """Variables as the text was filled with them (str, None as ""): JSON for the payload."""
    return {str(name): "" if value is None else str(value) for name, value in variables.items()}


def _channel_for(contact: Contact, conversation: Conversation | None) -> Channel | None:
    channel_id = conversation.channel_id if conversation is not None else None
    return channel_by_id(channel_id) or channel_by_id(channel_for_contact(contact_id=contact.pk))


def outbox_deliver(outbox_id: int, *, loaded: Outbox | None = None) -> None:
    """Send now; on any failure leave it to the retrying task (nothing is lost either way)."""
    try:
        outbox_send(outbox_id=outbox_id, loaded=loaded)
    except Exception:  # noqa: BLE001 - transient or unexpected: the task retries with backoff
        log.warning("inline_send_deferred", outbox_id=outbox_id)
        enqueue_send(outbox_id)


def enqueue_send(outbox_id: int) -> None:
    try:
        task_delay("conversations.outbox_send", outbox_id)
    except Exception:  # noqa: BLE001 - broker down: the row stays pending and the sweeper resends it
        log.warning("publish_failed", outbox_id=outbox_id)


def outbox_send(*, outbox_id: int, loaded: Outbox | None = None) -> str:
    """Send one outbox row through its message's channel. Returns the row's final state for this attempt.

    `loaded`: the row as just created, with its message and contact (the inline path
    saves reading it back). Raises TransientChannelError for the task to retry (the
    row is put back to pending).
    """
    claimed = Outbox.objects.filter(pk=outbox_id, state=Outbox.State.PENDING).update(
        state=Outbox.State.SENDING, attempts=F("attempts") + 1, attempted_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # already sent, being sent, or failed for good
    outbox = loaded or Outbox.objects.select_related("message__contact").get(pk=outbox_id)
    message = outbox.message
    channel = channel_by_id(message.channel_id) or channel_default()
    if channel is None or not channel.enabled:
        _fail(outbox, message, CHANNEL_DISABLED)
        return Outbox.State.FAILED
    client = channel_client(channel)
    try:
        result, template = _deliver_in_or_out_of_window(channel, client, message)
    except TransientChannelError as exc:
        Outbox.objects.filter(pk=outbox_id).update(state=Outbox.State.PENDING, last_error=str(exc)[:500])
        _count(channel.kind, WHATICKET_SEND_RETRY, WHATICKET_ERRORS)
        raise
    except PermanentChannelError as exc:
        _fail(outbox, message, str(exc))
        _count(channel.kind, WHATICKET_ERRORS)
        return Outbox.State.FAILED
    _mark_sent(outbox, message, result, template)
    _count(channel.kind, WHATICKET_SEND_SUCCESS)
    return Outbox.State.SENT


@transaction.atomic
def _mark_sent(outbox: Outbox, message: Message, result: SendResult, template: str) -> None:
    Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.SENT, sent_at=timezone.now(), last_error="")
    changes: dict = {"payload": {**(message.payload or {}), "template": template}} if template else {}
    if result.provider_message_id:
        changes |= {"provider_message_id": result.provider_message_id, "delivery_status": "sent"}
    if changes:
        Message.objects.filter(pk=message.pk).update(**changes)
    outreach = (message.payload or {}).get("outreach", "")
    publish(MessageSent(message_id=message.pk, contact_id=message.contact_id, channel_id=message.channel_id,
                        origin="outreach" if outreach else ("staff" if message.sent_by else "reply"),
                        outreach_kind=outreach, template=template))


def _deliver_in_or_out_of_window(channel: Channel, client, message: Message) -> tuple[SendResult, str]:
    """(result, template name or ""): outside the provider's window (Meta's 24 hours) only a
    template goes through: the approved template the company mapped to the message's slot, with
    the slot's variables as its parameters, else the channel's fallback template, the whole text
    riding in its {{1}}."""
    try:
        return _deliver(channel, client, message), ""
    except TemplateRequiredError as exc:
        mapped = _mapped_template(channel, message)
        if mapped is not None:
            return _send_mapped(client, message, mapped), mapped.name
        template = channel_fallback_template(channel)
        if template is None:
            raise TemplateRequiredError(f"{WINDOW_CLOSED} — {exc}", status=exc.status, code=exc.code) from exc
        name, language = template
        return client.send_text_template(to=message.contact.phone, name=name, language=language,
                                         text=message.text), name


def _mapped_template(channel: Channel, message: Message) -> TemplateMessage | None:
    payload = message.payload or {}
    return template_for(channel_id=channel.pk, slot=payload.get("slot") or "",
                        variables=payload.get("variables") or {})


def _send_mapped(client, message: Message, template: TemplateMessage) -> SendResult:
    return client.send_parameters_template(to=message.contact.phone, name=template.name,
                                           language=template.language, parameters=template.parameters)


def _deliver(channel: Channel, client, message: Message) -> SendResult:
    """Choices go as an interactive list on channels that have one; elsewhere the text already numbers them."""
    options = (message.payload or {}).get("options")
    spec = channel_spec(channel.kind)
    if options and spec is not None and spec.capabilities.interactive:
        return client.send_options(to=message.contact.phone, body=message.payload.get("options_body") or message.text,
                                   options=[Option(o["id"], o["title"], o.get("description", "")) for o in options])
    return client.send_text(to=message.contact.phone, body=message.text)


def _count(channel_kind: str, *counters) -> None:
    # The seeds' send metrics are Whaticket's; other channels are seen through the outbox states.
    if channel_kind == "whaticket":
        for counter in counters:
            (counter.labels(company=connection.schema_name) if counter._labelnames else counter).inc()


def outbox_fail_for_channel(*, channel_id: int, reason: str) -> int:
    """Dead-letter the sends still waiting to leave through a channel that was disabled.

    Rows already `sending` are in flight and finish (or fail) on their own.
    """
    waiting = list(Outbox.objects.filter(state=Outbox.State.PENDING, message__channel_id=channel_id)
                   .select_related("message"))
    for outbox in waiting:
        if Outbox.objects.filter(pk=outbox.pk, state=Outbox.State.PENDING).update(state=Outbox.State.FAILED,
                                                                                  last_error=reason[:500]):
            dead_letter_record(source="send", reason=reason, payload={"outbox_id": outbox.pk},
                               message=outbox.message)
    return len(waiting)


def outbox_give_up(*, outbox_id: int, reason: str) -> None:
    """Retries exhausted: the reply goes to the dead-letter queue."""
    outbox = Outbox.objects.select_related("message").filter(pk=outbox_id).first()
    if outbox is not None and outbox.state != Outbox.State.SENT:
        _fail(outbox, outbox.message, reason)


def _fail(outbox: Outbox, message: Message, reason: str) -> None:
    with transaction.atomic():
        Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.FAILED, last_error=reason[:500])
        dead_letter_record(source="send", reason=reason, payload={"outbox_id": outbox.pk}, message=message)
