"""Reads of the inbox: the queue, a thread, what changed since the last poll, who is waiting.

A customer's message is stored by the webhook without a conversation; the reply pipeline files it
in one a moment later (after the debounce). The inbox shows it at once: a message of the contact
not filed yet, sent since the conversation opened, belongs to the open conversation's thread.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from conversations.assistant.engine.tone import first_name
from conversations.channels.message_templates import template_for
from conversations.channels.registry import channel_spec
from conversations.channels.selectors import channel_by_id
from conversations.channels.services import channel_fallback_template
from conversations.core.contacts import phone_search_digits
from conversations.core.handoff import STAFF_TAKEOVER_REASON
from conversations.core.models import Contact, Conversation, Message
from conversations.core.selectors import channel_for_contact
from conversations.core.wording import contact_text
from secretaria.settings_cache import cached
from tenants.selectors import company_current

Status = Conversation.Status
IN, OUT = Message.Direction.IN, Message.Direction.OUT
# The queue shows at most this many per section (a search finds the rest).
LIMITS = {"waiting": 200, "open": 100, "closed": 30}
THREAD_LIMIT = 300  # the newest messages of a thread

# The company's texts a receptionist may send as they are or edited (secretaria/texts.py slots),
# with the words the inbox lists them by. Only slots filled from the contact and the company:
# the others need an appointment's facts.
STAFF_TEMPLATES = {
    "offer_help": "Como posso ajudar?",
    "callback_offer": "Oferecer retorno por ligação",
    "out_of_hours_undated": "Fora do horário de atendimento",
    "thanks_reply": "Resposta a um agradecimento",
    "acknowledgement": "Combinado",
}


@dataclass
class Queue:
    waiting: list[Conversation] = field(default_factory=list)
    open: list[Conversation] = field(default_factory=list)
    closed: list[Conversation] = field(default_factory=list)
    query: str = ""


def inbox_queue(*, query: str = "", now: datetime | None = None) -> Queue:
    """Waiting for a person (longest wait first), then with the assistant, then closed (latest first).

    Each conversation comes with its contact, `unread` (customer messages staff have not seen) and
    `last_text` (what the customer said last); a waiting one with `wait_seconds` (None once a person
    answered its last message).
    """
    now = now or timezone.now()
    found = _searched(Conversation.objects.select_related("contact"), query)
    waiting = list(_waiting(found)[:LIMITS["waiting"]])
    for conversation in waiting:
        since = conversation.waiting_since
        conversation.wait_seconds = (now - since).total_seconds() if since else None
    open_ = (found.filter(status=Status.BOT).annotate(unread=_unread(unfiled=True), last_text=_last_said(unfiled=True))
             .order_by("-last_activity_at", "-id"))
    closed = (found.filter(status=Status.CLOSED, closed_at__isnull=False)
              .annotate(unread=_unread(unfiled=False), last_text=_last_said(unfiled=False))
              .order_by("-closed_at", "-id"))
    return Queue(waiting=waiting, open=list(open_[:LIMITS["open"]]), closed=list(closed[:LIMITS["closed"]]),
                 query=search_query(query))


def search_query(query: str) -> str:
    """The query as searched: spaces collapsed, at most 100 characters."""
    return " ".join((query or "").split())[:100]


def _searched(conversations: QuerySet[Conversation], query: str) -> QuerySet[Conversation]:
    """By phone when the query looks like one, in any format ("11 98765", "+55 (11) 98765-4321");
    else by the contact's name or any message's text."""
    query = search_query(query)
    if not query:
        return conversations
    digits = phone_search_digits(query)  # phones are stored as digits, country code first
    if digits:
        return conversations.filter(contact__phone__contains=digits)
    said = Message.objects.filter(conversation=OuterRef("pk"), text__icontains=query)
    return conversations.filter(Q(contact__name__icontains=query) | Exists(said))


def _of_thread(*, unfiled: bool) -> Q:
    """The messages of the outer conversation; with `unfiled`, also its contact's not yet filed."""
    mine = Q(conversation=OuterRef("pk"))
    if unfiled:
        mine |= Q(conversation__isnull=True, contact=OuterRef("contact_id"), created_at__gte=OuterRef("opened_at"))
    return mine


def _unread(*, unfiled: bool):
    inbound = Message.objects.filter(_of_thread(unfiled=unfiled), direction=IN,
                                     id__gt=OuterRef("staff_seen_message_id"))
    count = inbound.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(count[:1]), 0)


def _last_said(*, unfiled: bool):
    """What the customer said last: the line a receptionist reads to decide where to go first."""
    said = Message.objects.filter(_of_thread(unfiled=unfiled), direction=IN).exclude(text="")
    return Subquery(said.order_by("-id").values("text")[:1])


def _waiting(found: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Handoffs, each with `waiting_since`: the handoff, or the customer's first message after the
    last staff reply (None: a person has the last word)."""
    staff = Message.objects.filter(conversation=OuterRef("pk"), direction=OUT).exclude(sent_by="")
    after_staff = Message.objects.filter(_of_thread(unfiled=True), direction=IN,
                                         created_at__gt=OuterRef("last_staff_at"))
    return (
        found.filter(status=Status.HANDOFF)
        .annotate(unread=_unread(unfiled=True), last_text=_last_said(unfiled=True),
                  last_staff_at=Subquery(staff.order_by("-id").values("created_at")[:1]))
        .annotate(waiting_since=Case(
            When(Q(last_staff_at__isnull=True) | Q(last_staff_at__lt=F("handoff_at")), then=F("handoff_at")),
            default=Subquery(after_staff.order_by("id").values("created_at")[:1])))
        .order_by(F("waiting_since").asc(nulls_last=True), "-last_activity_at", "-id")
    )


def waiting_for_a_person() -> QuerySet[Conversation]:
    """Handoffs a customer is waiting on (no person has the last word), longest wait first, each with
    `waiting_since` and its contact: the queue's first section, also the dashboard's card."""
    return _waiting(Conversation.objects.select_related("contact")).filter(waiting_since__isnull=False)


# --- a thread ------------------------------------------------------------------------------------

def inbox_conversation(*, pk: int) -> Conversation:
    """The conversation with its contact, in the host company's schema only (another's id: 404)."""
    return get_object_or_404(Conversation.objects.select_related("contact"), pk=pk)


def _thread_filter(conversation: Conversation) -> Q:
    mine = Q(conversation=conversation)
    if conversation.status != Status.CLOSED:
        mine |= Q(conversation__isnull=True, contact_id=conversation.contact_id, direction=IN,
                  created_at__gte=conversation.opened_at)
    return mine


def thread_messages(*, conversation: Conversation, after: int = 0, limit: int = THREAD_LIMIT) -> list[Message]:
    """The thread's newest messages after the id `after`, oldest first, each with its outbox row if any."""
    newest = (Message.objects.filter(_thread_filter(conversation), id__gt=after).select_related("outbox")
              .order_by("-id")[:limit])
    return list(reversed(newest))


def thread_last_id(*, conversation: Conversation) -> int:
    last = Message.objects.filter(_thread_filter(conversation)).order_by("-id").values_list("id", flat=True).first()
    return last or 0


def thread_etag(*, conversation: Conversation, last_id: int) -> str:
    """Changes when a message arrives or the conversation's state shown on top changes."""
    state = "|".join(str(value) for value in (
        conversation.status, conversation.handoff_at, conversation.handoff_reason, conversation.summary,
        conversation.closed_at, last_id))
    return hashlib.sha1(state.encode(), usedforsecurity=False).hexdigest()[:20]


def contact_conversations(*, conversation: Conversation, limit: int = 10) -> list[Conversation]:
    """The contact's other conversations, latest first (their history)."""
    return list(Conversation.objects.filter(contact_id=conversation.contact_id).exclude(pk=conversation.pk)
                .order_by("-opened_at", "-id")[:limit])


# --- what changed --------------------------------------------------------------------------------

def inbox_marker() -> str:
    """What the company's inbox is at: the latest message, activity and close, in one round trip.

    A message arriving or being sent, a handoff, a hand-back, a staff reply, a conversation opened
    or closed: each moves one of the three. Each is the newest entry of an index (the primary key,
    `last_activity_at`, the partial index on `closed_at`), so polling this costs three index probes.
    """
    message, conversation = Message._meta.db_table, Conversation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT (SELECT max(id) FROM "{message}"), (SELECT max(last_activity_at) FROM "{conversation}"), '
            f'(SELECT max(closed_at) FROM "{conversation}" WHERE closed_at IS NOT NULL)')
        row = cursor.fetchone()
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:20]


def handoffs_waiting(*, limit: int = 5) -> list[Conversation]:
    """The latest conversations the assistant (or an app) handed to a person, still with the staff.

    Conversations a person took over are left out: nobody needs to be called for them.
    """
    latest = (Conversation.objects.filter(status=Status.HANDOFF, handoff_at__isnull=False)
              .exclude(handoff_reason=STAFF_TAKEOVER_REASON).select_related("contact").order_by("-handoff_at", "-id"))
    return list(latest[:limit])


# --- reaching the customer -----------------------------------------------------------------------

@dataclass(frozen=True)
class Reach:
    """Whether a free text reaches the customer now, and what goes out instead when it does not."""

    window_open: bool = True
    window_hours: int | None = None  # the channel's customer-care window (Meta: 24 h); None: no window
    fallback: str = ""  # the channel's fallback template, carrying any text outside the window


def conversation_reach(*, conversation: Conversation, now: datetime | None = None) -> Reach:
    """As the outbox will decide: the conversation's channel, else the one the contact last used."""
    channel = channel_by_id(conversation.channel_id) or channel_by_id(
        channel_for_contact(contact_id=conversation.contact_id))
    spec = channel_spec(channel.kind) if channel is not None else None
    hours = spec.capabilities.window_hours if spec is not None else None
    if not hours:
        return Reach()
    last = conversation.contact.last_message_at  # the customer's latest message
    window_open = last is not None and (now or timezone.now()) - last < timedelta(hours=hours)
    fallback = channel_fallback_template(channel)
    return Reach(window_open=window_open, window_hours=hours, fallback=fallback[0] if fallback else "")


@dataclass(frozen=True)
class Rendered:
    slot: str
    label: str
    text: str
    variables: dict
    approved_template: str = ""  # the approved WhatsApp template mapped to the slot on this channel


def template_render(*, conversation: Conversation, slot: str) -> Rendered:
    """The company's text for `slot`, filled for this contact (raises KeyError for a slot not offered)."""
    label = STAFF_TEMPLATES[slot]
    contact: Contact = conversation.contact
    variables = {"nome": first_name(contact.name), "empresa": cached("company", company_current).name}
    text = contact_text(slot, contact=contact, variables=variables)
    channel_id = conversation.channel_id or channel_for_contact(contact_id=contact.pk)
    mapped = template_for(channel_id=channel_id, slot=slot, variables=variables) if channel_id else None
    return Rendered(slot=slot, label=label, text=text, variables=variables,
                    approved_template=mapped.name if mapped is not None else "")
