"""What staff do from a thread: reply, send a company template, take over, hand back, close — each through the
conversation services, each allowed to operators and up; a viewer reads the thread and nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from compliance.models import AuditEvent
from conversations.core.models import Contact, Conversation, Message, Outbox
from templates.whatsapp.models import WhatsAppTemplate
from templates.whatsapp.services import whatsapp_mapping_save
from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.factories import PASSWORD
from tests.panel.inbox.conftest import INBOX, conversation


@pytest.fixture
def chat(acme):
    with schema_context("acme"):
        return conversation(name="Maria Souza", phone="5511987654321", said=("Oi, tudo bem?",))


def status_of(chat) -> str:
    with schema_context("acme"):
        return Conversation.objects.get(pk=chat.pk).status


def staff_messages(chat) -> list[tuple[str, str]]:
    with schema_context("acme"):
        return list(Message.objects.filter(conversation=chat, direction="out").exclude(sent_by="")
                    .values_list("text", "sent_by"))


# --- reply --------------------------------------------------------------------------------------

def test_an_operator_replies_through_the_outbox_and_takes_the_conversation_over(staff, chat):
    response = staff("operator").post(f"{INBOX}{chat.pk}/responder/", {"text": "Oi Maria, aqui é a Carla.",
                                                                      "key": "k-1"}, follow=True)

    assert response.status_code == 200 and "Resposta enviada" in response.content.decode()
    assert staff_messages(chat) == [("Oi Maria, aqui é a Carla.", "operator@acme.test")]
    with schema_context("acme"):
        assert Outbox.objects.filter(idempotency_key=f"staff:{chat.pk}:k-1").exists()
    assert status_of(chat) == "handoff"  # the assistant stays silent now


def test_the_same_reply_form_posted_twice_sends_once(staff, chat):
    client = staff("operator")
    for _ in range(2):
        client.post(f"{INBOX}{chat.pk}/responder/", {"text": "Só uma vez", "key": "k-dup"})

    assert staff_messages(chat) == [("Só uma vez", "operator@acme.test")]


def test_an_empty_reply_is_refused_in_portuguese(staff, chat):
    response = staff("operator").post(f"{INBOX}{chat.pk}/responder/", {"text": "   ", "key": "k"}, follow=True)

    assert "Escreva a mensagem." in response.content.decode()
    assert staff_messages(chat) == []


def test_outside_whatsapps_window_without_a_template_the_reply_is_refused(staff, chat, acme_meta):
    with schema_context("acme"):
        Contact.objects.filter(pk=chat.contact_id).update(last_message_at=timezone.now() - timedelta(hours=30))
    thread = staff("operator").get(f"{INBOX}{chat.pk}/").content.decode()
    assert 'data-window="closed"' in thread and "mais de 24 horas" in thread

    response = staff("operator").post(f"{INBOX}{chat.pk}/responder/", {"text": "Oi!", "key": "k"}, follow=True)

    assert "fora dessa janela o WhatsApp só entrega modelos aprovados" in response.content.decode()
    assert staff_messages(chat) == []


# --- templates ----------------------------------------------------------------------------------

def test_a_template_is_the_companys_text_filled_for_the_contact_and_editable(staff, chat):
    page = staff("operator").get(f"{INBOX}{chat.pk}/modelo/", {"modelo": "callback_offer"}).content.decode()

    assert "Nossa equipe ainda não conseguiu responder. Quer que a gente te ligue?" in page
    assert '<textarea id="inbox-text" name="text"' in page

    staff("operator").post(f"{INBOX}{chat.pk}/modelo/", {
        "slot": "offer_help", "key": "t-1", "original": "Como posso ajudar?", "text": "Maria, como posso ajudar?"})

    assert staff_messages(chat) == [("Maria, como posso ajudar?", "operator@acme.test")]
    with schema_context("acme"):  # edited: it no longer is the company's text, so it carries no slot
        assert "slot" not in Message.objects.get(text="Maria, como posso ajudar?").payload


def test_an_unedited_template_keeps_its_slot_for_whatsapps_approved_template(staff, chat):
    staff("operator").post(f"{INBOX}{chat.pk}/modelo/", {
        "slot": "thanks_reply", "key": "t-2", "original": "Por nada!", "text": "Por nada!"})

    with schema_context("acme"):
        payload = Message.objects.get(text="Por nada!").payload
    assert payload["slot"] == "thanks_reply" and payload["variables"]["nome"] == "Maria"


def test_outside_the_window_an_unedited_template_goes_as_the_approved_whatsapp_template(
        staff, chat, acme_meta, meta, eager, django_capture_on_commit_callbacks):
    meta.window_closed.add("5511987654321")  # Meta refuses free text to this customer now
    with schema_context("acme"):
        Contact.objects.filter(pk=chat.contact_id).update(last_message_at=timezone.now() - timedelta(hours=30))
        approved = WhatsAppTemplate.objects.create(channel=acme_meta, name="como_ajudar", language="pt_BR",
                                                   category="UTILITY", status="APPROVED",
                                                   body_text="Olá {{1}}, como podemos ajudar?")
        whatsapp_mapping_save(channel=acme_meta, slot="offer_help", template=approved, variables=["nome"])
    client = staff("operator")
    page = client.get(f"{INBOX}{chat.pk}/modelo/", {"modelo": "offer_help"}).content.decode()
    assert "vai o modelo aprovado “como_ajudar”" in page
    text = page.split('name="original" value="', 1)[1].split('"', 1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{INBOX}{chat.pk}/modelo/", {"slot": "offer_help", "key": "t-3",
                                                            "original": text, "text": text})

    assert response.status_code == 302
    sent = meta.requests_to(f"/v21.0/{acme_meta.phone_number_id}/messages", "POST")[-1].body
    assert sent["type"] == "template" and sent["template"]["name"] == "como_ajudar"
    assert sent["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Maria"}]


def test_outside_the_window_an_edited_template_without_a_fallback_is_refused(staff, chat, acme_meta):
    with schema_context("acme"):
        Contact.objects.filter(pk=chat.contact_id).update(last_message_at=timezone.now() - timedelta(hours=30))

    response = staff("operator").post(f"{INBOX}{chat.pk}/modelo/", {
        "slot": "offer_help", "key": "t-4", "original": "Como posso ajudar?", "text": "Como posso ajudar, Maria?"},
        follow=True)

    assert "fora dessa janela o WhatsApp só entrega modelos aprovados" in response.content.decode()
    assert staff_messages(chat) == []


def test_an_unknown_template_is_not_found(staff, chat):
    assert staff("operator").get(f"{INBOX}{chat.pk}/modelo/", {"modelo": "nao_existe"}).status_code == 404


# --- take over, hand back, close ----------------------------------------------------------------

def test_take_over_then_hand_back_then_close(staff, chat, django_capture_on_commit_callbacks):
    client = staff("operator")

    client.post(f"{INBOX}{chat.pk}/assumir/")
    assert status_of(chat) == "handoff"
    page = client.get(f"{INBOX}{chat.pk}/").content.decode()
    assert 'data-action="hand-back"' in page and 'data-action="take-over"' not in page

    with django_capture_on_commit_callbacks(execute=True):  # the audit trail hears it once committed
        client.post(f"{INBOX}{chat.pk}/devolver/")
    assert status_of(chat) == "bot"
    with schema_context("acme"):
        assert AuditEvent.objects.filter(action="conversation.handed_back", target=str(chat.pk)).exists()

    response = client.post(f"{INBOX}{chat.pk}/encerrar/", follow=True)
    assert status_of(chat) == "closed" and "Conversa encerrada" in response.content.decode()
    assert 'name="text"' not in response.content.decode()


def test_closing_a_conversation_with_the_staff_records_who_ended_it(staff, acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        waiting = conversation(status="handoff", ago=3)

    with django_capture_on_commit_callbacks(execute=True):
        staff("operator").post(f"{INBOX}{waiting.pk}/encerrar/")

    assert status_of(waiting) == "closed"
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="conversation.handed_back", target=str(waiting.pk))
        assert event.actor == "operator@acme.test"


def test_closing_twice_says_it_is_already_closed(staff, chat):
    staff("operator").post(f"{INBOX}{chat.pk}/encerrar/")

    response = staff("operator").post(f"{INBOX}{chat.pk}/encerrar/", follow=True)

    assert "Esta conversa já está encerrada." in response.content.decode()


# --- who may do what ------------------------------------------------------------------------------

ACTIONS = [("responder/", {"text": "Oi", "key": "v"}), ("modelo/", {"slot": "offer_help", "text": "Oi", "key": "v"}),
           ("assumir/", {}), ("devolver/", {}), ("encerrar/", {})]


@pytest.mark.parametrize("action, data", ACTIONS)
def test_a_viewer_posting_any_action_gets_403_and_nothing_changes(staff, chat, action, data):
    response = staff("viewer").post(f"{INBOX}{chat.pk}/{action}", data)

    assert response.status_code == 403
    assert status_of(chat) == "bot" and staff_messages(chat) == []


@pytest.mark.parametrize("role", ["operator", "manager", "owner"])
def test_operators_and_up_may_act(staff, chat, role):
    response = staff(role).post(f"{INBOX}{chat.pk}/responder/", {"text": f"Oi, aqui é {role}", "key": role})

    assert response.status_code == 302
    assert staff_messages(chat) == [(f"Oi, aqui é {role}", f"{role}@acme.test")]


def test_a_viewer_reads_the_thread_without_a_reply_box_or_buttons(staff, chat):
    page = staff("viewer").get(f"{INBOX}{chat.pk}/").content.decode()

    assert "Oi, tudo bem?" in page and "Somente leitura" in page
    assert 'name="text"' not in page and "data-action=" not in page and "/responder/" not in page
    assert staff("viewer").get(f"{INBOX}{chat.pk}/modelo/", {"modelo": "offer_help"}).status_code == 403


@pytest.fixture
def roleless(acme, unique):
    with schema_context("acme"):
        from accounts.models import User

        return User.objects.create_user(f"sem-papel-{unique}@acme.test", PASSWORD, is_staff=True)


@pytest.mark.parametrize("method, path", [("get", ""), ("get", "{pk}/"), ("get", "pulso/"), ("get", "fila/"),
                                          ("post", "{pk}/responder/"), ("post", "{pk}/encerrar/")])
def test_someone_without_a_role_or_not_logged_in_is_sent_to_the_login(acme, chat, roleless, method, path):
    url = INBOX + path.format(pk=chat.pk)
    for client in (admin_client(acme, roleless), admin_client(acme)):
        response = getattr(client, method)(url, {"text": "Oi"} if method == "post" else None)

        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert status_of(chat) == "bot" and staff_messages(chat) == []


def test_get_on_an_action_is_not_allowed(staff, chat):
    assert staff("operator").get(f"{INBOX}{chat.pk}/encerrar/").status_code == 405
    assert status_of(chat) == "bot"


def test_every_role_finds_the_inbox_in_the_menu(acme):
    for role in ["owner", "manager", "operator", "viewer"]:
        page = admin_client(acme, member(acme, role)).get("/admin/cadastros/").content.decode()

        assert 'data-screen="inbox"' in page and "inbox/notice.js" in page
