"""Claims: the messages and sends a worker holds, and taking them back when it dies.

A reply claims its messages (received -> processing) and a send its outbox row (pending ->
sending) with a compare-and-set that also writes `claimed_by`, the worker's identity
(secretaria/worker_heartbeat.py) — the same UPDATE as before, no round trip more. The
per-contact reply lock's token starts with the same identity.

When a worker's heartbeat stops, a live worker takes over its companies and, in each,
`claims_reclaim` puts back what it held:

- its messages in `processing` go back to `received`;
- its rows in `sending` go back to `pending` and are sent again. The request may have
  reached the provider before the kill (neither Whaticket nor Meta takes an idempotency key),
  so the outcome is truly unknown: each such retry is counted (OUTBOX_RESENT);
- rows in `pending` whose last attempt was its own (their retry, a Celery task with a
  countdown, died with it) and rows never attempted (the reply committed but the inline send
  never started) are sent again without counting: no request of theirs can have left;
- its reply locks are released and every contact whose wake-up it had popped is scheduled now.

The reclaimer sends those rows itself, as the reply pipeline does, rather than through a Celery
task: a task prefetched by a worker that is killed in its turn would wait out the broker's
visibility timeout (an hour), where a send in flight is claimed in the reclaimer's name and
taken back again if it dies too. A row put back keeps `claimed_by` (its last attempt's worker)
until it is attempted again: if the reclaimer dies before, the row is still found.

Each step takes rows with `SELECT ... FOR UPDATE SKIP LOCKED` then moves them out of the
state it selected: two reclaimers (two live workers, or one and the sweeper) racing over the
same company take each row once. The sweeper (pipeline.py) uses the same function for
claims whose worker has no live heartbeat, which also covers a Redis that lost the
heartbeats and the registry of companies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.core.models import Message, Outbox
from conversations.core.outbox import outbox_deliver
from conversations.core.wakeups import wakeup_schedule, wakeups_missing
from secretaria.observability.metrics import OUTBOX_RESENT
from secretaria.redis_client import get_redis, tenant_key
from secretaria.worker_heartbeat import heartbeat_install, takeover_register, worker_identity, workers_alive

log = structlog.get_logger(__name__)
UNKNOWN_OUTCOME = "worker died while sending: the provider may have received it"

# Deletes each lock (KEYS) whose token starts with one of the dead workers' prefixes (ARGV).
_RELEASE_DEAD = """
local released = 0
for _, key in ipairs(KEYS) do
  local token = redis.call('get', key)
  if token then
    for _, prefix in ipairs(ARGV) do
      if string.sub(token, 1, #prefix) == prefix then
        redis.call('del', key)
        released = released + 1
        break
      end
    end
  end
end
return released
"""


@dataclass(frozen=True)
class Reclaimed:
    messages: int = 0  # processing -> received
    unknown_resent: int = 0  # sending -> pending, sent again: the provider may have had it
    requeued: int = 0  # pending sends whose task or inline attempt was lost: sent again, uncounted
    contacts: int = 0  # contacts scheduled again

    def __bool__(self) -> bool:
        return bool(self.messages or self.unknown_resent or self.requeued or self.contacts)


def reply_lock_key(contact_id: int) -> str:
    return tenant_key("reply-lock", str(contact_id))


def reply_lock_token() -> str:
    """The reply lock's value: the holder's identity first, so a dead holder's locks can be told apart."""
    return f"{worker_identity()}/{uuid.uuid4().hex}"


def claims_reclaim(*, workers: set[str], min_age: float = 0.0) -> Reclaimed:
    """In the current company, take back what these dead workers held (see the module's docstring).

    `min_age`: only claims made at least this many seconds ago (the sweeper's margin against a
    worker whose first heartbeat is not yet written).
    """
    workers = {w for w in workers if w}
    if not workers:
        return Reclaimed()
    now = timezone.now()
    before = now - timedelta(seconds=min_age)
    messages = _take(Message.objects.filter(state=Message.State.PROCESSING, claimed_by__in=workers,
                                            processed_at__lt=before),
                     "contact_id", state=Message.State.RECEIVED, claimed_by="")
    sending = _take(Outbox.objects.filter(state=Outbox.State.SENDING, claimed_by__in=workers,
                                          attempted_at__lt=before),
                    "message__contact_id", state=Outbox.State.PENDING, last_error=UNKNOWN_OUTCOME)
    if sending:
        OUTBOX_RESENT.labels(company=connection.schema_name).inc(len(sending))
    # Never attempted: give the inline send of a reply committed a moment ago its heartbeat's worth of time.
    never_tried = Q(attempts=0, created_at__lt=now - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS))
    lost_retries = list(Outbox.objects.filter(Q(claimed_by__in=workers) | never_tried, state=Outbox.State.PENDING)
                        .values_list("pk", flat=True)[:1000])
    contacts = {contact for _, contact in messages} | _waiting_contacts(now)
    _wake(contacts, workers)
    for outbox_id in sorted({pk for pk, _ in sending} | set(lost_retries)):
        outbox_deliver(outbox_id)  # one sent meanwhile is skipped by the send's compare-and-set
    reclaimed = Reclaimed(messages=len(messages), unknown_resent=len(sending),
                          requeued=len(set(lost_retries) - {pk for pk, _ in sending}), contacts=len(contacts))
    if reclaimed:
        log.warning("claims_reclaimed", dead_workers=sorted(workers), messages=reclaimed.messages,
                    unknown_resent=reclaimed.unknown_resent, requeued=reclaimed.requeued,
                    contacts=reclaimed.contacts)
    return reclaimed


def _take(queryset, contact_field: str, **changes) -> list[tuple[int, int]]:
    """[(pk, contact id)] of the rows this caller moved out of the selected state (each row to one caller)."""
    with transaction.atomic():
        rows = list(queryset.select_for_update(skip_locked=True, of=("self",)).values_list("pk", contact_field))
        if rows:
            queryset.model.objects.filter(pk__in=[pk for pk, _ in rows]).update(**changes)
    return rows


def _waiting_contacts(now) -> set[int]:
    """Contacts whose wake-up a dead worker had popped but not started: messages still `received`,
    no wake-up waiting. (Those with one waiting are left in their turn: a backlog is not reordered.)"""
    quiet = now - timedelta(seconds=settings.DEBOUNCE_SECONDS)
    waiting = set(Message.objects.filter(direction=Message.Direction.IN, state=Message.State.RECEIVED,
                                         created_at__lt=quiet).values_list("contact_id", flat=True).distinct())
    try:
        return wakeups_missing(contact_ids=waiting)
    except Exception:  # noqa: BLE001 - Redis away: wake them all (a contact woken twice is answered once)
        return waiting


def _wake(contact_ids: set[int], workers: set[str]) -> None:
    """Free the dead workers' reply locks on these contacts and answer them now."""
    if not contact_ids:
        return
    try:
        keys = [reply_lock_key(contact_id) for contact_id in sorted(contact_ids)]
        get_redis().eval(_RELEASE_DEAD, len(keys), *keys, *[f"{w}/" for w in sorted(workers)])
        wakeup_schedule(contact_ids=contact_ids, delay=0)
    except Exception:  # noqa: BLE001 - Redis away: the locks expire and the sweeper schedules them
        log.warning("reclaim_wake_failed", contacts=len(contact_ids))


def claims_take_over(*, worker: str, schemas: list[str]) -> None:
    """The heartbeat's take-over handler: reclaim a dead worker's claims in each company it registered."""
    for schema in schemas:
        try:
            with schema_context(schema):
                claims_reclaim(workers={worker})
        except Exception:  # noqa: BLE001 - a company gone (or failing) must not keep the others waiting
            log.exception("takeover_company_failed", company=schema, dead_worker=worker)


def claims_dead_holders() -> set[str]:
    """Workers holding claims in the current company with no live heartbeat (the sweeper's view).

    Empty when the heartbeats cannot be believed (Redis unreachable, or just restarted empty):
    then the sweeper's fixed ages are all there is.
    """
    holders = set(Message.objects.filter(state=Message.State.PROCESSING).exclude(claimed_by="")
                  .values_list("claimed_by", flat=True).distinct())
    holders |= set(Outbox.objects.filter(state__in=(Outbox.State.SENDING, Outbox.State.PENDING))
                   .exclude(claimed_by="").values_list("claimed_by", flat=True).distinct())
    if not holders:
        return set()
    try:
        alive = workers_alive(holders)
    except Exception:  # noqa: BLE001 - Redis away: fixed ages only
        return set()
    return set() if alive is None else holders - alive


def claims_install() -> None:
    """Every worker beats, and takes back the claims of the dead ones it finds (ConversationsConfig.ready())."""
    takeover_register(claims_take_over)
    heartbeat_install()
