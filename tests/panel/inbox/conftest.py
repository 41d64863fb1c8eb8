"""The inbox's cast: acme's receptionists (one client per role) and conversations made as the product makes them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure
from conversations.core.handoff import conversation_handoff
from conversations.core.models import Conversation, Message
from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.conversations.factories import ContactFactory, ConversationFactory, MessageFactory
from tests.templates.whatsapp.conftest import graph, meta  # noqa: F401 - the local Graph API, for Meta sends
from tests.templates.whatsapp.graph_server import TOKEN

INBOX = "/admin/inbox/"


@pytest.fixture
def staff(acme):
    """staff(role) -> a browser logged in on acme's panel as `<role>@acme.test`."""
    return lambda role: admin_client(acme, member(acme, role))


def conversation(*, name: str = "Maria Souza", phone: str | None = None, status: str = "bot", ago: int = 0,
                 said: tuple[str, ...] = ("Oi, bom dia!",), reason: str = "human_request") -> Conversation:
    """A conversation of acme (call inside its schema) whose customer said `said`, `ago` minutes ago.

    status "handoff": handed to a person by the assistant `ago` minutes ago; "closed": closed then.
    """
    contact = ContactFactory(**({"phone": phone} if phone else {}), name=name)
    chat = ConversationFactory(contact=contact)
    for text in said:
        MessageFactory(conversation=chat, text=text, state=Message.State.ANSWERED)
    moment = timezone.now() - timedelta(minutes=ago)
    if status == "handoff":
        conversation_handoff(conversation=chat, reason=reason, summary=f"{name} quer falar com alguém.", now=moment)
    if status == "closed":
        Conversation.objects.filter(pk=chat.pk).update(status="closed", closed_at=moment)
    Conversation.objects.filter(pk=chat.pk).update(last_activity_at=moment)
    chat.refresh_from_db()
    return chat


@pytest.fixture
def acme_meta(acme, meta):  # noqa: F811 - `meta` is the fixture imported above
    """acme's default channel on WhatsApp's Cloud API (a 24-hour window), with no fallback template."""
    with schema_context("acme"):
        return channel_configure(kind="meta", phone_number_id="106540352242922", access_token=TOKEN)
