""""Testar conexão" on the channel, AI and Cal.com pages: one harmless call to the provider with the saved
settings, against a local server speaking each provider's format, said in pt-BR: working, invalid
credentials or server unreachable, with the detail. Secrets are never shown back."""

import pytest
from django.contrib.messages import get_messages
from django_tenants.utils import schema_context

from agenda.services.calendar_settings import calendar_config_set
from agenda.services.config import calendar_config
from conversations.assistant.llm import llm_config_get, llm_config_set
from conversations.channels.models import Channel
from conversations.channels.services import channel_configure
from tests.panel.settings.conftest import staff
from tests.panel.settings.fakes import PHONE_NUMBER_ID, TOKEN

NOWHERE = "http://127.0.0.1:9"  # the discard port: connection refused


def check(company, role: str, page: str):
    """POST the page's "Testar conexão"; (status, the messages the page would show)."""
    response = staff(company, role).post(f"{page}testar-conexao/")
    return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]


def meta_channel(token: str = TOKEN) -> str:
    with schema_context("acme"):
        channel = channel_configure(kind="meta", phone_number_id=PHONE_NUMBER_ID, access_token=token)
    return f"/admin/conversations/channel/{channel.pk}/"


def whaticket_channel(base_url: str, token: str = TOKEN) -> str:
    with schema_context("acme"):
        channel = channel_configure(kind="whaticket", base_url=base_url, access_token=token)
    return f"/admin/conversations/channel/{channel.pk}/"


def llm_page(base_url: str, key: str = TOKEN) -> str:
    with schema_context("acme"):
        llm_config_set(provider="openai", model="gpt-4o-mini", api_key=key, base_url=f"{base_url}/v1")
        return f"/admin/conversations/llmconfig/{llm_config_get().pk}/"


def calcom_page(base_url: str, key: str = TOKEN) -> str:
    with schema_context("acme"):
        calendar_config_set(provider="calcom", calcom_base_url=base_url, calcom_api_key=key,
                            calcom_webhook_secret="segredo-webhook")
        return f"/admin/agenda/calendarconfig/{calendar_config().pk}/"


# --- Meta -------------------------------------------------------------------------------------------

def test_meta_reads_the_number_with_the_saved_token(acme, providers, settings):
    settings.META_GRAPH_URL = providers.url

    status, said = check(acme, "manager", meta_channel())

    assert status == 302
    assert said == ["Testar conexão — Conexão funcionando: número +55 11 3000-1234 — Clínica Acme"]
    request = providers.calls(f"/v21.0/{PHONE_NUMBER_ID}")[0]
    assert request.method == "GET" and request.headers["authorization"] == f"Bearer {TOKEN}"
    assert not providers.calls(f"/v21.0/{PHONE_NUMBER_ID}/messages")  # nothing sent to anyone


def test_meta_with_a_wrong_token_says_the_credentials_are_invalid(acme, providers, settings):
    settings.META_GRAPH_URL = providers.url

    _, said = check(acme, "manager", meta_channel(token="EAAG-vencido"))

    assert said[0].startswith("Testar conexão — Credenciais inválidas: Meta HTTP 401 (#190)")
    assert "EAAG-vencido" not in said[0]


def test_meta_unreachable_says_so_with_the_address(acme, settings):
    settings.META_GRAPH_URL = NOWHERE

    _, said = check(acme, "manager", meta_channel())

    assert said == ["Testar conexão — Servidor inacessível: sem resposta de http://127.0.0.1:9/v21.0 (ConnectError)"]


# --- Whaticket --------------------------------------------------------------------------------------

def test_whaticket_accepts_the_token_and_nothing_is_sent(acme, providers):
    _, said = check(acme, "manager", whaticket_channel(providers.url))

    assert said == ["Testar conexão — Conexão funcionando: o Whaticket aceitou o token."]
    request = providers.calls("/api/messages/send")[0]
    assert request.body == {"number": "", "body": ""}


def test_whaticket_with_a_wrong_token(acme, providers):
    _, said = check(acme, "manager", whaticket_channel(providers.url, token="tok-errado"))

    assert said == ["Testar conexão — Credenciais inválidas: Whaticket HTTP 401: Acesso não permitido"]


def test_whaticket_unreachable(acme):
    _, said = check(acme, "manager", whaticket_channel(NOWHERE))

    assert said == ["Testar conexão — Servidor inacessível: sem resposta de http://127.0.0.1:9 (ConnectError)"]


def test_the_sandbox_has_nothing_to_test(acme):
    with schema_context("acme"):
        channel = channel_configure(kind="sandbox")

    _, said = check(acme, "manager", f"/admin/conversations/channel/{channel.pk}/")

    assert said == ["Testar conexão — Nada a testar: o simulador não fala com nenhum provedor: nada sai desta máquina."]


# --- the language model -----------------------------------------------------------------------------

def test_the_language_model_answers_a_tiny_request(acme, providers):
    _, said = check(acme, "manager", llm_page(providers.url))

    assert said == ["Testar conexão — Conexão funcionando: o modelo llama3.1:8b respondeu."]
    body = providers.calls("/v1/chat/completions")[0].body
    assert body["model"] == "gpt-4o-mini" and body["max_tokens"] == 16


def test_the_language_model_with_a_wrong_key(acme, providers):
    _, said = check(acme, "manager", llm_page(providers.url, key="sk-errada"))

    assert said[0].startswith("Testar conexão — Credenciais inválidas: OpenAI-compatible HTTP 401: Incorrect API key")


def test_the_language_model_unreachable(acme):
    _, said = check(acme, "manager", llm_page(NOWHERE))

    assert said == ["Testar conexão — Servidor inacessível: sem resposta de http://127.0.0.1:9/v1 (ConnectError)"]


def test_the_offline_engine_has_nothing_to_test(acme):
    with schema_context("acme"):
        llm_config_set(provider="local")
        page = f"/admin/conversations/llmconfig/{llm_config_get().pk}/"

    _, said = check(acme, "manager", page)

    assert said[0].startswith("Testar conexão — Nada a testar: modo offline")


# --- Cal.com ----------------------------------------------------------------------------------------

def test_calcom_reads_the_keys_account(acme, providers):
    _, said = check(acme, "manager", calcom_page(providers.url))

    assert said == ["Testar conexão — Conexão funcionando: conta Clínica Acme — agenda@acme.test — acme"]
    assert providers.calls("/v2/me")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_calcom_with_a_wrong_key(acme, providers):
    _, said = check(acme, "manager", calcom_page(providers.url, key="cal_live_errada"))

    assert said == ["Testar conexão — Credenciais inválidas: O Cal.com recusou a chave da API. "
                    "(Invalid API key; HTTP 401)"]


def test_calcom_unreachable(acme):
    _, said = check(acme, "manager", calcom_page(NOWHERE))

    assert said == ["Testar conexão — Servidor inacessível: sem resposta de http://127.0.0.1:9 (ConnectError)"]


# --- who may press it, and the secrets --------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_who_changes_the_settings_may_test(acme, providers, settings, role):
    settings.META_GRAPH_URL = providers.url
    pages = [meta_channel(), llm_page(providers.url), calcom_page(providers.url)]

    assert [check(acme, role, page)[0] for page in pages] == [403, 403, 403]
    assert providers.requests == []


def test_the_button_is_on_the_page_for_a_manager_only(acme, providers):
    page = whaticket_channel(providers.url)

    manager = staff(acme, "manager").get(f"{page}change/").content.decode()
    viewer = staff(acme, "viewer").get(f"{page}change/").content.decode()

    assert "Testar conexão" in manager and "Testar conexão" not in viewer


SECRETS = ("EAAG-segredo-meta", "sk-segredo-llm", "cal_live_segredo", "segredo-webhook")


def test_saved_secrets_never_come_back_in_any_page(acme, providers, settings):
    settings.META_GRAPH_URL = providers.url
    pages = [meta_channel(token="EAAG-segredo-meta"), llm_page(providers.url, key="sk-segredo-llm"),
             calcom_page(providers.url, key="cal_live_segredo")]
    with schema_context("acme"):
        assert Channel.objects.get(is_default=True).access_token == "EAAG-segredo-meta"  # stored

    for role in ("owner", "manager", "viewer"):
        client = staff(acme, role)
        for page in pages:
            html = client.get(f"{page}change/").content.decode()
            assert [secret for secret in SECRETS if secret in html] == []
        hub = client.get("/admin/settings/").content.decode()
        assert [secret for secret in SECRETS if secret in hub] == []


def test_the_channel_page_shows_the_webhook_url_with_a_copy_button(acme, providers):
    page = whaticket_channel(providers.url)
    with schema_context("acme"):
        secret = Channel.objects.get(is_default=True).inbound_secret

    html = staff(acme, "manager").get(f"{page}change/").content.decode()

    url = f"http://acme.localhost/webhook/whaticket/{secret}"
    assert f'<code>{url}</code>' in html and f'data-copy="{url}"' in html and "settings_panel/copy.js" in html
