"""messages_pending: hand-written SQL that must return what the ORM query it replaces returns."""

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from conversations.core.selectors import messages_pending
from conversations.models import Message
from tests.conversations.factories import ContactFactory, MessageFactory


def test_pending_messages_are_the_contacts_unanswered_inbound_ones_oldest_first_with_their_contact(acme):
    now = timezone.now()
    with schema_context("acme"):
        maria = ContactFactory(phone="5511911110000", name="Maria", last_message_at=now)
        other = ContactFactory(name="João")
        late = MessageFactory(contact=maria, inbound=True, text="segunda", state="received")
        early = MessageFactory(contact=maria, inbound=True, text="primeira", state="received",
                               payload={"media": {"kind": "image"}})
        Message.objects.filter(pk=early.pk).update(created_at=now - timedelta(seconds=5))
        MessageFactory(contact=maria, inbound=True, text="respondida", state="answered")
        MessageFactory(contact=maria, outbound=True, text="nossa resposta", state="received")
        MessageFactory(contact=other, inbound=True, text="de outro", state="received")

        pending = messages_pending(contact_id=maria.pk)
        expected = list(Message.objects.filter(contact_id=maria.pk, direction="in", state="received")
                        .select_related("contact").order_by("created_at", "id"))

        assert [m.pk for m in pending] == [m.pk for m in expected] == [early.pk, late.pk]
        assert [(m.text, m.payload, m.created_at) for m in pending] == [
            (m.text, m.payload, m.created_at) for m in expected]
        assert pending[0].payload == {"media": {"kind": "image"}}  # JSON decoded as the ORM does
        contact = pending[1].contact
        assert (contact.pk, contact.phone, contact.name, contact.last_message_at) == (
            maria.pk, "5511911110000", "Maria", maria.last_message_at)
        assert messages_pending(contact_id=other.pk + 1000) == []
