"""Outreach: a message the business starts reaches the contact through the channel they use, once,
and says what it is (the event and the sent message carry its kind)."""

import pytest
from django_tenants.utils import schema_context

from conversations.channels.services import channel_default_ensure
from conversations.core.sessions import conversation_current
from conversations.models import Conversation, Message
from conversations.outreach.services import Outreach, outreach_send
from secretaria import events
from tests.conversations.factories import ChannelFactory, ContactFactory


@pytest.fixture
def heard():
    got = []
    for event_type in (events.OutreachQueued, events.MessageSent):
        events.subscribe(event_type, got.append)
    yield got
    for event_type in (events.OutreachQueued, events.MessageSent):
        events.bus.unsubscribe(event_type, got.append)


def test_it_leaves_through_the_channel_of_the_contacts_conversation(acme, heard, django_capture_on_commit_callbacks):
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        second, contact = ChannelFactory(name="Segundo"), ContactFactory()
        conversation_current(contact=contact, channel_id=second.pk)

        outbox = outreach_send(Outreach(contact=contact, text="Lembrete: amanhã às 10:00", kind="reminder",
                                        key="reminder:t1"))

    with schema_context("acme"):
        message = Message.objects.get(pk=outbox.message_id)
        assert (message.channel_id, message.payload["outreach"], message.outbox.state) == (second.pk, "reminder",
                                                                                           "sent")
    queued, sent = heard
    assert (queued.kind, queued.key, queued.contact_id) == ("reminder", "reminder:t1", contact.pk)
    assert (sent.origin, sent.outreach_kind, sent.channel_id) == ("outreach", "reminder", second.pk)


def test_a_contact_who_never_wrote_is_reached_through_the_default_channel(acme):
    with schema_context("acme"):
        ChannelFactory(name="Segundo")
        contact = ContactFactory()

        outbox = outreach_send(Outreach(contact=contact, text="Oferta de vaga", kind="waitlist_offer", key="w:1"))

        assert outbox.message.channel_id == channel_default_ensure().pk
        assert Conversation.objects.get(contact=contact).channel_id == channel_default_ensure().pk


def test_the_same_key_twice_is_one_message(acme):
    from django.db import IntegrityError, transaction

    with schema_context("acme"):
        contact = ContactFactory()
        outreach_send(Outreach(contact=contact, text="Oi", kind="reminder", key="reminder:dup"))
        with pytest.raises(IntegrityError), transaction.atomic():
            outreach_send(Outreach(contact=contact, text="Oi", kind="reminder", key="reminder:dup"))

        assert Message.objects.filter(contact=contact, direction="out").count() == 1
