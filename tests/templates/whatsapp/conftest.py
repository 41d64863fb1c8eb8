"""The cast of the WhatsApp template tests: acme on a Meta channel whose business account (WABA) holds
its templates, a local Graph API (graph_server.py), and the template slot a reminder is rendered from."""

import pytest
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure
from templates.replies import catalogue
from tests.templates.whatsapp.graph_server import TOKEN, GraphServer

PHONE_ID = "106540352242922"
WABA = "102290129340398"
GLOBEX_PHONE_ID = "106540352249999"
GLOBEX_WABA = "102290129349999"
# The reminder's slot as the agenda renders it (its TOML may live on another branch: added here when missing).
REMINDER = catalogue.Slot(
    name="reminder_24h", label="Lembrete 24 h antes", moment="Lembretes",
    text="Olá, {nome}! Lembrete: {servico} com {profissional} amanhã, {data}, às {hora}. Confirma?",
    variables=("nome", "servico", "profissional", "data", "hora", "endereco", "empresa"))


@pytest.fixture(scope="session")
def graph():
    server = GraphServer()
    yield server
    server.shutdown()


@pytest.fixture
def meta(graph, settings):
    """The local Graph API, empty, in place of graph.facebook.com."""
    graph.reset()
    settings.META_GRAPH_URL = graph.url
    settings.META_APP_SECRET = "meta-app-secret-de-teste"
    return graph


@pytest.fixture
def reminder_slot(monkeypatch):
    known = catalogue.slots()
    if "reminder_24h" not in known:
        monkeypatch.setattr(catalogue, "slots", lambda: {**known, "reminder_24h": REMINDER})
    return catalogue.slot_get("reminder_24h")


@pytest.fixture
def acme_meta(acme, meta, django_capture_on_commit_callbacks):
    """acme's default channel on Meta, with its WABA (its route for the status webhook committed too)."""
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        channel = channel_configure(kind="meta", phone_number_id=PHONE_ID, access_token=TOKEN, waba_id=WABA,
                                    template_name="aviso_geral")
    return channel
