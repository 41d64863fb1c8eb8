"""/api/templates: a company reads, changes, resets and previews its reply templates; the customer's
next message says the new text at once."""

import json

import pytest
from auditlog.models import LogEntry
from django_tenants.utils import schema_context

from compliance.models import AuditEvent
from secretaria.settings_cache import settings_version
from secretaria.texts import text
from templates.replies import catalogue
from templates.replies.models import ReplyTemplate
from tests.conftest import host_of
from tests.templates.replies_slots import SLOTS, test_slots  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("test_slots")

ROLES = ["viewer", "operator", "manager", "owner"]
WRITERS = ["manager", "owner"]
READERS = ["viewer", "operator"]
GREETING = "/api/templates/saudacao_teste"


def put(client, slot: str, body: dict):
    return client.put(f"/api/templates/{slot}", body, format="json")


def said(company, slot: str, variables: dict | None = None, **kwargs) -> str:
    with schema_context(company.schema_name):
        return text(slot, variables or {"nome": "Ana", "empresa": "Acme"}, **kwargs)


# --- reading ---------------------------------------------------------------------------------------


def test_the_operator_does_not_list_the_reply_templates(acme, api):
    assert api(acme, "operator").get("/api/templates").status_code == 403  # templates.view_replytemplate


@pytest.mark.parametrize("role", [r for r in ROLES if r != "operator"])
def test_every_member_but_the_operator_lists_every_slot_and_variant_with_its_default(acme, api, role):
    response = api(acme, role).get("/api/templates")

    assert response.status_code == 200
    entries = {(e["slot"], e["variant"]): e for e in response.json()}
    assert set(entries) == {("saudacao_teste", ""), ("saudacao_teste", "formal"), ("saudacao_teste", "chateado"),
                            ("confirmacao_teste", ""), ("aviso_sem_variaveis_teste", "")}
    greeting = entries[("saudacao_teste", "")]
    assert greeting == {
        "slot": "saudacao_teste", "variant": "", "label": "Saudação (teste)", "moment": "Atendimento",
        "help": "As primeiras palavras para um contato novo.",
        "text": catalogue.slot_get("saudacao_teste").text, "default_text": catalogue.slot_get("saudacao_teste").text,
        "variables": ["nome", "empresa"], "customized": False}
    assert entries[("saudacao_teste", "formal")]["text"].startswith("Bom dia, {nome}.")


def test_one_slot_and_one_of_its_variants(acme, api):
    client = api(acme, "viewer")

    base = client.get(GREETING)
    formal = client.get(GREETING, {"variant": "formal"})

    assert base.status_code == 200 and base.json()["variant"] == ""
    assert formal.status_code == 200 and formal.json()["default_text"].startswith("Bom dia, {nome}.")


def test_an_unknown_slot_or_variant_is_not_found_in_portuguese(acme, api):
    client = api(acme, "owner")

    missing = client.get("/api/templates/nao_existe")
    no_variant = client.get(GREETING, {"variant": "pirata"})

    assert missing.status_code == 404 and missing.json() == {"detail": "Modelo de resposta desconhecido: “nao_existe”."}
    assert no_variant.status_code == 404 and "Variação desconhecida" in no_variant.json()["detail"]
    for response in (put(client, "nao_existe", {"text": "Oi {cpf"}), client.post("/api/templates/nao_existe/reset"),
                     client.post("/api/templates/nao_existe/preview", {}, format="json")):
        assert response.status_code == 404


# --- changing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_owners_and_managers_change_a_slot_and_the_next_message_says_it(acme, api, role):
    assert said(acme, "saudacao_teste") == "Olá, Ana! Aqui é a Acme. Como posso ajudar?"  # read, and cached

    response = put(api(acme, role), "saudacao_teste", {"text": "E aí, {nome}? Aqui é da {empresa}!"})

    assert response.status_code == 200
    assert response.json()["text"] == "E aí, {nome}? Aqui é da {empresa}!"
    assert response.json()["customized"] is True
    assert said(acme, "saudacao_teste") == "E aí, Ana? Aqui é da Acme!"
    with schema_context("acme"):
        row = ReplyTemplate.objects.get(slot="saudacao_teste", variant="")
    assert row.updated_by == f"{role}@acme.test"


@pytest.mark.parametrize("role", READERS)
def test_viewers_and_operators_may_not_change_or_reset(acme, api, role):
    client = api(acme, role)

    changed = put(client, "saudacao_teste", {"text": "Oi!"})
    reset = client.post("/api/templates/saudacao_teste/reset", {}, format="json")

    assert (changed.status_code, reset.status_code) == (403, 403)
    with schema_context("acme"):
        assert not ReplyTemplate.objects.exists()


def test_every_process_is_told_once_the_change_commits(acme, api, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        before = settings_version()

    with django_capture_on_commit_callbacks(execute=True):
        assert put(api(acme, "owner"), "saudacao_teste", {"text": "Oi, {nome}!"}).status_code == 200

    with schema_context("acme"):
        assert settings_version() != before
        assert AuditEvent.objects.filter(action="templates.reply_template_changed", actor="owner@acme.test",
                                         target="template:saudacao_teste").exists()


def test_a_variant_is_changed_on_its_own(acme, api):
    client = api(acme, "manager")

    response = put(client, "saudacao_teste", {"text": "Prezado(a) {nome}, aqui é a {empresa}.", "variant": "formal"})

    assert response.status_code == 200 and response.json()["variant"] == "formal"
    assert said(acme, "saudacao_teste", variant="formal") == "Prezado(a) Ana, aqui é a Acme."
    assert said(acme, "saudacao_teste") == "Olá, Ana! Aqui é a Acme. Como posso ajudar?"


def test_a_variant_without_its_own_text_says_the_companys_slot_text(acme, api):
    """Resolution: the company's variant, the company's slot, the default variant, the default."""
    client = api(acme, "manager")
    assert said(acme, "saudacao_teste", variant="chateado") == "Sinto muito pelo transtorno, Ana. Vamos resolver."

    put(client, "saudacao_teste", {"text": "Oi, {nome}!"})

    assert said(acme, "saudacao_teste", variant="chateado") == "Oi, Ana!"
    assert said(acme, "saudacao_teste", variant="sem_variacao_assim") == "Oi, Ana!"
    listed = client.get(GREETING, {"variant": "chateado"}).json()
    assert (listed["text"], listed["customized"]) == ("Oi, {nome}!", False)


@pytest.mark.parametrize("body, field, words", [
    ({"text": "Olá, {cpf}!"}, "text", "Variável desconhecida: {cpf}"),
    ({"text": "Olá, {nome!"}, "text", "Chave { } quebrada"),
    ({"text": "Olá, nome}!"}, "text", "Chave { } quebrada"),
    ({"text": "Olá, {nome.__class__}!"}, "text", "Variável inválida"),
    ({"text": ""}, "text", "não pode ficar vazio"),
    ({"text": "   "}, "text", "não pode ficar vazio"),
    ({"text": "x" * 4097}, "text", "o limite é 4096"),
    ({"text": "Olá!", "variant": "pirata"}, "variant", "Variação desconhecida"),
    ({}, "text", "obrigatório"),
])
def test_a_bad_text_is_a_clear_400_and_nothing_changes(acme, api, body, field, words):
    response = put(api(acme, "owner"), "saudacao_teste", body)

    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    with schema_context("acme"):
        assert not ReplyTemplate.objects.exists()


def test_the_limit_itself_is_accepted_and_literal_braces_are_kept(acme, api):
    client = api(acme, "owner")

    assert put(client, "aviso_sem_variaveis_teste", {"text": "x" * 4096}).status_code == 200
    assert put(client, "aviso_sem_variaveis_teste", {"text": "Use {{chaves}}."}).status_code == 200
    assert said(acme, "aviso_sem_variaveis_teste", {}) == "Use {chaves}."


def test_a_slot_without_variables_refuses_every_variable(acme, api):
    response = put(api(acme, "owner"), "aviso_sem_variaveis_teste", {"text": "Oi, {nome}!"})

    assert response.status_code == 400
    assert response.json()["text"] == ["Variável desconhecida: {nome}. Variáveis deste modelo: nenhuma."]


# --- reset -----------------------------------------------------------------------------------------


def test_reset_goes_back_to_the_default_at_once(acme, api):
    client = api(acme, "owner")
    put(client, "saudacao_teste", {"text": "Oi, {nome}!"})
    put(client, "saudacao_teste", {"text": "Prezado(a) {nome}.", "variant": "formal"})
    assert said(acme, "saudacao_teste") == "Oi, Ana!"

    response = client.post("/api/templates/saudacao_teste/reset", {}, format="json")

    assert response.status_code == 200
    assert response.json()["customized"] is False
    assert response.json()["text"] == response.json()["default_text"]
    assert said(acme, "saudacao_teste") == "Olá, Ana! Aqui é a Acme. Como posso ajudar?"
    # Only the base text: the company's variant stays.
    assert said(acme, "saudacao_teste", variant="formal") == "Prezado(a) Ana."


def test_reset_of_a_variant_and_of_a_slot_never_changed(acme, api):
    client = api(acme, "manager")
    put(client, "saudacao_teste", {"text": "Prezado(a) {nome}.", "variant": "formal"})

    variant = client.post("/api/templates/saudacao_teste/reset", {"variant": "formal"}, format="json")
    untouched = client.post("/api/templates/confirmacao_teste/reset", {}, format="json")
    unknown = client.post("/api/templates/saudacao_teste/reset", {"variant": "pirata"}, format="json")

    assert variant.status_code == 200 and variant.json()["customized"] is False
    assert untouched.status_code == 200 and untouched.json()["customized"] is False
    assert unknown.status_code == 400 and "Variação desconhecida" in unknown.json()["variant"][0]
    assert said(acme, "saudacao_teste", variant="formal") == "Bom dia, Ana. Aqui é a Acme; em que posso ajudar?"


def test_the_history_of_a_template_is_kept_field_by_field(acme, api):
    client = api(acme, "owner")
    put(client, "saudacao_teste", {"text": "Oi, {nome}!"})
    put(client, "saudacao_teste", {"text": "Olá de novo, {nome}!"})
    client.post("/api/templates/saudacao_teste/reset", {}, format="json")

    with schema_context("acme"):
        entries = LogEntry.objects.filter(content_type__model="replytemplate").order_by("timestamp")
        actions = [e.action for e in entries]
        changes = [e.changes_dict.get("text") for e in entries]
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE]
    assert changes[1] == ["Oi, {nome}!", "Olá de novo, {nome}!"]


# --- preview ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_member_previews_the_current_text_with_sample_data(acme, api, role):
    response = api(acme, role).post("/api/templates/confirmacao_teste/preview", {}, format="json")

    assert response.status_code == 200
    assert response.json()["text"] == ("Prontinho, Maria! Limpeza de pele com Dra. Ana, terça, 08/12 às 15:00, em "
                                       "Rua das Flores, 123 — Centro. Outros: 09:00, 10:30.")


def test_preview_of_an_unsaved_text_saves_nothing(acme, api):
    client = api(acme, "manager")

    response = client.post("/api/templates/saudacao_teste/preview",
                           {"text": "Oi, {nome}!\n---\nOlá, {nome}, aqui é a {empresa}.", "variant": "formal"},
                           format="json")

    assert response.status_code == 200
    assert response.json()["text"] == "Oi, Maria!"
    assert response.json()["alternatives"] == ["Oi, Maria!", "Olá, Maria, aqui é a Clínica Bella Pele."]
    assert response.json()["sample"] == {"nome": "Maria", "empresa": "Clínica Bella Pele"}
    with schema_context("acme"):
        assert not ReplyTemplate.objects.exists()


def test_preview_shows_the_companys_text_and_every_alternative(acme, api):
    client = api(acme, "owner")
    default = client.post("/api/templates/saudacao_teste/preview", {}, format="json").json()
    put(client, "saudacao_teste", {"text": "Oi, {nome}! Tudo bem?", "variant": "formal"})

    formal = client.post("/api/templates/saudacao_teste/preview", {"variant": "formal"}, format="json").json()

    assert default["alternatives"] == ["Olá, Maria! Aqui é a Clínica Bella Pele. Como posso ajudar?",
                                       "Oi, Maria! Que bom falar com você."]
    assert formal["text"] == "Oi, Maria! Tudo bem?"


@pytest.mark.parametrize("body, field", [({"text": "Oi, {cpf}"}, "text"), ({"text": ""}, "text"),
                                         ({"text": "{"}, "text"), ({"variant": "pirata"}, "variant")])
def test_preview_checks_an_unsaved_text_as_saving_would(acme, api, body, field):
    response = api(acme, "viewer").post("/api/templates/saudacao_teste/preview", body, format="json")

    assert response.status_code == 400 and list(response.json()) == [field]


# --- tenants and the schema -------------------------------------------------------------------------


def test_one_companys_text_stays_in_that_company(acme, globex, api):
    put(api(acme, "owner"), "saudacao_teste", {"text": "Oi da Acme, {nome}!"})

    assert said(acme, "saudacao_teste") == "Oi da Acme, Ana!"
    assert said(globex, "saudacao_teste") == "Olá, Ana! Aqui é a Acme. Como posso ajudar?"
    assert api(globex, "owner").get(GREETING).json()["customized"] is False


def test_the_openapi_schema_lists_the_slot_names(acme, api):
    schema = json.loads(api(acme).get("/api/schema/", {"format": "json"}, HTTP_HOST=host_of(acme)).content)

    for path in ("/api/templates/{slot}", "/api/templates/{slot}/reset", "/api/templates/{slot}/preview"):
        operations = [op for method, op in schema["paths"][path].items() if method in ("get", "put", "post")]
        for operation in operations:
            slot = next(p for p in operation["parameters"] if p["name"] == "slot")
            assert slot["in"] == "path" and slot["schema"]["enum"] == sorted(SLOTS)
    assert schema["paths"]["/api/templates/{slot}"]["put"]["responses"]["400"]
    assert "/api/templates" in schema["paths"]
