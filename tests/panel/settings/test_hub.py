"""The "Configurações" screen: every setting in plain words with whether it is set up; managers and owners
change, viewers read (no save buttons, 403 on a POST), operators are kept out of every settings page."""

import re
from datetime import datetime

import pytest
from django_tenants.utils import schema_context

from agenda.models import Professional, Service, TimeOff
from conversations.assistant.models import CompanyProfile, LLMConfig
from conversations.channels.services import channel_configure
from tests.agenda.factories import SP, ProfessionalFactory, ServiceFactory
from tests.panel.settings.conftest import staff

ENTRIES = ["Tom e prévia", "Horário de atendimento", "Base de conhecimento", "Modelos de resposta",
           "Horários dos profissionais", "Folgas e feriados", "Serviços e preços", "Profissionais",
           "Agenda e Cal.com", "Canais de WhatsApp", "Inteligência artificial", "Custos de IA", "Webhooks",
           "Usuários", "LGPD e retenção de dados"]


def cards(html: str) -> dict[str, str]:
    """{setting name: its status badge} as the hub shows them."""
    found = re.findall(r'data-setting="(\w+)">\s*<h3>[^<]*</h3>.*?<span class="panel-badge[^"]*">([^<]*)</span>',
                       html, flags=re.S)
    return dict(found)


def test_a_manager_sees_every_setting_with_its_state(acme):
    html = staff(acme, "manager").get("/admin/settings/").content.decode()

    for label in ENTRIES:
        assert f"<h3>{label}</h3>" in html
    assert html.count("Configurar ›") == len(ENTRIES)


def test_the_cards_say_what_is_missing_and_then_that_it_is_set_up(acme):
    with schema_context("acme"):
        Professional.objects.all().delete()
        Service.objects.all().delete()
        CompanyProfile.objects.update_or_create(singleton=1, defaults={"business_hours": {}})
        channel_configure(kind="sandbox")
    before = cards(staff(acme, "manager").get("/admin/settings/").content.decode())

    with schema_context("acme"):
        ana = ProfessionalFactory(name="Dra. Ana", weekdays=range(5))
        ServiceFactory(name="Consulta", price_cents=None, professionals=[ana])
        CompanyProfile.objects.filter(singleton=1).update(business_hours={"0": [["08:00", "18:00"]]})
        LLMConfig.objects.update_or_create(singleton=1, defaults={"provider": "openai", "model": "gpt-4o-mini",
                                                                  "api_key": "sk-x"})
    after = cards(staff(acme, "manager").get("/admin/settings/").content.decode())

    assert before["hours"] == "Nenhum profissional ativo"
    assert before["services"] == "Nenhum serviço: a assistente não tem o que agendar"
    assert before["opening_hours"] == "Não definido: a assistente diz que atende a qualquer hora"
    assert before["channels"] == "Só o simulador: nenhum WhatsApp real conectado"
    assert before["llm"] == "Motor offline (sem serviço de IA)"
    assert after["hours"] == "1 profissional(is) com horário"
    assert after["services"] == "1 ativo(s), 1 sem preço"
    assert after["opening_hours"] == "segunda, das 8h às 18h"
    assert after["llm"] == "OpenAI ou compatível (Ollama, vLLM...) · gpt-4o-mini"


def test_a_viewer_reads_without_any_edit_word(acme):
    html = staff(acme, "viewer").get("/admin/settings/").content.decode()

    assert "Configurar" not in html and "Ver ›" in html
    assert "Você pode ver as configurações, mas não alterá-las." in html
    assert "<h3>Webhooks</h3>" not in html  # a webhook URL works like a credential: managers only


def test_operators_get_403_and_no_menu_entry(acme):
    client = staff(acme, "operator")

    assert client.get("/admin/settings/").status_code == 403
    assert 'data-screen="settings"' not in client.get("/admin/inbox/").content.decode()


def test_the_menu_links_the_screen_for_managers_and_viewers(acme):
    for role in ("manager", "viewer"):
        assert 'data-screen="settings"' in staff(acme, role).get("/admin/settings/").content.decode()


# --- every settings page: operators out, viewers read-only ------------------------------------------

@pytest.fixture
def pages(acme) -> dict[str, str]:
    with schema_context("acme"):
        ana = ProfessionalFactory(name="Dra. Ana", weekdays=[0])
        service = ServiceFactory(name="Consulta", professionals=[ana])
        profile, _ = CompanyProfile.objects.get_or_create(singleton=1)
        channel = channel_configure(kind="sandbox")
        llm, _ = LLMConfig.objects.get_or_create(singleton=1)
        off = TimeOff.objects.create(start=datetime(2030, 1, 1, tzinfo=SP), end=datetime(2030, 1, 2, tzinfo=SP))
    return {
        "hub": "/admin/settings/",
        "hours_index": "/admin/agenda/professional/horarios/",
        "hours": f"/admin/agenda/professional/{ana.pk}/horarios/",
        "days_off": "/admin/agenda/timeoff/",
        "professional": f"/admin/agenda/professional/{ana.pk}/change/",
        "service": f"/admin/agenda/service/{service.pk}/change/",
        "profile": f"/admin/conversations/companyprofile/{profile.pk}/change/",
        "channel": f"/admin/conversations/channel/{channel.pk}/change/",
        "llm": f"/admin/conversations/llmconfig/{llm.pk}/change/",
        "llm_calls": "/admin/conversations/llmcall/",
        "calendar": "/admin/agenda/calendarconfig/",
        "time_off": f"/admin/agenda/timeoff/{off.pk}/change/",
    }


POSTS = {
    "hours": {"week-0-0-start": "08:00", "week-0-0-end": "09:00"},
    "days_off": {"action": "add", "first": "01/02/2030"},
    "profile": {"assistant_name": "Intrusa", "formality": "neutral", "handoff_timeout_minutes": "15"},
    "service": {"name": "Invasão", "duration_minutes": "30", "buffer_minutes": "0"},
}


CALENDAR_BUSINESS = {"days_off", "time_off"}  # operators mark a professional off sick (accounts/roles.py)


def test_operators_get_403_on_every_settings_page(acme, pages):
    client = staff(acme, "operator")

    opened = {name: client.get(url).status_code for name, url in pages.items() if name not in CALENDAR_BUSINESS}

    assert opened == {name: 403 for name in pages if name not in CALENDAR_BUSINESS}


def test_viewers_open_every_settings_page_and_every_change_is_refused(acme, pages):
    client = staff(acme, "viewer")

    opened = {name: client.get(url, follow=True).status_code for name, url in pages.items()}
    refused = {name: client.post(pages[name], data).status_code for name, data in POSTS.items()}

    assert opened == {name: 200 for name in pages}
    assert refused == {name: 403 for name in POSTS}
    with schema_context("acme"):
        assert CompanyProfile.objects.get().assistant_name != "Intrusa"
        assert not Service.objects.filter(name="Invasão").exists()
        assert TimeOff.objects.count() == 1


@pytest.mark.parametrize("name", ["hours", "days_off", "profile", "service", "channel", "llm", "calendar"])
def test_viewers_see_no_save_button(acme, pages, name):
    html = staff(acme, "viewer").get(pages[name], follow=True).content.decode()

    assert 'type="submit"' not in html or 'name="_save"' not in html
    assert "Salvar" not in html and "Marcar folga" not in html
