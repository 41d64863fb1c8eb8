"""The queue: who waits for a person first (longest wait first), then the assistant's, then the closed;
unread counts; search by name, phone in any format, or what was said; pt-BR words, never codes."""

import re

import pytest
from django_tenants.utils import schema_context

from conversations.core.handoff import staff_reply
from conversations.core.models import Message
from tests.conftest import member
from tests.conversations.factories import MessageFactory
from tests.panel.inbox.conftest import INBOX, conversation


def names_in(page: str, section: str) -> list[str]:
    """The contacts listed in one section of the queue, in order."""
    body = page.split(f'data-section="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<strong>([^<]+)</strong>", body)


@pytest.fixture
def day(acme):
    with schema_context("acme"):
        return {
            "waiting_long": conversation(name="Ana Paula Ferreira", status="handoff", ago=40),
            "waiting_short": conversation(name="João Alves", status="handoff", ago=5, reason="complaint"),
            "open_old": conversation(name="Carlos Eduardo Lima", ago=20),
            "open_new": conversation(name="Juliana Rocha", ago=1),
            "closed_old": conversation(name="Pedro Henrique Costa", status="closed", ago=90),
            "closed_new": conversation(name="Fernanda Oliveira", status="closed", ago=10),
        }


def test_waiting_comes_first_longest_wait_first_then_open_then_the_latest_closed(staff, day):
    page = staff("operator").get(INBOX).content.decode()

    assert names_in(page, "waiting") == ["Ana Paula Ferreira", "João Alves"]
    assert names_in(page, "open") == ["Juliana Rocha", "Carlos Eduardo Lima"]
    assert names_in(page, "closed") == ["Fernanda Oliveira", "Pedro Henrique Costa"]
    assert page.index('data-section="waiting"') < page.index('data-section="open"') < page.index(
        'data-section="closed"')


def test_a_waiting_customer_shows_the_wait_and_the_reason_in_words(staff, day):
    page = staff("operator").get(INBOX).content.decode()

    assert "espera: 40 min" in page and "espera: 5 min" in page
    assert "Pediu para falar com uma pessoa" in page and "Reclamação" in page
    assert "human_request" not in page and "complaint" not in page


def test_a_staff_answer_stops_the_wait_until_the_customer_writes_again(staff, acme, day):
    chat = day["waiting_long"]
    with schema_context("acme"):
        staff_reply(conversation=chat, author=member(acme, "operator"), text="Oi Ana, aqui é a Carla.")

    page = staff("operator").get(INBOX).content.decode()
    assert names_in(page, "waiting") == ["João Alves", "Ana Paula Ferreira"]  # answered ones after the waiting
    assert "respondida" in page

    with schema_context("acme"):
        MessageFactory(conversation=chat, text="Obrigada! E o preço?", state=Message.State.SKIPPED)
    page = staff("operator").get(INBOX).content.decode()
    assert names_in(page, "waiting") == ["João Alves", "Ana Paula Ferreira"]
    assert "espera: agora" in _row(page, f'data-conversation="{chat.pk}"')


def test_phones_are_shown_formatted(staff, acme):
    with schema_context("acme"):
        conversation(name="", phone="5511987654321")

    page = staff("viewer").get(INBOX).content.decode()

    assert "+55 11 98765-4321" in page and "5511987654321" not in page


# --- unread -------------------------------------------------------------------------------------

def test_customer_messages_are_unread_until_someone_who_answers_opens_the_thread(staff, acme):
    with schema_context("acme"):
        chat = conversation(name="Beatriz Carvalho", said=("Oi", "Tem horário amanhã?", "De manhã"))
    row = f'data-conversation="{chat.pk}"'

    assert 'data-unread="3"' in _row(staff("operator").get(INBOX).content.decode(), row)

    staff("viewer").get(f"{INBOX}{chat.pk}/")  # a viewer reading does not read it for the team
    assert 'data-unread="3"' in _row(staff("viewer").get(INBOX).content.decode(), row)

    staff("operator").get(f"{INBOX}{chat.pk}/")
    assert "data-unread" not in _row(staff("viewer").get(INBOX).content.decode(), row)

    with schema_context("acme"):
        MessageFactory(conversation=chat, text="Alô?")
    assert 'data-unread="1"' in _row(staff("operator").get(INBOX).content.decode(), row)


def test_a_message_not_yet_filed_by_the_pipeline_already_counts(staff, acme):
    """The webhook stores a message without a conversation; the pipeline files it after the debounce."""
    with schema_context("acme"):
        chat = conversation(name="Gabriel Pereira", said=())
        MessageFactory(contact=chat.contact, conversation=None, text="Quero falar com um atendente")

    page = staff("operator").get(INBOX).content.decode()

    assert 'data-unread="1"' in _row(page, f'data-conversation="{chat.pk}"')


def _row(page: str, marker: str) -> str:
    return page.split(marker, 1)[1].split("</li>", 1)[0]


# --- search -------------------------------------------------------------------------------------

@pytest.fixture
def people(acme):
    with schema_context("acme"):
        return {
            "maria": conversation(name="Maria Souza", phone="5511987654321", said=("Vocês aceitam cartão?",)),
            "joao": conversation(name="João Alves", phone="5521912345678", said=("Quero remarcar",)),
        }


@pytest.mark.parametrize("typed", ["11 98765", "+55 (11) 98765-4321", "(11) 98765-4321", "98765-4321",
                                   "011 98765 4321"])
def test_search_finds_a_phone_in_any_format(staff, people, typed):
    page = staff("operator").get(INBOX, {"q": typed}).content.decode()

    assert "Maria Souza" in page and "João Alves" not in page


@pytest.mark.parametrize("typed, found", [("maria", "Maria Souza"), ("ALVES", "João Alves"),
                                          ("cartão", "Maria Souza"), ("remarcar", "João Alves")])
def test_search_finds_a_name_or_something_said(staff, people, typed, found):
    page = staff("operator").get(INBOX, {"q": typed}).content.decode()

    other = {"Maria Souza", "João Alves"} - {found}
    assert found in page and other.pop() not in page


def test_a_search_that_finds_nothing_says_so(staff, people):
    page = staff("operator").get(INBOX, {"q": "ortodontia"}).content.decode()

    assert "Ninguém aguardando atendimento nesta busca" in page and "Nenhuma conversa aberta nesta busca" in page
