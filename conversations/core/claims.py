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
taken back again if it dies too. The rows it takes back become its own claims until they are
attempted: if the reclaimer dies before, its own taker finds them.

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
from django.db import transaction
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
LOCK_SECONDS = 120  # the reply lock's life: longer than any reply; a dead holder's is broken sooner

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
    # The sends taken back become the reclaimer's own claims: if it dies before sending them, its
    # own taker finds them (outside a worker, "": they keep their last attempt's worker).
    mine = {"claimed_by": worker_identity()} if worker_identity() else {}
    sending = _take(Outbox.objects.filter(state=Outbox.State.SENDING, claimed_by__in=workers,
                                          attempted_at__lt=before),
                    "message__contact_id", state=Outbox.State.PENDING, last_error=UNKNOWN_OUTCOME, **mine)
    if sending:
        OUTBOX_RESENT.inc(len(sending))
    # Never attempted: give the inline send of a reply committed a moment ago its heartbeat's worth of time.
    never_tried = Q(attempts=0, created_at__lt=now - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS))
    lost_retries = [pk for pk, _ in _take(Outbox.objects.filter(Q(claimed_by__in=workers) | never_tried,
                                                                state=Outbox.State.PENDING),
                                          "message__contact_id", limit=1000, **mine)]
    reclaimed_contacts = {contact for _, contact in messages}
    waiting = _waiting_contacts(now)
    contacts = reclaimed_contacts | _without_wakeup(waiting)
    _wake(contacts, locked=reclaimed_contacts | waiting | {contact for _, contact in sending}, workers=workers)
    for outbox_id in sorted({pk for pk, _ in sending} | set(lost_retries)):
        outbox_deliver(outbox_id)  # one sent meanwhile is skipped by the send's compare-and-set
    reclaimed = Reclaimed(messages=len(messages), unknown_resent=len(sending),
                          requeued=len(set(lost_retries) - {pk for pk, _ in sending}), contacts=len(contacts))
    if reclaimed:
        log.warning("claims_reclaimed", dead_workers=sorted(workers), messages=reclaimed.messages,
                    unknown_resent=reclaimed.unknown_resent, requeued=reclaimed.requeued,
                    contacts=reclaimed.contacts)
    return reclaimed


def _take(queryset, contact_field: str, *, limit: int | None = None, **changes) -> list[tuple[int, int]]:
    """[(pk, contact id)] of the rows this caller took (each row to one caller), with `changes` written."""
    with transaction.atomic():
        locked = queryset.select_for_update(skip_locked=True, of=("self",)).values_list("pk", contact_field)
        rows = list(locked[:limit] if limit else locked)
        if rows and changes:
            queryset.model.objects.filter(pk__in=[pk for pk, _ in rows]).update(**changes)
    return rows


def _waiting_contacts(now) -> set[int]:
    """Contacts with messages still `received` after the debounce window."""
    quiet = now - timedelta(seconds=settings.DEBOUNCE_SECONDS)
    return set(Message.objects.filter(direction=Message.Direction.IN, state=Message.State.RECEIVED,
                                      created_at__lt=quiet).values_list("contact_id", flat=True).distinct())


def _without_wakeup(waiting: set[int]) -> set[int]:
    """Those whose wake-up a dead worker had popped but not started. (Those with one waiting are
    left in their turn: a backlog is not reordered.)"""
    try:
        return wakeups_missing(contact_ids=waiting)
    except Exception:  # noqa: BLE001 - Redis away: wake them all (a contact woken twice is answered once)
        return waiting


def _wake(contact_ids: set[int], *, locked: set[int], workers: set[str]) -> None:
    """Free the dead workers' reply locks on `locked` and answer `contact_ids` now.

    Every waiting contact's lock is checked, not only those woken: a dead worker may hold the
    lock of a contact who wrote again since (a fresh wake-up), which would otherwise meet a busy
    lock until it expires (LOCK_SECONDS).
    """
    try:
        if locked:
            keys = [reply_lock_key(contact_id) for contact_id in sorted(locked)]
            get_redis().eval(_RELEASE_DEAD, len(keys), *keys, *[f"{w}/" for w in sorted(workers)])
        if contact_ids:
            wakeup_schedule(contact_ids=contact_ids, delay=0)
    except Exception:  # noqa: BLE001 - Redis away: the locks expire and the sweeper schedules them
        log.warning("reclaim_wake_failed", contacts=len(contact_ids))


# Deletes KEYS[1] if it still holds ARGV[1].
_DELETE_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def reply_lock_take_from_dead(*, key: str, token: str) -> bool:
    """The reply lock `key` is busy: if its holder has no live heartbeat, break it and take it
    with `token`. True when it is ours now.

    Only on the busy path (a few round trips, rare): covers a holder that died with no claim left
    to find it by (after its reply was sent, before it released the lock), whose lock would
    otherwise keep the contact waiting until it expires.
    """
    try:
        redis = get_redis()
        held = redis.get(key)
        holder = held.decode().split("/", 1)[0] if held else ""
        if not holder:
            return False  # gone meanwhile (the caller tries again later), or held outside a worker
        alive = workers_alive([holder])
        if alive is None or holder in alive:
            return False
        redis.eval(_DELETE_IF_HELD, 1, key, held)
        log.warning("reply_lock_broken", dead_worker=holder)
        return bool(redis.set(key, token, nx=True, ex=LOCK_SECONDS))
    except Exception:  # noqa: BLE001 - Redis away: busy, as before; the lock expires by itself
        return False


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
