"""The live parts: the queue, a thread and the handoff notice poll with the ETag of what they show and get
304 while nothing changed; a change answers only what is new. Each idle poll costs one small query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from conversations.core.handoff import conversation_handoff
from conversations.core.sessions import conversation_close
from tests.conftest import member
from tests.conversations.factories import MessageFactory
from tests.panel.inbox.conftest import INBOX, conversation


def etag_of(response) -> str:
    return response["ETag"]


@pytest.fixture
def chat(acme):
    with schema_context("acme"):
        return conversation(name="Camila Ribeiro", phone="5511944443333", said=("Oi",))


# --- the queue ----------------------------------------------------------------------------------

def test_the_queue_poll_answers_304_until_a_message_arrives(staff, chat):
    client = staff("operator")
    first = client.get(f"{INBOX}fila/")
    assert first.status_code == 200 and "Camila Ribeiro" in first.content.decode()

    assert client.get(f"{INBOX}fila/", HTTP_IF_NONE_MATCH=etag_of(first)).status_code == 304

    with schema_context("acme"):
        MessageFactory(contact=chat.contact, conversation=None, text="Alguém aí?")
    changed = client.get(f"{INBOX}fila/", HTTP_IF_NONE_MATCH=etag_of(first))
    assert changed.status_code == 200 and 'data-unread="2"' in changed.content.decode()


def test_the_queue_page_carries_its_etag_so_the_first_poll_is_already_304(staff, chat):
    client = staff("operator")
    page = client.get(INBOX).content.decode()
    etag = page.split('data-etag="', 1)[1].split('"', 1)[0]

    assert client.get(f"{INBOX}fila/", HTTP_IF_NONE_MATCH=f'"{etag}"').status_code == 304


@pytest.mark.parametrize("change", ["handoff", "close"])
def test_a_handoff_or_a_close_changes_the_queue(staff, acme, chat, change):
    client = staff("operator")
    etag = etag_of(client.get(f"{INBOX}fila/"))

    with schema_context("acme"):
        if change == "handoff":
            conversation_handoff(conversation=chat, reason="human_request")
        else:
            conversation_close(conversation=chat)

    assert client.get(f"{INBOX}fila/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_queue_poll_keeps_the_search(staff, acme):
    with schema_context("acme"):
        conversation(name="Rafael dos Santos")
        conversation(name="Beatriz Carvalho")

    html = staff("operator").get(f"{INBOX}fila/", {"q": "rafael"}).content.decode()

    assert "Rafael dos Santos" in html and "Beatriz Carvalho" not in html


def test_an_idle_poll_is_one_query_after_the_login(staff, chat):
    client = staff("operator")
    etag = etag_of(client.get(f"{INBOX}pulso/"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{INBOX}pulso/", HTTP_IF_NONE_MATCH=etag).status_code == 304

    ours = [q["sql"] for q in queries.captured_queries if "conversations_" in q["sql"]]
    assert len(ours) == 1 and "max(id)" in ours[0]


# --- a thread -----------------------------------------------------------------------------------

def test_the_thread_poll_answers_only_the_new_messages(staff, chat):
    client = staff("operator")
    page = client.get(f"{INBOX}{chat.pk}/").content.decode()
    last_id = int(page.split('data-last-id="', 1)[1].split('"', 1)[0])
    etag = page.split('data-etag="', 1)[1].split('"', 1)[0]
    poll = f"{INBOX}{chat.pk}/novas/?after={last_id}"

    assert client.get(poll, HTTP_IF_NONE_MATCH=f'"{etag}"').status_code == 304

    with schema_context("acme"):
        # as the webhook stores it: not yet in the conversation (the pipeline files it after the debounce)
        new = MessageFactory(contact=chat.contact, conversation=None, text="Vocês abrem sábado?")
    data = client.get(poll, HTTP_IF_NONE_MATCH=f'"{etag}"').json()

    assert "Vocês abrem sábado?" in data["html"] and ">Oi<" not in data["html"]
    assert data["html"].count("data-message-id=") == 1 and data["last_id"] == new.pk


def test_the_thread_poll_sends_the_new_header_when_the_conversation_changes(staff, acme, chat):
    client = staff("operator")
    first = client.get(f"{INBOX}{chat.pk}/novas/")

    with schema_context("acme"):
        conversation_handoff(conversation=chat, reason="complaint", summary="Reclamou do atraso.")
    data = client.get(f"{INBOX}{chat.pk}/novas/?after={first.json()['last_id']}",
                      HTTP_IF_NONE_MATCH=etag_of(first)).json()

    assert data["html"] == "" and "Reclamação" in data["head"] and "Reclamou do atraso." in data["head"]
    assert 'data-action="hand-back"' in data["head"]


def test_messages_seen_in_the_open_thread_are_read(staff, chat):
    client = staff("operator")
    client.get(f"{INBOX}{chat.pk}/")
    with schema_context("acme"):
        MessageFactory(conversation=chat, text="Mais uma coisa")

    client.get(f"{INBOX}{chat.pk}/novas/?after=0")

    assert "data-unread" not in client.get(f"{INBOX}fila/").content.decode()


# --- the handoff notice ---------------------------------------------------------------------------

def test_the_pulse_lists_who_the_assistant_handed_over_in_words_with_a_link(staff, acme, chat):
    client = staff("operator")
    etag = etag_of(client.get(f"{INBOX}pulso/"))

    with schema_context("acme"):
        conversation_handoff(conversation=chat, reason="human_request")
    response = client.get(f"{INBOX}pulso/", HTTP_IF_NONE_MATCH=etag)

    (handoff,) = [h for h in response.json()["handoffs"] if h["id"] == chat.pk]
    assert handoff["name"] == "Camila Ribeiro" and handoff["phone"] == "+55 11 94444-3333"
    assert handoff["reason"] == "Pediu para falar com uma pessoa" and handoff["url"] == f"{INBOX}{chat.pk}/"
    assert handoff["at"] <= response.json()["now"]


def test_a_person_taking_over_calls_nobody(staff, acme, chat):
    with schema_context("acme"):
        conversation_handoff(conversation=chat, reason="", actor=member(acme, "operator"))

    handoffs = staff("operator").get(f"{INBOX}pulso/").json()["handoffs"]

    assert chat.pk not in [h["id"] for h in handoffs]


def test_the_notice_script_is_on_every_panel_page_and_the_pulse_is_for_staff_only(staff, acme):
    page = staff("viewer").get("/admin/cadastros/").content.decode()

    assert "inbox/notice.js" in page
    assert staff("viewer").get(f"{INBOX}pulso/").status_code == 200
