"""The agenda's services are the assistant's catalogue: one row per price, quoted as soon as it changes."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Service
from conversations.assistant.catalogue import CatalogueItem, catalogue_items
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import Message
from secretaria.settings_cache import settings_version
from tests.conftest import host_of, member

QUESTION = "Quanto custa a limpeza de pele?"


@pytest.fixture(autouse=True)
def sandboxes(acme, globex, settings):
    settings.DEBOUNCE_SECONDS = 0
    for schema in ("acme", "globex"):
        with schema_context(schema):
            channel_configure(kind="sandbox")


def ask(text: str, *, phone: str) -> str:
    message = inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=f"{phone}-{text}", sender=phone, sender_name="Paula Lima",
        kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
    conversation_reply(contact_id=message.contact_id)
    return Message.objects.filter(contact_id=message.contact_id, direction="out").latest("id").text


def test_the_agenda_registers_its_active_services_as_the_catalogue(acme):
    with schema_context("acme"):
        cleaning = Service.objects.create(name="Limpeza de pele", description="Remove impurezas.",
                                          keywords="limpeza, pele", price_cents=15000, duration_minutes=60)
        Service.objects.create(name="Depilação a laser", price_cents=20000, is_active=False)

        assert catalogue_items() == [CatalogueItem(id=cleaning.pk, name="Limpeza de pele",
                                                   description="Remove impurezas.", keywords="limpeza, pele",
                                                   price_cents=15000, duration_minutes=60)]


def test_the_assistant_quotes_the_services_price_and_duration_in_pt_br(acme):
    with schema_context("acme"):
        Service.objects.create(name="Aplicação de toxina botulínica", keywords="botox, toxina",
                               description="Suaviza linhas de expressão.", price_cents=120000, duration_minutes=30)
        Service.objects.create(name="Depilação a laser", keywords="laser", price_cents=20000, is_active=False)

        botox = ask("Qual o valor do botox?", phone="5511900000001")
        laser = ask("quanto custa o laser?", phone="5511900000002")
        prices = ask("quanto custa?", phone="5511900000003")

    assert botox == "Aplicação de toxina botulínica: R$ 1.200,00 · 30 min. Suaviza linhas de expressão."
    assert "R$" not in laser
    assert prices == "Estes são os nossos valores:\n• Aplicação de toxina botulínica: R$ 1.200,00 (30 min)"


def test_a_service_added_through_the_api_is_quoted_with_its_description(acme, api):
    response = api(acme, "manager").post("/api/agenda/services", {
        "name": "Peeling químico", "description": "Renova a pele com ácidos suaves.", "duration_minutes": 45,
        "price_cents": 32000, "keywords": "peeling, manchas"}, format="json")

    assert response.status_code == 201 and response.json()["description"] == "Renova a pele com ácidos suaves."
    with schema_context("acme"):
        assert ask("vocês fazem peeling?", phone="5511900000001") == (
            "Peeling químico: R$ 320,00 · 45 min. Renova a pele com ácidos suaves.")


def test_a_price_changed_in_the_admin_is_quoted_on_the_next_message(acme, demo_calendar,
                                                                    django_capture_on_commit_callbacks):
    with schema_context("acme"):
        cleaning = Service.objects.get(name="Limpeza de pele")
        before = ask(QUESTION, phone="5511900000001")  # the catalogue is now cached in this process
        version = settings_version()
    manager = Client(HTTP_HOST=host_of(acme))
    with schema_context("acme"):
        manager.force_login(member(acme, "manager"))

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/admin/agenda/service/{cleaning.pk}/change/", {
            "name": cleaning.name, "description": cleaning.description, "duration_minutes": 50,
            "buffer_minutes": 0, "price_cents": "180,00", "keywords": cleaning.keywords, "is_active": "on"})

    assert response.status_code == 302
    with schema_context("acme"):
        after = ask(QUESTION, phone="5511900000002")
        assert settings_version() != version  # every other process reloads too
    assert before.startswith("Limpeza de pele: R$ 150,00 · 60 min.")
    assert after.startswith("Limpeza de pele: R$ 180,00 · 50 min.")


def test_a_companys_prices_stay_inside_it(acme, globex, demo_calendar):
    with schema_context("globex"):
        answer = ask(QUESTION, phone="5511900000001")

    assert "R$" not in answer


# --- the move of the knowledge base's services (agenda 0004, conversations 0008) ---------------

BEFORE = [("agenda", "0003_service_description"), ("conversations", "0007_channels_registry_cleanup")]
AFTER = [("agenda", "0004_services_from_knowledge"), ("conversations", "0008_knowledge_faqs_only")]


@pytest.fixture
def old_company(db):
    """A new company schema migrated up to just before the move; rolled back with the test."""
    schema = "catalogue_move"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    # As migrate_schemas does: the schema's own django_migrations, not public's.
    connection.set_schema(schema, include_public=False)
    MigrationRecorder(connection).ensure_schema()
    connection.set_schema(schema)
    yield MigrationExecutor(connection).migrate(BEFORE).apps
    connection.set_schema_to_public()


def test_the_knowledge_bases_services_move_into_the_agenda_with_their_answers(old_company):
    KnowledgeItem, OldService = (old_company.get_model(*name) for name in (
        ("conversations", "KnowledgeItem"), ("agenda", "Service")))
    OldService.objects.create(name="Consulta dermatológica", duration_minutes=40)
    OldService.objects.create(name="Botox", description="Toxina botulínica.", price_cents=120000)
    KnowledgeItem.objects.create(kind="service", title="Limpeza de pele", answer="Remove impurezas.",
                                 keywords="limpeza, pele", price_cents=15000, duration_minutes=60)
    KnowledgeItem.objects.create(kind="service", title="consulta dermatológica", answer="Avaliação completa.",
                                 price_cents=35000, duration_minutes=30)
    KnowledgeItem.objects.create(kind="service", title="BOTOX", answer="Outro texto.", price_cents=99000)
    KnowledgeItem.objects.create(kind="service", title="Depilação a laser", answer="Laser de diodo.",
                                 price_cents=20000, duration_minutes=30, is_active=False)
    KnowledgeItem.objects.create(kind="faq", title="Formas de pagamento", answer="Pix e cartão.")

    moved = MigrationExecutor(connection).migrate(AFTER).apps

    services = {s.name: (s.description, s.keywords, s.price_cents, s.duration_minutes, s.is_active)
                for s in moved.get_model("agenda", "Service").objects.all()}
    assert services == {
        "Limpeza de pele": ("Remove impurezas.", "limpeza, pele", 15000, 60, True),
        "Consulta dermatológica": ("Avaliação completa.", "", 35000, 40, True),  # its own duration stays
        "Botox": ("Toxina botulínica.", "", 120000, 30, True),  # nothing of its own is overwritten
        "Depilação a laser": ("Laser de diodo.", "", 20000, 30, False),  # hidden stays hidden
    }
    faqs = moved.get_model("conversations", "KnowledgeItem").objects.values_list("kind", "title")
    assert list(faqs) == [("faq", "Formas de pagamento")]
