"""Creating a template from the API and the admin's pt-BR form, syncing now, mapping a slot: bad input is a
clear 400 (or a form error) in pt-BR, Meta's refusals and rate limits too, never a 500."""

import pytest
from django_tenants.utils import schema_context

from templates.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateMapping, WhatsAppTemplateSync
from tests.conversations.test_admin import browser
from tests.templates.whatsapp.conftest import WABA

URL = "/api/whatsapp-templates"
GOOD = {"name": "lembrete_consulta", "language": "pt_BR", "category": "UTILITY",
        "body": "Olá {{1}}, sua consulta é {{2}}.", "examples": ["Maria", "terça, 08/12"]}


def test_a_manager_creates_a_template_and_gets_it_pending(api, acme, acme_meta, meta):
    response = api(acme, "manager").post(URL, GOOD, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["status"], body["status_label"]) == ("lembrete_consulta", "PENDING", "Em análise")
    assert meta.templates[WABA][0]["name"] == "lembrete_consulta"
    listed = api(acme, "viewer").get(URL).json()
    assert [t["name"] for t in listed] == ["lembrete_consulta"]


@pytest.mark.parametrize("change, field, words", [
    ({"body": "x" * 1025}, "body", "O corpo tem 1025 caracteres; a Meta aceita até 1024."),
    ({"header": "y" * 61}, "header", "O cabeçalho tem 61 caracteres; a Meta aceita até 60."),
    ({"name": "Lembrete Consulta"}, "name", "Use letras minúsculas, números e _"),
    ({"examples": ["Maria"]}, "examples", "Dê um exemplo para cada variável do corpo (2)"),
    ({"body": "Olá {{1}}, até {{3}}."}, "body", "Numere as variáveis em sequência"),
    ({"body": "{{1}}, sua consulta é amanhã."}, "body", "não pode começar nem terminar com uma variável"),
    ({"body": "Olá {nome}}."}, "body", "Escreva as variáveis como {{1}}"),
    ({"language": "pt-BR"}, "language", "pt_BR ou en_US"),
])
def test_what_meta_would_refuse_is_a_pt_br_400_before_any_call(api, acme, acme_meta, meta, change, field, words):
    response = api(acme, "manager").post(URL, GOOD | change, format="json")

    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not meta.requests_to(f"/v21.0/{WABA}/message_templates", "POST")


def test_metas_invalid_parameter_is_a_pt_br_400(api, acme, acme_meta, meta):
    meta.fail_next(100, user_msg="O texto do corpo contém caracteres inválidos.")

    response = api(acme, "manager").post(URL, GOOD, format="json")

    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert message.startswith("A Meta recusou os dados do template (#100, parâmetro inválido).")
    assert "caracteres inválidos" in message


def test_metas_rate_limit_is_a_503_to_try_again(api, acme, acme_meta, meta):
    meta.fail_next(130429, status=429)

    response = api(acme, "manager").post(URL, GOOD, format="json")

    assert response.status_code == 503
    assert response.json()["detail"].startswith("A Meta limitou as chamadas desta conta (#130429)")


def test_a_company_without_a_waba_gets_a_400_and_operators_a_403(api, acme, meta):
    assert api(acme, "operator").post(URL, GOOD, format="json").status_code == 403
    response = api(acme, "owner").post(URL, GOOD, format="json")
    assert response.status_code == 400 and "WABA" in response.json()["channel"][0]


# --- the admin -----------------------------------------------------------------------------------

ADD = "/admin/templates/whatsapptemplate/add/"


def form(channel, **fields) -> dict:
    return {"channel": channel.pk, "name": "lembrete_consulta", "language": "pt_BR", "category": "UTILITY",
            "header_text": "", "body_text": "Olá {{1}}, sua consulta é {{2}}.", "footer_text": "",
            "examples_text": "Maria\nterça, 08/12", "_save": "Salvar", **fields}


def test_the_admin_form_submits_to_meta_and_lists_it(acme, acme_meta, meta):
    client = browser(acme, "manager")

    response = client.post(ADD, form(acme_meta))

    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("acme"):
        assert WhatsAppTemplate.objects.get().status == "PENDING"
    page = client.get("/admin/templates/whatsapptemplate/").content.decode()
    assert "lembrete_consulta" in page and "Em análise" in page and "Sincronizar agora" in page


def test_the_admin_form_shows_metas_refusal_and_a_limit_on_its_field(acme, acme_meta, meta):
    client = browser(acme, "manager")
    meta.fail_next(100, user_msg="Nome reservado.")

    refused = client.post(ADD, form(acme_meta)).content.decode()
    too_long = client.post(ADD, form(acme_meta, body_text="a " * 600)).content.decode()

    assert "A Meta recusou os dados do template (#100, parâmetro inválido)" in refused and "Nome reservado." in refused
    assert "a Meta aceita até 1024" in too_long
    with schema_context("acme"):
        assert not WhatsAppTemplate.objects.exists()


@pytest.fixture
def inline_tasks(eager):
    """Queued tasks run here, their retries too (as a worker would, without raising into the caller)."""
    eager.conf.task_eager_propagates = False
    return eager


def test_sync_now_stores_the_templates_and_a_rate_limit_shows_and_is_queued(acme, acme_meta, meta, inline_tasks):
    meta.add_template(WABA, "lembrete_consulta", body="Olá {{1}}, até {{2}}.", examples=["Ana", "amanhã"])
    client = browser(acme, "manager")

    done = client.post("/admin/templates/whatsapptemplate/sincronizar/", follow=True).content.decode()
    assert "1 template(s) sincronizado(s)" in done

    meta.fail_next(130429, times=10)
    limited = client.post("/admin/templates/whatsapptemplate/sincronizar/", follow=True).content.decode()
    assert "A Meta limitou as chamadas desta conta (#130429)" in limited
    with schema_context("acme"):
        outcomes = list(WhatsAppTemplateSync.objects.order_by("pk").values_list("outcome", flat=True))
    # the admin's attempt, then the queued task's own and its 5 retries
    assert outcomes == ["ok", "retrying", "retrying", "retrying", "retrying", "retrying", "retrying", "failed"]
    assert browser(acme, "viewer").post("/admin/templates/whatsapptemplate/sincronizar/").status_code == 403


def test_the_mapping_form_checks_the_variables_against_the_slot(acme, acme_meta, meta, reminder_slot):
    with schema_context("acme"):
        template = WhatsAppTemplate.objects.create(channel=acme_meta, name="lembrete_consulta", language="pt_BR",
                                                   category="UTILITY", status="APPROVED",
                                                   body_text="Olá {{1}}, até {{2}} às {{3}}.")
    client = browser(acme, "manager")
    add = "/admin/templates/whatsapptemplatemapping/add/"
    data = {"channel": acme_meta.pk, "slot": "reminder_24h", "template": template.pk, "_save": "Salvar"}

    wrong = client.post(add, data | {"variables_text": "nome, cpf, hora"}).content.decode()
    assert "Variáveis que a mensagem reminder_24h não tem" in wrong

    assert client.post(add, data | {"variables_text": "nome, data, hora"}).status_code == 302
    with schema_context("acme"):
        assert WhatsAppTemplateMapping.objects.get().variables == ["nome", "data", "hora"]
