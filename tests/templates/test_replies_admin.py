"""The "Modelos de resposta" pages of the company admin: every slot by moment, a slot's page with its
default, variables and preview, saving and restoring the default as a manager, reading as a viewer."""

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from secretaria.texts import text
from templates.replies.models import ReplyTemplate
from templates.replies.services import template_set
from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.templates.replies_slots import test_slots  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("test_slots")

LIST = "/admin/templates/replytemplate/"
GREETING = f"{LIST}slot/saudacao_teste/"


def browser(company, role: str):
    return admin_client(company, member(company, role))


def stored(company) -> dict:
    with schema_context(company.schema_name):
        return {(row.slot, row.variant): row.text for row in ReplyTemplate.objects.all()}


def greeting_said(company, **kwargs) -> str:
    with schema_context(company.schema_name):
        return text("saudacao_teste", {"nome": "Ana", "empresa": "Acme"}, **kwargs)


def test_the_admin_catalogue_has_the_reply_templates(acme):
    html = browser(acme, "viewer").get("/admin/cadastros/").content.decode()  # /admin/ is the dashboard

    assert "Modelos de resposta" in html and LIST in html


def test_the_list_shows_every_slot_by_moment_with_its_current_text(acme):
    with schema_context("acme"):
        template_set("saudacao_teste", "Oi da Acme, {nome}!", by="owner@acme.test")

    page = browser(acme, "manager").get(LIST)

    assert page.status_code == 200
    html = page.content.decode()
    for words in ("<h2>Atendimento</h2>", "<h2>Agenda</h2>", "Saudação (teste)", "Confirmação do agendamento (teste)",
                  "Aviso sem variáveis (teste)", "<code>saudacao_teste</code>", "formal", "chateado",
                  "Oi da Acme, {nome}!", f'href="{GREETING}?variant=formal"', "Restaurar padrão dos selecionados"):
        assert words in html, words
    assert html.count('name="selected"') == 1  # only the customized entry may be reset
    assert 'value="saudacao_teste:"' in html


def test_a_slots_page_shows_the_default_the_variables_and_a_preview(acme):
    page = browser(acme, "manager").get(f"{LIST}slot/confirmacao_teste/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirmação do agendamento (teste)" in html and "Enviada quando o cliente confirma" in html
    assert "Texto padrão" in html and "Prontinho, {nome}!" in html
    for variable, example in (("{servico}", "Limpeza de pele"), ("{horarios}", "09:00, 10:30")):
        assert f"<code>{variable}</code>" in html and example in html
    assert "Prontinho, Maria! Limpeza de pele com Dra. Ana, terça, 08/12 às 15:00" in html
    assert 'name="_save"' in html and 'name="_preview"' in html


def test_previewing_shows_the_unsaved_text_filled_and_saves_nothing(acme):
    page = browser(acme, "manager").post(f"{GREETING}?variant=formal",
                                         {"text": "Prezada {nome},\r\n---\r\nCara {nome}, aqui é a {empresa}.",
                                          "_preview": "Pré-visualizar"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "texto ainda não salvo" in html
    assert "Prezada Maria," in html and "Cara Maria, aqui é a Clínica Bella Pele." in html
    assert stored(acme) == {}


def test_a_manager_saves_a_variant_and_the_next_message_says_it(acme):
    assert greeting_said(acme, variant="formal") == "Bom dia, Ana. Aqui é a Acme; em que posso ajudar?"

    saved = browser(acme, "manager").post(f"{GREETING}?variant=formal",
                                          {"text": "Prezada {nome}, aqui é a {empresa}.", "_save": "Salvar"})

    assert saved.status_code == 302 and saved.url == LIST
    assert stored(acme) == {("saudacao_teste", "formal"): "Prezada {nome}, aqui é a {empresa}."}
    assert greeting_said(acme, variant="formal") == "Prezada Ana, aqui é a Acme."
    page = browser(acme, "manager").get(f"{GREETING}?variant=formal").content.decode()
    assert "Texto da empresa, alterado em" in page and "por manager@acme.test" in page


@pytest.mark.parametrize("typed, words", [("Olá, {cpf}!", "Variável desconhecida: {cpf}"),
                                          ("Olá, {nome", "Chave { } quebrada"),
                                          ("", "O texto não pode ficar vazio."),
                                          ("x" * 4097, "o limite é 4096")])
def test_a_bad_text_is_refused_on_the_page_as_the_api_refuses_it(acme, typed, words):
    page = browser(acme, "owner").post(GREETING, {"text": typed, "_save": "Salvar"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Corrija o erro abaixo." in html and words in html
    assert stored(acme) == {}


def test_restoring_the_default_on_the_slots_page(acme):
    with schema_context("acme"):
        template_set("saudacao_teste", "Oi, {nome}!", by="owner@acme.test")
    client = browser(acme, "manager")
    assert 'name="_reset"' in client.get(GREETING).content.decode()

    restored = client.post(GREETING, {"text": "Oi, {nome}!", "_reset": "Restaurar padrão"})

    assert restored.status_code == 302
    assert stored(acme) == {}
    assert greeting_said(acme) == "Olá, Ana! Aqui é a Acme. Como posso ajudar?"


def test_restoring_the_default_of_the_selected_entries_from_the_list(acme):
    with schema_context("acme"):
        template_set("saudacao_teste", "Oi, {nome}!")
        template_set("saudacao_teste", "Prezada {nome}.", "formal")
        template_set("confirmacao_teste", "Feito, {nome}!")

    response = browser(acme, "owner").post(LIST, {"action": "reset",
                                                 "selected": ["saudacao_teste:", "saudacao_teste:formal"]})

    assert response.status_code == 302
    assert stored(acme) == {("confirmacao_teste", ""): "Feito, {nome}!"}


def test_a_viewer_reads_but_may_not_change(acme):
    with schema_context("acme"):
        template_set("saudacao_teste", "Oi, {nome}!")
    client = browser(acme, "viewer")

    listing = client.get(LIST).content.decode()
    page = client.get(GREETING)

    assert "Oi, {nome}!" in listing and 'name="selected"' not in listing
    assert page.status_code == 200
    html = page.content.decode()
    assert "Oi, Maria!" in html and 'name="_save"' not in html and 'name="_reset"' not in html
    assert client.post(GREETING, {"text": "Tchau, {nome}!", "_save": "Salvar"}).status_code == 403
    assert client.post(GREETING, {"_reset": "Restaurar padrão"}).status_code == 403
    assert client.post(LIST, {"action": "reset", "selected": ["saudacao_teste:"]}).status_code == 403
    assert stored(acme) == {("saudacao_teste", ""): "Oi, {nome}!"}


def test_an_unknown_slot_or_variant_is_not_found(acme):
    client = browser(acme, "owner")

    assert client.get(f"{LIST}slot/nao_existe/").status_code == 404
    assert client.get(f"{GREETING}?variant=pirata").status_code == 404
    assert client.get(f"{LIST}add/").status_code in (403, 404)


def test_a_rows_own_address_opens_its_slots_page(acme):
    with schema_context("acme"):
        row = template_set("saudacao_teste", "Prezada {nome}.", "formal")

    response = browser(acme, "viewer").get(f"{LIST}{row.pk}/change/")

    assert response.status_code == 302 and response.url == f"{GREETING}?variant=formal"


def test_a_staff_member_without_a_role_is_kept_out(acme, unique):
    with schema_context("acme"):
        nobody = User.objects.create_user(f"sem-papel-{unique}@acme.test", "Senha-de-teste-9", is_staff=True)

    assert admin_client(acme, nobody).get(LIST).status_code == 302  # to the login page


def test_a_change_in_the_admin_is_in_the_settings_history(acme):
    browser(acme, "manager").post(GREETING, {"text": "Oi da Acme, {nome}!", "_save": "Salvar"})

    html = browser(acme, "viewer").get("/admin/compliance/settingschange/").content.decode()

    assert "saudacao_teste" in html and "manager@acme.test" in html
