"""The live preview: what the assistant would answer with the tone on screen, before saving, run by the
same engine as the reply pipeline, and nothing stored (no rows, no outbox, no quota)."""

import pytest
from django_tenants.utils import schema_context

from billing.metering.quotas import ai_allowed
from compliance.audit.models import AuditEvent
from conversations.assistant.llm import llm_config_set
from conversations.assistant.models import CompanyProfile, LLMCall
from conversations.models import Contact, Conversation, DeadLetter, Message, Outbox
from secretaria.redis_client import get_redis
from tests.panel.settings.conftest import staff
from tests.panel.settings.fakes import TOKEN

STORED = (Message, Outbox, LLMCall, Contact, Conversation, DeadLetter, AuditEvent)


def profile_form(message: str, **fields) -> dict:
    """The profile page's form as on screen (nothing checked is a box left unticked) plus the message."""
    data = {"assistant_name": "Bia", "formality": "neutral", "empathy": "on", "out_of_hours_message": "",
            "state": "", "handoff_timeout_minutes": "15", "preview_message": message}
    for weekday in range(7):
        data[f"business_hours-{weekday}-closed"] = "on"
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def profile(acme) -> CompanyProfile:
    with schema_context("acme"):
        profile, _ = CompanyProfile.objects.update_or_create(singleton=1, defaults={
            "assistant_name": "Bia", "formality": "neutral", "emoji": False, "business_hours": {}})
        return profile


def preview(company, role: str, profile: CompanyProfile, data: dict):
    return staff(company, role).post(f"/admin/conversations/companyprofile/{profile.pk}/previa/", data)


def counts() -> dict:
    with schema_context("acme"):
        return {model.__name__: model.objects.count() for model in STORED}


def usage_keys() -> dict:
    """The company's usage counters (billing/metering): built from the rows on first read, then counted up."""
    with schema_context("acme"):
        ai_allowed()  # builds this period's counters if Redis has none yet: a read, not a use
    client = get_redis()
    return {key: client.hgetall(key) if client.type(key) == b"hash" else client.get(key)
            for key in client.scan_iter(match="secretaria:acme:usage*", count=1000)}


def test_the_answer_follows_the_unsaved_tone(acme, profile):
    informal = preview(acme, "manager", profile, profile_form("oi", assistant_name="Zeca", formality="informal",
                                                              emoji="on")).json()
    formal = preview(acme, "manager", profile, profile_form("oi", assistant_name="Zeca", formality="formal")).json()

    assert informal["engine"] == "offline" and formal["engine"] == "offline"
    assert "Zeca" in informal["text"] and "Tudo bem?" in informal["text"] and "😊" in informal["text"]
    assert "Zeca" in formal["text"] and "Tudo bem?" not in formal["text"] and "😊" not in formal["text"]
    with schema_context("acme"):
        assert CompanyProfile.objects.get().assistant_name == "Bia"  # nothing saved


def test_unsaved_opening_hours_answer_a_question_about_them(acme, profile):
    data = profile_form("vocês abrem sábado?", **{"business_hours-5-closed": None, "business_hours-5-0-start": "08:00",
                                                   "business_hours-5-0-end": "12:00"})

    answer = preview(acme, "manager", profile, data).json()

    assert "8h" in answer["text"] and "12h" in answer["text"]


def test_a_request_for_a_person_says_where_the_conversation_would_go(acme, profile):
    answer = preview(acme, "manager", profile, profile_form("quero falar com um atendente humano")).json()

    assert answer["intent"] == "human_request"
    assert answer["notes"] == ["A conversa iria para a equipe: o cliente pediu uma pessoa."]


def test_the_preview_stores_nothing(acme, profile):
    before, keys = counts(), usage_keys()

    for message in ("oi", "quanto custa?", "quero marcar amanhã", "quero falar com um atendente"):
        assert preview(acme, "manager", profile, profile_form(message)).status_code == 200

    assert counts() == before
    assert usage_keys() == keys


def test_with_a_language_model_configured_the_model_words_it_and_nothing_is_counted(acme, profile, providers):
    with schema_context("acme"):
        llm_config_set(provider="openai", model="gpt-4o-mini", api_key=TOKEN, base_url=f"{providers.url}/v1")
    before, keys = counts(), usage_keys()

    answer = preview(acme, "manager", profile, profile_form("vocês atendem convênio?", formality="formal")).json()

    assert answer["engine"] == "llm"
    assert "assistente da Acme" in answer["text"]
    request = providers.calls("/v1/chat/completions")[0]
    assert request.body["messages"][-1] == {"role": "user", "content": "vocês atendem convênio?"}
    assert "formal" in request.body["messages"][0]["content"].lower()
    assert counts() == before and usage_keys() == keys


def test_a_model_that_fails_shows_the_offline_answer_with_a_note(acme, profile, providers):
    with schema_context("acme"):
        llm_config_set(provider="openai", model="gpt-4o-mini", api_key="chave-errada", base_url=f"{providers.url}/v1")

    answer = preview(acme, "manager", profile, profile_form("vocês atendem convênio?")).json()

    assert answer["engine"] == "offline" and answer["text"]
    assert "A IA não respondeu agora" in answer["notes"][0]


def test_an_empty_message_asks_for_one(acme, profile):
    response = preview(acme, "manager", profile, profile_form("   "))

    assert response.status_code == 400
    assert response.json()["error"] == "Escreva a mensagem de um cliente para ver a resposta."


def test_a_field_with_an_error_keeps_its_saved_value_and_says_so(acme, profile):
    answer = preview(acme, "manager", profile, profile_form("oi", handoff_timeout_minutes="muitos")).json()

    assert answer["text"] and answer["ignored"] == ["Minutos até oferecer retorno (atendimento humano)"]


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_who_changes_the_settings_may_ask(acme, profile, role):
    assert preview(acme, role, profile, profile_form("oi")).status_code == 403


def test_the_page_has_the_preview_for_a_manager_and_not_for_a_viewer(acme, profile):
    url = f"/admin/conversations/companyprofile/{profile.pk}/change/"

    manager = staff(acme, "manager").get(url).content.decode()
    viewer = staff(acme, "viewer").get(url).content.decode()

    assert "data-preview-url" in manager and "settings_panel/preview.js" in manager
    assert "data-preview-url" not in viewer
