"""Contacts, conversations and messages in the admin's lists read in pt-BR: headers, states and reasons in words,
phones formatted, dates in the company's zone; each conversation links to its thread in the inbox."""

import re

import pytest
from django_tenants.utils import schema_context

from conversations.core.models import Conversation
from tests.panel.inbox.conftest import INBOX, conversation

BASE = "/admin/conversations"


def headers(page: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in re.findall(r'<th scope="col".*?</th>', page, re.S)]


@pytest.fixture
def chat(acme):
    with schema_context("acme"):
        chat = conversation(name="Maria Souza", phone="5511987654321", status="handoff", ago=3)
        Conversation.objects.filter(pk=chat.pk).update(intents=["greeting", "appointment_request"])
        return chat


def test_the_conversation_list_is_in_words_and_links_to_the_inbox(staff, chat):
    page = staff("operator").get(f"{BASE}/conversation/").content.decode()

    assert headers(page)[1:] == ["Contato", "Telefone", "Situação", "Última atividade",
                                 "Motivo do atendimento humano", "Caixa de entrada"]
    assert "+55 11 98765-4321" in page and "Pediu para falar com uma pessoa" in page
    assert "human_request" not in page
    assert f'href="{INBOX}{chat.pk}/"' in page


def test_the_conversation_page_says_its_subjects_in_words_and_links_to_the_thread(staff, chat):
    page = staff("operator").get(f"{BASE}/conversation/{chat.pk}/change/").content.decode()

    assert "Saudação, Agendar" in page and "greeting" not in page
    assert f'href="{INBOX}{chat.pk}/"' in page
    assert "Com a equipe desde" in page and "Handoff" not in page


def test_the_message_list_says_who_wrote_in_words(staff, chat):
    page = staff("viewer").get(f"{BASE}/message/").content.decode()

    assert headers(page)[:5] == ["Quando", "Contato", "Telefone", "De", "Tipo"]
    assert ">Cliente<" in page and "+55 11 98765-4321" in page and f'href="{INBOX}{chat.pk}/"' in page
    assert "Direction" not in page and "Created at" not in page


@pytest.mark.parametrize("typed", ["+55 (11) 98765-4321", "11 98765", "98765-4321"])
@pytest.mark.parametrize("model", ["contact", "conversation", "message"])
def test_a_phone_in_any_format_finds_the_contact(staff, chat, model, typed):
    with schema_context("acme"):
        conversation(name="João Alves", phone="5521912345678")

    page = staff("operator").get(f"{BASE}/{model}/", {"q": typed}).content.decode()

    assert "Maria Souza" in page and "João Alves" not in page


def test_the_contact_list_formats_the_phone(staff, chat):
    page = staff("operator").get(f"{BASE}/contact/").content.decode()

    assert "+55 11 98765-4321" in page and ">5511987654321<" not in page
