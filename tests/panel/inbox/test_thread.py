"""A conversation as a chat thread: the customer on the left, the assistant and the staff on the right (each
marked), newest at the bottom by the reply box, times in the company's zone, the reason and summary on top."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from agenda.services.calendar_settings import calendar_config_set
from conversations.core.handoff import staff_reply
from conversations.core.models import Message, Outbox
from conversations.core.outbox import reply_create
from tests.conftest import member
from tests.conversations.factories import MessageFactory
from tests.panel.inbox.conftest import INBOX, conversation


def bubbles(page: str) -> list[tuple[str, str]]:
    """(who, text) of each message of the thread, top to bottom."""
    return [(who, " ".join(text.split())) for who, text in
            re.findall(r'data-who="(\w+)">.*?<p>(.*?)</p>', page, flags=re.S)]


@pytest.fixture
def chat(acme):
    with schema_context("acme"):
        chat = conversation(name="Maria Souza", phone="5511987654321", status="handoff", ago=12,
                            said=("Oi, quero falar com um atendente",))
        reply_create(contact=chat.contact, conversation=chat, text="Claro! Já avisei a nossa equipe.",
                     idempotency_key="bot-1")
        staff_reply(conversation=chat, author=member(acme, "operator"), text="Oi Maria, aqui é a Carla.")
        MessageFactory(conversation=chat, text="Oi Carla! Queria remarcar.", state=Message.State.SKIPPED)
        return chat


def test_the_customer_is_on_the_left_and_the_assistant_and_staff_on_the_right_in_order(staff, chat):
    page = staff("operator").get(f"{INBOX}{chat.pk}/").content.decode()

    assert bubbles(page) == [("customer", "Oi, quero falar com um atendente"),
                             ("bot", "Claro! Já avisei a nossa equipe."),
                             ("staff", "Oi Maria, aqui é a Carla."),
                             ("customer", "Oi Carla! Queria remarcar.")]
    assert "inbox-msg--customer" in page and "inbox-msg--bot" in page and "inbox-msg--staff" in page
    assert "Equipe · operator@acme.test" in page and ">Assistente<" in page
    # the newest message sits right above the reply box
    assert page.index("Queria remarcar") < page.index('id="responder"')


def test_the_reason_and_summary_are_on_top_in_words(staff, chat):
    page = staff("operator").get(f"{INBOX}{chat.pk}/").content.decode()
    head = page.split("data-thread-head", 1)[1].split("</header>", 1)[0]

    assert "Pediu para falar com uma pessoa" in head and "Maria Souza quer falar com alguém." in head
    assert "+55 11 98765-4321" in head and "Com a equipe" in head
    assert "human_request" not in page and "handoff" not in re.sub(r'data-[\w-]+="[^"]*"', "", head)


def test_times_are_in_the_companys_time_zone(staff, chat):
    with schema_context("acme"):
        calendar_config_set(timezone="America/Manaus")
        message = Message.objects.filter(conversation=chat).order_by("id").first()
        Message.objects.filter(pk=message.pk).update(
            created_at=datetime(2026, 3, 10, 14, 30, tzinfo=ZoneInfo("UTC")))

    page = staff("operator").get(f"{INBOX}{chat.pk}/").content.decode()

    assert "10/03/2026 10:30" in page  # Manaus is UTC-4


def test_a_message_that_is_not_text_says_what_it_was(staff, acme):
    with schema_context("acme"):
        chat = conversation(said=())
        MessageFactory(conversation=chat, kind="audio", text="")

    page = staff("operator").get(f"{INBOX}{chat.pk}/").content.decode()

    assert "[Áudio]" in page


def test_a_closed_conversation_has_no_reply_box_and_links_the_contacts_other_conversations(staff, acme):
    with schema_context("acme"):
        old = conversation(name="Lucas Martins", phone="5511955554444", status="closed", ago=600)
        current = conversation(name="Lucas Martins", phone="5511955554444")

    page = staff("operator").get(f"{INBOX}{old.pk}/").content.decode()

    assert 'name="text"' not in page and "Conversa encerrada" in page
    assert f'href="{INBOX}{current.pk}/"' in page


def test_another_companys_conversation_is_not_found(staff, globex):
    with schema_context("globex"):
        theirs = conversation(name="Cliente da Globex")

    assert staff("operator").get(f"{INBOX}{theirs.pk}/").status_code == 404


def test_a_send_that_failed_is_marked(staff, acme):
    with schema_context("acme"):
        chat = conversation(said=("Oi",))
        outbox = reply_create(contact=chat.contact, conversation=chat, text="Não chegou", idempotency_key="fail-1")
        Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.FAILED)

    page = staff("operator").get(f"{INBOX}{chat.pk}/").content.decode()

    assert "Não chegou" in page and "data-failed" in page and "não enviada" in page
