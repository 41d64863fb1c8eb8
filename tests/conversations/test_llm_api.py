"""GET/PUT /api/llm: who may change the model, what is refused, and that the key stays secret."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from conversations.models import LLMConfig
from tests.conftest import member, tokens

KEY = "AIza-chave-do-gemini-123"
GEMINI = {"provider": "gemini", "model": "gemini-2.0-flash", "api_key": KEY}


def put(client, body):
    return client.put("/api/llm", body, format="json")


def test_the_operator_does_not_read_the_llm_configuration(acme, api):
    assert api(acme, "operator").get("/api/llm").status_code == 403  # settings (accounts.view_settings)


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_member_but_the_operator_reads_the_configuration_which_starts_local(acme, api, role):
    response = api(acme, role).get("/api/llm")
    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == {
        "provider": "local", "model": "", "base_url": "", "has_api_key": False, "updated_at": None}


def test_strangers_read_nothing(acme, api):
    assert api(acme).get("/api/llm").status_code == 401


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_switch_the_model(acme, api, role):
    response = put(api(acme, role), GEMINI)
    assert response.status_code == 200
    body = response.json()
    assert (body["provider"], body["model"], body["has_api_key"]) == ("gemini", "gemini-2.0-flash", True)


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_may_not(acme, api, role):
    assert put(api(acme, role), GEMINI).status_code == 403
    with schema_context("acme"):
        assert not LLMConfig.objects.filter(provider="gemini").exists()


def test_the_key_is_never_echoed_and_is_stored_encrypted(acme, api):
    client = api(acme, "owner")
    answers = [put(client, GEMINI), client.get("/api/llm")]
    assert all(KEY not in r.content.decode() and "api_key" not in r.json() for r in answers)
    assert answers[1].json()["has_api_key"] is True
    with schema_context("acme"), connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM conversations_llmconfig")
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:") and KEY not in stored
    with schema_context("acme"):
        assert LLMConfig.objects.get().api_key == KEY


def test_leaving_the_key_blank_keeps_it_for_the_same_provider(acme, api):
    client = api(acme, "manager")
    put(client, GEMINI)
    response = put(client, {"provider": "gemini", "model": "gemini-2.5-flash"})
    assert response.status_code == 200 and response.json()["has_api_key"] is True


def test_an_ollama_server_is_accepted_without_a_key(acme, api):
    response = put(api(acme, "owner"), {"provider": "openai", "model": "llama3.1", "base_url": "http://ollama:11434/v1"})
    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == {"provider": "openai", "model": "llama3.1",
                                                      "base_url": "http://ollama:11434/v1", "has_api_key": False,
                                                      "updated_at": None}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"provider": "gemini"}, "api_key"),
        ({"provider": "openai", "model": "gpt-4o-mini"}, "api_key"),
        ({"provider": "openai", "base_url": "javascript:alert(1)"}, "base_url"),
        ({"provider": "openai", "base_url": "http://" + "a" * 200 + ".test"}, "base_url"),
        ({"provider": "claude", "api_key": "k"}, "provider"),
        ({"provider": "openai", "base_url": "http://ollama:11434/v1"}, "model"),
        ({"model": "gpt-4o-mini"}, "provider"),
        ({"provider": "openai", "api_key": "k", "model": "m" * 101}, "model"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(acme, api, body, field):
    response = put(api(acme, "owner"), body)
    assert response.status_code == 400
    assert field in response.json()
    with schema_context("acme"):
        assert not LLMConfig.objects.exclude(provider="local").exists()


def test_a_hosted_platform_refuses_an_internal_llm_server(acme, api, settings):
    settings.ALLOW_PRIVATE_BASE_URLS = False
    response = put(api(acme, "owner"), {"provider": "openai", "model": "m", "base_url": "http://169.254.169.254/v1"})
    assert response.status_code == 400
    assert "rede interna" in response.json()["base_url"][0]


def test_a_companys_configuration_stays_in_its_company(acme, globex, api):
    assert put(api(acme, "owner"), GEMINI).status_code == 200
    assert api(globex, "viewer").get("/api/llm").json()["provider"] == "local"
    acme_token = tokens(acme, member(acme, "owner"))["access"]
    assert put(api(globex, token=acme_token), GEMINI).status_code == 401  # acme's token on globex's host
    with schema_context("globex"):
        assert not LLMConfig.objects.filter(provider="gemini").exists()


def test_the_endpoint_is_documented(acme, api):
    response = api(acme, "owner").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    operations = response.json()["paths"]["/api/llm"]
    assert {"get", "put"} <= set(operations)
    assert "api_key" not in response.json()["components"]["schemas"]["LLMConfigOutput"]["properties"]
