"""Conversations on the company admin: every page opens, staff act through the services, roles hold."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from compliance.models import AuditEvent
from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.core.ingest import dead_letter_record
from conversations.core.outbox import reply_create
from conversations.models import (
    Channel,
    Conversation,
    DeadLetter,
    KnowledgeItem,
    LLMCall,
    LLMConfig,
    Message,
    Outbox,
)
from tests.conftest import host_of, member
from tests.conversations.factories import (
    CompanyProfileFactory,
    ContactFactory,
    ConversationFactory,
    KnowledgeItemFactory,
    MessageFactory,
)

BASE = "/admin/conversations"
MODELS = ["contact", "conversation", "message", "outbox", "deadletter", "channel", "companyprofile",
          "knowledgeitem", "llmconfig", "llmcall"]


def browser(company, role: str) -> Client:
    client = Client(HTTP_HOST=host_of(company))
    with schema_context(company.schema_name):
        client.force_login(member(company, role))
    return client


@pytest.fixture
def rows(acme) -> dict[str, int]:
    """One row of each model in acme; model name -> pk."""
    with schema_context("acme"):
        channel_configure(kind="meta", phone_number_id="106540352242922", access_token="EAAG-segredo-guardado")
        contact = ContactFactory(phone="5511912345678", name="Maria Souza")
        conversation = ConversationFactory(contact=contact, status="handoff")
        message = MessageFactory(conversation=conversation, text="Quero falar com alguém", state="skipped")
        outbox = reply_create(contact=contact, conversation=conversation, text="Olá!", idempotency_key="adm-1")
        dead = dead_letter_record(source="webhook:sandbox", reason="x",
                                  payload={"from": "5511912345678", "text": "oi", "id": "adm-dl-1"})
        return {
            "contact": contact.pk, "conversation": conversation.pk, "message": message.pk, "outbox": outbox.pk,
            "deadletter": dead.pk, "channel": channel_default_ensure().pk,
            "companyprofile": CompanyProfileFactory(assistant_name="Bia").pk,
            "knowledgeitem": KnowledgeItemFactory(title="Aceitam cartão?", answer="Sim.").pk,
            "llmconfig": LLMConfig.objects.create(provider="gemini", api_key="AIza-chave-secreta").pk,
            "llmcall": LLMCall.objects.create(provider="local", outcome="ok").pk,
        }


@pytest.mark.parametrize("model", MODELS)
def test_a_manager_opens_the_list_and_the_page_of_each_model(acme, rows, model):
    client = browser(acme, "manager")

    assert client.get(f"{BASE}/{model}/").status_code == 200
    assert client.get(f"{BASE}/{model}/{rows[model]}/change/").status_code == 200


def test_the_conversation_page_shows_its_messages_and_the_reply_box(acme, rows):
    page = browser(acme, "operator").get(f"{BASE}/conversation/{rows['conversation']}/change/").content.decode()

    assert "Quero falar com alguém" in page and "Olá!" in page
    assert page.index("Quero falar com alguém") < page.index("Olá!")
    assert 'name="reply"' in page


@pytest.mark.parametrize("model", MODELS)
def test_a_viewer_sees_every_model_but_cannot_add_or_change(acme, rows, model):
    client = browser(acme, "viewer")

    assert client.get(f"{BASE}/{model}/").status_code == 200
    page = client.get(f"{BASE}/{model}/{rows[model]}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode() and 'name="reply"' not in page.content.decode()
    assert client.get(f"{BASE}/{model}/add/").status_code == 403


def test_a_viewer_cannot_post_a_change(acme, rows):
    response = browser(acme, "viewer").post(f"{BASE}/knowledgeitem/{rows['knowledgeitem']}/change/",
                                            {"kind": "faq", "title": "Mudou", "answer": "Sim.", "_save": "Salvar"})

    assert response.status_code == 403
    with schema_context("acme"):
        assert KnowledgeItem.objects.get(pk=rows["knowledgeitem"]).title == "Aceitam cartão?"


# --- staff actions -------------------------------------------------------------------------

def conversation_form(conversation_id: int, **fields) -> dict:
    with schema_context("acme"):
        count = Message.objects.filter(conversation_id=conversation_id).count()
    management = {"messages-TOTAL_FORMS": count, "messages-INITIAL_FORMS": count,
                  "messages-MIN_NUM_FORMS": 0, "messages-MAX_NUM_FORMS": 1000}
    return {**management, "reply": "", "reply_key": "", "_save": "Salvar", **fields}


def test_an_operator_replies_from_the_conversation_page_through_the_outbox(acme, rows):
    pk = rows["conversation"]

    response = browser(acme, "operator").post(f"{BASE}/conversation/{pk}/change/",
                                              conversation_form(pk, reply="Oi Maria, aqui é a Carla.", reply_key="k1"))

    assert response.status_code == 302
    with schema_context("acme"):
        outbox = Outbox.objects.get(idempotency_key=f"staff:{pk}:k1")
        assert (outbox.message.text, outbox.message.sent_by) == ("Oi Maria, aqui é a Carla.", "operator@acme.test")


def test_an_operator_hands_back_from_the_conversation_page_and_it_is_audited(acme, rows,
                                                                           django_capture_on_commit_callbacks):
    pk = rows["conversation"]

    with django_capture_on_commit_callbacks(execute=True):  # the audit trail hears it once committed
        response = browser(acme, "operator").post(f"{BASE}/conversation/{pk}/change/",
                                                  conversation_form(pk, hand_back="on"))

    assert response.status_code == 302
    with schema_context("acme"):
        assert Conversation.objects.get(pk=pk).status == "bot"
        assert AuditEvent.objects.filter(action="conversation.handed_back", target=str(pk)).exists()


def test_the_take_over_action_puts_conversations_with_the_staff(acme, rows):
    with schema_context("acme"):
        Conversation.objects.filter(pk=rows["conversation"]).update(status="bot")

    browser(acme, "operator").post(f"{BASE}/conversation/",
                                   {"action": "take_over", "_selected_action": [rows["conversation"]]})

    with schema_context("acme"):
        assert Conversation.objects.get(pk=rows["conversation"]).status == "handoff"


def test_the_reprocess_action_redoes_the_failure_and_says_so(acme, rows):
    response = browser(acme, "manager").post(f"{BASE}/deadletter/",
                                             {"action": "reprocess", "_selected_action": [rows["deadletter"]]},
                                             follow=True)

    assert "reprocessada (mensagem registrada)" in response.content.decode()
    with schema_context("acme"):
        assert DeadLetter.objects.get(pk=rows["deadletter"]).reprocess_count == 1
        assert Message.objects.filter(provider_message_id="adm-dl-1").exists()


def test_the_reprocess_action_reports_a_payload_that_still_fails(acme, rows):
    with schema_context("acme"):
        DeadLetter.objects.filter(pk=rows["deadletter"]).update(payload={"from": "x", "text": "oi"})

    response = browser(acme, "manager").post(f"{BASE}/deadletter/",
                                             {"action": "reprocess", "_selected_action": [rows["deadletter"]]},
                                             follow=True)

    assert "ainda não pode ser processado" in response.content.decode()
    with schema_context("acme"):
        assert DeadLetter.objects.get(pk=rows["deadletter"]).reprocess_count == 0


def test_a_viewer_cannot_reprocess_from_the_admin(acme, rows):
    assert 'value="reprocess"' not in browser(acme, "viewer").get(f"{BASE}/deadletter/").content.decode()
    assert 'value="reprocess"' in browser(acme, "manager").get(f"{BASE}/deadletter/").content.decode()

    browser(acme, "viewer").post(f"{BASE}/deadletter/",
                                 {"action": "reprocess", "_selected_action": [rows["deadletter"]]})

    with schema_context("acme"):
        assert DeadLetter.objects.get(pk=rows["deadletter"]).reprocess_count == 0


# --- settings and their secrets --------------------------------------------------------------

def channel_form(**fields) -> dict:
    return {"kind": "meta", "phone_number_id": "106540352242922", "base_url": "", "access_token": "",
            "_save": "Salvar", **fields}


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_secrets_are_never_shown(acme, rows, role):
    client = browser(acme, role)

    channel = client.get(f"{BASE}/channel/{rows['channel']}/change/").content.decode()
    llm = client.get(f"{BASE}/llmconfig/{rows['llmconfig']}/change/").content.decode()

    assert "EAAG-segredo-guardado" not in channel and "AIza-chave-secreta" not in llm
    assert ("Deixe em branco para manter" in channel) is (role == "manager")


def test_a_blank_secret_keeps_the_stored_one_and_a_new_one_replaces_it(acme, rows):
    client = browser(acme, "manager")
    page = f"{BASE}/channel/{rows['channel']}/change/"

    assert client.post(page, channel_form(phone_number_id="999")).status_code == 302
    with schema_context("acme"):
        channel = Channel.objects.get()
        assert (channel.phone_number_id, channel.access_token) == ("999", "EAAG-segredo-guardado")

    assert client.post(page, channel_form(access_token="EAAG-novo")).status_code == 302
    with schema_context("acme"):
        assert Channel.objects.get().access_token == "EAAG-novo"


def test_the_llm_key_is_kept_when_left_blank(acme, rows):
    response = browser(acme, "manager").post(
        f"{BASE}/llmconfig/{rows['llmconfig']}/change/",
        {"provider": "gemini", "model": "gemini-2.0-flash", "api_key": "", "base_url": "", "_save": "Salvar"})

    assert response.status_code == 302
    with schema_context("acme"):
        config = LLMConfig.objects.get()
        assert (config.model, config.api_key) == ("gemini-2.0-flash", "AIza-chave-secreta")


def test_an_operator_cannot_change_the_channel(acme, rows):
    response = browser(acme, "operator").post(f"{BASE}/channel/{rows['channel']}/change/",
                                              channel_form(access_token="EAAG-intruso"))

    assert response.status_code == 403
    with schema_context("acme"):
        assert Channel.objects.get().access_token == "EAAG-segredo-guardado"
