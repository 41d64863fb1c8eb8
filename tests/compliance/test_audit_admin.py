"""django-auditlog's field-level history of settings and catalogue, in the company admin."""

import pytest
from django_tenants.utils import schema_context

from compliance.models import SettingsChange
from conversations.assistant.models import KnowledgeItem, LLMConfig
from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.conversations.factories import KnowledgeItemFactory

KNOWLEDGE = "/admin/conversations/knowledgeitem/"


def item_form(item: KnowledgeItem, **changes) -> dict:
    return {"kind": item.kind, "title": item.title, "answer": item.answer, "keywords": item.keywords,
            "is_active": "on", "_save": "Salvar", **changes}


def test_a_change_in_the_admin_shows_field_by_field_on_its_history_page(acme):
    with schema_context("acme"):
        item = KnowledgeItemFactory(title="Vocês aceitam convênio?", answer="Sim, Unimed.")
    client = admin_client(acme, member(acme, "manager"))

    saved = client.post(f"{KNOWLEDGE}{item.pk}/change/", item_form(item, answer="Sim, Unimed e Amil."))
    assert saved.status_code == 302, saved.content.decode()[:1000]
    page = client.get(f"{KNOWLEDGE}{item.pk}/history/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Histórico de alterações" in html and "resposta" in html
    assert "Sim, Unimed." in html and "Sim, Unimed e Amil." in html
    assert "manager@acme.test" in html and "alteração" in html


def test_a_viewer_reads_the_history_too(acme):
    with schema_context("acme"):
        item = KnowledgeItemFactory()
    page = admin_client(acme, member(acme, "viewer")).get(f"{KNOWLEDGE}{item.pk}/history/")

    assert page.status_code == 200 and "criação" in page.content.decode()


def test_secrets_are_masked_in_the_history(acme):
    with schema_context("acme"):
        config, _ = LLMConfig.objects.get_or_create(singleton=1)
        config.api_key = "AIza-segredo-que-nao-aparece"
        config.save()
        change = SettingsChange.objects.get_for_object(config).order_by("-timestamp").first()

    assert "segredo" not in str(change.changes) and "••••••" in str(change.changes)
    html = admin_client(acme, member(acme, "owner")).get(f"/admin/conversations/llmconfig/{config.pk}/history/")
    assert "segredo-que-nao-aparece" not in html.content.decode()


@pytest.mark.parametrize("path", ["/admin/compliance/settingschange/", "/admin/compliance/auditevent/",
                                  "/admin/compliance/auditarchivesegment/"])
def test_the_trail_and_the_history_are_listed_read_only(acme, path):
    with schema_context("acme"):
        KnowledgeItemFactory(title="Qual o endereço?")
    client = admin_client(acme, member(acme, "owner"))

    listing = client.get(path)

    assert listing.status_code == 200
    assert client.get(f"{path}add/").status_code == 403
    if "settingschange" in path:
        assert "Qual o endereço?" in listing.content.decode()
