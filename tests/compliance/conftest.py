"""Fixtures of the LGPD tests: inside acme on the sandbox channel, Celery eager on demand, and one
customer with something in every table that can hold their data (`customer`), plus the searches that
prove an erasure: every text/JSON column of the company's schema and every Redis key and value."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import AppointmentEvent, Dialog, WaitlistEntry
from agenda.services.config import calendar_config_forget
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.context import context_get
from conversations.core.ingest import dead_letter_record, inbound_store
from conversations.core.limits import llm_budget_allow, sender_allow
from conversations.core.pipeline import conversation_reply
from conversations.models import Contact, Conversation, LLMCall, Message
from secretaria.redis_client import get_redis
from tests.agenda.factories import AppointmentFactory, FollowUpFactory, ReminderFactory, tomorrow_at


@pytest.fixture
def in_acme(acme, settings):
    settings.DEBOUNCE_SECONDS = 0
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        yield acme


def say(text: str, *, phone: str, name: str = "Cliente", id: str | None = None, when=None) -> Message | None:
    """One inbound sandbox message, stored as the webhook stores it (None: refused or a redelivery)."""
    return inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=id or f"lgpd-{secrets.token_hex(6)}", sender=phone, sender_name=name,
        kind=MessageKind.TEXT, text=text, timestamp=when or timezone.now()))


def turn(text: str, *, phone: str, name: str = "Cliente") -> str:
    """A whole turn through the real pipeline, its commit callbacks run (the send, the Redis context); the
    reply's text."""
    message = say(text, phone=phone, name=name)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert conversation_reply(contact_id=message.contact_id).status == "answered"
    return Message.objects.filter(contact_id=message.contact_id, direction="out").latest("id").text


@dataclass
class Customer:
    contact: Contact
    phone: str
    name: str
    texts: list[str] = field(default_factory=list)

    @property
    def needles(self) -> list[str]:
        return [self.phone, self.name, *self.texts]


@pytest.fixture
def customer(in_acme) -> Customer:
    """Zuleica, with a conversation answered by the pipeline (Redis context and rate limits too), an
    attended visit with a follow-up comment, a missed one, one tomorrow with a reminder and notes, a
    waitlist entry, an open agenda dialog, an LLM call and a dead letter holding her number."""
    tag = secrets.token_hex(3)
    phone, name = f"55119{secrets.randbelow(10**8):08d}", f"Zuleica Quixabeira {tag}"
    texts = [f"meu cachorro Totó {tag} está doente", f"moro na rua das Acácias {tag}"]
    first = say(texts[0], phone=phone, name=name)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the replies are sent, the context cached
        conversation_reply(contact_id=first.contact_id)
        say(texts[1], phone=phone, name=name)
        conversation_reply(contact_id=first.contact_id)
    contact = Contact.objects.get(pk=first.contact_id)
    conversation = Conversation.objects.filter(contact=contact).latest("id")
    context_get(conversation_id=conversation.pk)  # cached in Redis
    sender_allow(phone=phone)
    llm_budget_allow(phone=phone)
    # Two answers the engine was not sure of handed her to the team, with a summary of what she wrote;
    # back with the assistant, so the tests' turns are answered.
    Conversation.objects.filter(pk=conversation.pk).update(status="bot", low_confidence_streak=0,
                                                           summary=f"{name} escreveu: {texts[0]}")
    _agenda_of(contact, name, texts)
    LLMCall.objects.create(provider="gemini", conversation=conversation, input_tokens=10, output_tokens=5, outcome="ok")
    dead_letter_record(source="webhook", reason=f"número {phone} inválido", payload={"from": phone, "text": texts[1]})
    return Customer(contact=contact, phone=phone, name=name, texts=texts)


def _agenda_of(contact: Contact, name: str, texts: list[str]) -> None:
    yesterday = tomorrow_at(10) - timedelta(days=2)
    followup = FollowUpFactory(appointment__contact=contact, appointment__start=yesterday, state="answered",
                               score=9, sentiment="positive", comment=f"a {name} adorou")
    AppointmentEvent.objects.create(appointment=followup.appointment, kind="attended", actor="system",
                                    data={"note": texts[1]})
    AppointmentFactory(contact=contact, start=yesterday - timedelta(days=1), status="no_show",
                       notes=f"ligar para {contact.phone}")
    upcoming = AppointmentFactory(contact=contact, start=tomorrow_at(15), status="confirmed", notes=texts[0])
    ReminderFactory(appointment=upcoming)
    WaitlistEntry.objects.create(contact=contact, preferences={"obs": texts[1]})
    Dialog.objects.create(contact=contact, step="reminder", data={"said": texts[0]},
                          expires_at=timezone.now() + timedelta(hours=1))


# --- the searches ---------------------------------------------------------------------------------

SEARCHED_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")


def schema_hits(needles: list[str], schema: str = "acme") -> list[str]:
    """Every (table.column, needle) of the company's schema whose value contains a needle, any case."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = %s AND data_type = ANY(%s) ORDER BY table_name, column_name",
                       [schema, list(SEARCHED_TYPES)])
        columns = cursor.fetchall()
        assert len(columns) > 50  # the search really looked at the company's tables
        hits = []
        for table, column in columns:
            for needle in needles:
                cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE %s',
                               [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column}: {needle}")
    return hits


def redis_hits(needles: list[str]) -> list[str]:
    """Every Redis key whose name or value contains a needle (strings, lists, sets, sorted sets, hashes)."""
    client, hits = get_redis(), []
    for key in client.scan_iter(count=1000):
        blob = key + b" " + b" ".join(_values(client, key))
        text = blob.decode("utf-8", "replace").lower()
        hits += [f"{key.decode()}: {needle}" for needle in needles if needle.lower() in text]
    return hits


def _values(client, key: bytes) -> list[bytes]:
    kind = client.type(key).decode()
    if kind == "string":
        return [client.get(key) or b""]
    if kind == "list":
        return client.lrange(key, 0, -1)
    if kind == "set":
        return list(client.smembers(key))
    if kind == "zset":
        return client.zrange(key, 0, -1)
    if kind == "hash":
        return [b for pair in client.hgetall(key).items() for b in pair]
    return []
