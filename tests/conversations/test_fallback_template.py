"""Meta's 24-hour window (docs/contracts/meta.md §2.7, error 131047): outside it a reply goes out in the
company's fallback template, {{1}} carrying the text; without one it is dead-lettered with a reason
staff understand. The real MetaClient and outbox run against a respx fake of the Graph API."""

import json

import httpx
import pytest
from django_tenants.utils import schema_context

from conversations.channels.base import TransientChannelError
from conversations.channels.meta import MetaClient
from conversations.channels.meta.client import template_body, template_text_parameter
from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.core.outbox import outbox_send, reply_create
from conversations.core.sessions import conversation_current
from conversations.models import Channel, Contact, DeadLetter, Message, Outbox
from tests.conversations.conftest import META_PHONE_ID
from tests.conversations.test_admin import browser

GRAPH = "http://graph.test"
SEND_URL = f"{GRAPH}/v21.0/{META_PHONE_ID}/messages"
PHONE = "5511912345678"
REMINDER = "Olá, Maria!\nLembrete: sua consulta é amanhã às 14:00.\n\n1.\tConfirmar\n2.    Remarcar"
ACCEPTED = {"messaging_product": "whatsapp", "contacts": [{"input": PHONE, "wa_id": PHONE}],
            "messages": [{"id": "wamid.TEMPLATE-1"}]}


def window_closed() -> httpx.Response:
    """Meta's answer to free text outside the window (§2.7)."""
    return httpx.Response(400, json={"error": {
        "message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,
        "error_data": {"messaging_product": "whatsapp",
                       "details": "Message failed to send because more than 24 hours have passed"},
        "fbtrace_id": "Az8or2yhqkZfEZ"}})


def sent(call) -> dict:
    return json.loads(call.request.content)


@pytest.fixture
def on_meta(acme, settings):
    settings.META_GRAPH_URL = GRAPH

    def configure(**template):
        with schema_context("acme"):
            channel_configure(kind="meta", phone_number_id=META_PHONE_ID, access_token="EAAG-teste", **template)

    return configure


def reminder() -> Outbox:
    contact = Contact.objects.get_or_create(phone=PHONE)[0]
    return reply_create(contact=contact, conversation=conversation_current(contact=contact), text=REMINDER,
                        idempotency_key="reminder:42:24h")


# --- the parameter, as Meta accepts it ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Olá!\nAté amanhã.", "Olá! Até amanhã."),
    ("a\r\n\r\nb", "a b"),
    ("a\tb", "a b"),
    ("a    b", "a b"),
    ("a   b", "a b"),
    ("  sobra nas pontas \n", "sobra nas pontas"),
])
def test_newlines_tabs_and_runs_of_spaces_become_one_space(text, expected):
    assert template_text_parameter(text) == expected


def test_a_long_text_is_cut_to_metas_1024_characters_with_an_ellipsis():
    parameter = template_text_parameter("palavra " * 300)

    assert len(parameter) == 1024 and parameter.endswith("…")
    assert template_text_parameter("x" * 1024) == "x" * 1024


def test_the_template_request_carries_the_cleaned_text_in_the_body_variable(respx_mock):
    route = respx_mock.post(f"{GRAPH}/v21.0/{META_PHONE_ID}/messages").respond(200, json=ACCEPTED)
    client = MetaClient(phone_number_id=META_PHONE_ID, access_token="EAAG-teste", graph_url=GRAPH)

    result = client.send_template(to=PHONE, name="lembrete_geral", language="pt_BR",
                                  components=template_body("Oi\n\ttudo bem?"))

    assert result.provider_message_id == "wamid.TEMPLATE-1"
    assert sent(route.calls.last) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": PHONE, "type": "template",
        "template": {"name": "lembrete_geral", "language": {"code": "pt_BR"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "Oi tudo bem?"}]}]},
    }


# --- the outbox ----------------------------------------------------------------------------------

def test_outside_the_window_the_reply_goes_once_in_the_companys_template(on_meta, respx_mock):
    on_meta(template_name="lembrete_geral", template_language="en_US")
    route = respx_mock.post(SEND_URL).mock(side_effect=[window_closed(), httpx.Response(200, json=ACCEPTED)])
    with schema_context("acme"):
        outbox = reminder()

        assert outbox_send(outbox_id=outbox.pk) == "sent"
        assert outbox_send(outbox_id=outbox.pk) == "skipped"  # the same exactly-once claim
        outbox.refresh_from_db()
        message = Message.objects.get(pk=outbox.message_id)
        assert (outbox.state, outbox.attempts, outbox.last_error) == ("sent", 1, "")
        assert (message.provider_message_id, message.delivery_status) == ("wamid.TEMPLATE-1", "sent")
        assert message.payload == {"template": "lembrete_geral"} and message.text == REMINDER
        assert not DeadLetter.objects.exists()
    assert route.call_count == 2
    assert sent(route.calls[0])["type"] == "text"
    one_line = "Olá, Maria! Lembrete: sua consulta é amanhã às 14:00. 1. Confirmar 2. Remarcar"
    assert sent(route.calls[1])["template"] == {
        "name": "lembrete_geral", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": one_line}]}],
    }


def test_without_a_template_the_reply_is_dead_lettered_with_a_reason_staff_understand(on_meta, respx_mock):
    on_meta()
    route = respx_mock.post(SEND_URL).mock(return_value=window_closed())
    with schema_context("acme"):
        outbox = reminder()

        assert outbox_send(outbox_id=outbox.pk) == "failed"
        dead = DeadLetter.objects.get(source="send")
        outbox.refresh_from_db()
    assert route.call_count == 1
    assert dead.payload == {"outbox_id": outbox.pk} and dead.message_id == outbox.message_id
    for reason in (dead.reason, outbox.last_error):
        assert reason.startswith("janela de 24h fechada: configure um template de mensagem para o canal Meta")
        assert "131047" in reason


def test_a_transient_failure_of_the_template_leaves_the_reply_pending_for_a_retry(on_meta, respx_mock):
    on_meta(template_name="lembrete_geral")
    respx_mock.post(SEND_URL).mock(side_effect=[window_closed(), httpx.Response(503)])
    with schema_context("acme"):
        outbox = reminder()

        with pytest.raises(TransientChannelError):
            outbox_send(outbox_id=outbox.pk)
        outbox.refresh_from_db()
        assert outbox.state == "pending" and not DeadLetter.objects.exists()


def test_a_template_meta_does_not_know_is_dead_lettered_with_metas_words(on_meta, respx_mock):
    on_meta(template_name="nao_existe")
    unknown = httpx.Response(404, json={"error": {
        "message": "(#132001) Template name does not exist in the translation", "type": "OAuthException",
        "code": 132001}})
    respx_mock.post(SEND_URL).mock(side_effect=[window_closed(), unknown])
    with schema_context("acme"):
        outbox = reminder()

        assert outbox_send(outbox_id=outbox.pk) == "failed"
        assert "132001" in DeadLetter.objects.get(source="send").reason


# --- the channel API -----------------------------------------------------------------------------

def test_the_api_keeps_and_returns_the_template(api, acme, meta_settings):
    client = api(acme, "manager")

    response = client.put("/api/channel", {"kind": "meta", "phone_number_id": META_PHONE_ID, "access_token": "EAAG-x",
                                           "template_name": "lembrete_fora_da_janela_2"}, format="json")

    assert response.status_code == 200, response.content
    expected = {"template_name": "lembrete_fora_da_janela_2", "template_language": "pt_BR"}
    assert expected.items() <= response.json().items()
    assert expected.items() <= client.get("/api/channel").json().items()
    with schema_context("acme"):
        channel = channel_default_ensure()
        assert (channel.template_name, channel.template_language) == ("lembrete_fora_da_janela_2", "pt_BR")


@pytest.mark.parametrize("fields, wrong", [
    ({"template_name": "Lembrete"}, "template_name"),
    ({"template_name": "lembrete-geral"}, "template_name"),
    ({"template_name": "lembrete geral"}, "template_name"),
    ({"template_name": "a" * 513}, "template_name"),
    ({"template_name": "lembrete", "template_language": "pt-BR"}, "template_language"),
    ({"template_name": "lembrete", "template_language": "portugues"}, "template_language"),
])
def test_the_api_refuses_names_and_languages_meta_would_not_know(api, acme, meta_settings, fields, wrong):
    response = api(acme, "owner").put(
        "/api/channel", {"kind": "meta", "phone_number_id": META_PHONE_ID, "access_token": "EAAG-x", **fields},
        format="json")

    assert response.status_code == 400
    assert wrong in response.json()
    with schema_context("acme"):
        assert channel_default_ensure().template_name == ""


def test_other_channels_keep_no_template(api, acme):
    response = api(acme, "owner").put("/api/channel", {"kind": "sandbox", "template_name": "lembrete"}, format="json")

    assert response.status_code == 200
    assert response.json()["template_name"] == ""


# --- the company admin ---------------------------------------------------------------------------

def channel_page(acme) -> str:
    with schema_context("acme"):
        return f"/admin/conversations/channel/{Channel.objects.get().pk}/change/"


def admin_form(**fields) -> dict:
    return {"kind": "meta", "phone_number_id": META_PHONE_ID, "base_url": "", "access_token": "",
            "template_name": "", "template_language": "", "_save": "Salvar", **fields}


def test_the_admin_shows_and_saves_the_template(acme, on_meta):
    on_meta(template_name="lembrete_geral")
    client = browser(acme, "manager")
    page = channel_page(acme)

    html = client.get(page).content.decode()
    assert 'name="template_name"' in html and 'value="lembrete_geral"' in html
    assert 'name="template_language"' in html and "{{1}}" in html

    assert client.post(page, admin_form(template_name="oferta_de_vaga", template_language="es_AR")).status_code == 302
    with schema_context("acme"):
        channel = Channel.objects.get()
        assert (channel.template_name, channel.template_language) == ("oferta_de_vaga", "es_AR")
        assert channel.access_token == "EAAG-teste"


def test_the_admin_refuses_a_name_meta_would_not_know(acme, on_meta):
    on_meta(template_name="lembrete_geral")
    response = browser(acme, "manager").post(channel_page(acme), admin_form(template_name="Lembrete Geral"))

    assert response.status_code == 200 and "letras minúsculas, números e _" in response.content.decode()
    with schema_context("acme"):
        assert Channel.objects.get().template_name == "lembrete_geral"

