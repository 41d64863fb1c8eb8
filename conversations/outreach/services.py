"""Sending what the business starts, exactly once (docs/reliability.md R8), whatever beat does.

- A scan *leases* due rows (`claimed_at` set while still pending, FOR UPDATE SKIP LOCKED): two
  beats scanning at once split the work, and a backlog is not enqueued again every minute.
- The send *claims* a row pending -> sending with a compare-and-set: a task delivered twice sends once.
- The outbox row (key `<kind>:<id>`) and `state=sent` commit together: a worker killed after the
  claim leaves no message behind, the scan puts the row back to pending, and sending it again is
  safe (the unique outbox key refuses a second message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from conversations.core.models import Contact, Outbox
from conversations.core.outbox import reply_create
from conversations.core.privacy import outreach_allowed
from conversations.core.sessions import conversation_current
from conversations.outreach.models import ScheduledSend
from conversations.turns import Option
from secretaria.events import OutreachQueued, publish
from secretaria.queue import task_delay

log = structlog.get_logger(__name__)
State = ScheduledSend.State
STUCK_AFTER = timedelta(minutes=5)  # a send takes milliseconds: a row `sending` this long lost its worker
LEASE = timedelta(minutes=2)  # an enqueued row is not enqueued again before this
SCAN_BATCH = 5000  # per company and minute; the rest waits for the next scan


@dataclass(frozen=True)
class Outreach:
    """One message the business starts: to whom, what, what it is, and the key that makes it single."""

    contact: Contact
    text: str
    kind: str  # "reminder", "followup", "rebook_offer", "waitlist_offer"...
    key: str  # unique: the same key twice is the same message
    options: tuple[Option, ...] = field(default_factory=tuple)
    options_body: str = ""  # `text` without the numbered options, for an interactive list
    # The template slot `text` was rendered from and its variables (secretaria/texts.py): outside
    # Meta's 24-hour window the channel sends the approved WhatsApp template mapped to that slot.
    slot: str = ""
    variables: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """Nothing to send after all (the appointment moved, was cancelled...): the row ends in `state`."""

    reason: str
    state: str = State.CANCELLED


def outreach_send(message: Outreach, *, inline: bool = True) -> Outbox | None:
    """Record the message in the outbox, to leave through the contact's channel once this commits.

    Call inside the transaction that records why it was sent. `inline`: sent right after the commit
    by this process (a worker's task), else by a send task (a web request should not wait for it).
    None, and nothing recorded, when the contact opted out of it (LGPD: "parar"; reminders stay only
    when they asked to keep them) or was erased: every automation sends through here, so none can
    forget to ask.
    """
    if not outreach_allowed(contact=message.contact, kind=message.kind):
        log.info("outreach_opted_out", kind=message.kind, contact_id=message.contact.pk)
        return None
    conversation = conversation_current(contact=message.contact)
    outbox = reply_create(contact=message.contact, conversation=conversation, text=message.text,
                          idempotency_key=message.key, deliver_inline=inline, options=list(message.options),
                          options_body=message.options_body, outreach=message.kind, slot=message.slot,
                          variables=message.variables)
    publish(OutreachQueued(kind=message.kind, contact_id=message.contact.pk, message_id=outbox.message_id,
                           key=message.key))
    return outbox


# --- scheduled rows -----------------------------------------------------------------------------

def due_rows_enqueue(*, model: type[ScheduledSend], task: str, now: datetime) -> int:
    """Recover rows a killed worker left `sending`, lease the due ones, queue `task(id)` for each."""
    stuck_rows_recover(model=model, now=now)
    return tasks_publish(task=task, model=model, ids=due_rows_lease(model=model, now=now))


def stuck_rows_recover(*, model: type[ScheduledSend], now: datetime) -> int:
    """Rows left `sending` by a killed worker go back to pending."""
    recovered = model.objects.filter(state=State.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        state=State.PENDING, claimed_at=None)
    if recovered:
        log.warning("stuck_rows_recovered", model=model.__name__, count=recovered)
    return recovered


def due_rows_lease(*, model: type[ScheduledSend], now: datetime) -> list[int]:
    """Ids of due pending rows not enqueued in the last minutes, leased to this scan.

    SKIP LOCKED splits the rows between two beats scanning at the same instant; the lease
    (`claimed_at` while still pending) keeps a backlog from being enqueued again every minute.
    The query walks the model's partial index on pending rows by due time.
    """
    with transaction.atomic():
        due = (model.objects.filter(state=State.PENDING, due_at__lte=now)
               .exclude(claimed_at__gte=now - LEASE)
               .order_by("due_at").select_for_update(skip_locked=True).values_list("pk", flat=True))
        ids = list(due[:SCAN_BATCH])
        if ids:
            model.objects.filter(pk__in=ids).update(claimed_at=now)
    return ids


def tasks_publish(*, task: str, model: type[Model], ids: list[int]) -> int:
    """Queue `task(id)` per id. A failed publish (broker down) drops its lease: the next scan retries."""
    failed = []
    for pk in ids:
        try:
            task_delay(task, pk)
        except Exception:  # noqa: BLE001 - whatever the broker raised, the row is still pending
            failed.append(pk)
    if failed:
        log.warning("publish_failed", task=task, count=len(failed))
        model.objects.filter(pk__in=failed, state=State.PENDING).update(claimed_at=None)
    return len(ids) - len(failed)


Compose = Callable[[ScheduledSend, datetime], "Outreach | Skip"]
After = Callable[[ScheduledSend, Outbox, datetime], None]


def scheduled_send(*, model: type[ScheduledSend], pk: int, compose: Compose, after: After | None = None,
                   now: datetime | None = None) -> str:
    """Send one due row at most once. "sent", "skipped" (not pending: another worker has it or it is
    done), "gone", "opted_out" (cancelled: the contact said "parar"), or the reason `compose` gave
    for sending nothing.

    `compose(row, now)` runs in the send's transaction (lock what it must re-check) and returns the
    message or a Skip; `after(row, outbox, now)` records what follows a send in the same transaction.
    """
    now = now or timezone.now()
    if not model.objects.filter(pk=pk, state=State.PENDING).update(state=State.SENDING, claimed_at=now):
        return "skipped"
    try:
        with transaction.atomic():
            return _send_claimed(model, pk, compose, after, now)
    except IntegrityError:
        # A worker we took for dead came back and created this row's outbox message first: the
        # message exists once; just make sure the row says so.
        key = outreach_key(model, pk)
        log.warning("outreach_already_in_outbox", key=key)
        outbox = Outbox.objects.filter(idempotency_key=key).first()
        model.objects.filter(pk=pk, state=State.SENDING).update(
            state=State.SENT if outbox else State.FAILED, outbox=outbox, sent_at=outbox and outbox.created_at)
        return "skipped"


def _send_claimed(model: type[ScheduledSend], pk: int, compose: Compose, after: After | None, now) -> str:
    row = model.objects.filter(pk=pk).first()
    if row is None:
        return "gone"
    decided = compose(row, now)
    if isinstance(decided, Skip):
        model.objects.filter(pk=pk).update(state=decided.state)
        return decided.reason
    outbox = outreach_send(decided)
    if outbox is None:
        model.objects.filter(pk=pk).update(state=State.CANCELLED)
        return "opted_out"
    model.objects.filter(pk=pk).update(state=State.SENT, sent_at=now, outbox=outbox)
    if after is not None:
        after(row, outbox, now)
    return "sent"


def outreach_key(model: type[ScheduledSend], pk: int) -> str:
    """The outbox key of a scheduled row's message: `<kind>:<id>` (e.g. `reminder:42`)."""
    return f"{model.OUTREACH_KIND}:{pk}"
