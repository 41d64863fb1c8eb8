"""The company's home on a known Wednesday (scenario.py): each card's figures, exactly, and who sees which card."""

import pytest

from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.panel.dashboard.page import Page
from tests.panel.dashboard.scenario import known_day

OPERATIONAL = ["card-waiting", "card-today", "card-unconfirmed", "card-no-shows"]
REPORTS = ["card-no-show-rate", "card-nps", "card-ai-cost", "card-quotas", "chart-messages", "chart-bookings",
           "chart-ai-cost"]


@pytest.fixture
def wednesday(acme, clock):
    known_day(acme, clock)


def home(company, role: str) -> Page:
    response = admin_client(company, member(company, role)).get("/admin/")
    assert response.status_code == 200
    return Page(response.content)


def test_the_conversations_waiting_for_a_person_come_longest_wait_first_with_how_long(acme, wednesday):
    page = home(acme, "manager")

    assert page.text("card-waiting").startswith("Aguardando atendimento 3 ")
    assert page.items("card-waiting") == [
        "Ana Paula Ferreira 2 h 30 min +55 21 99000-0001 Pediu para falar com uma pessoa",
        # answered at 12:10, wrote again at 13:20: waiting since then
        "Bruno Souza 40 min +55 21 99000-0002 Reclamação de cobrança",
        "+55 21 99000-0003 5 min Assumida pela equipe",
    ]


def test_each_waiting_conversation_links_to_it_in_the_inbox(acme, wednesday):
    from django_tenants.utils import schema_context

    from conversations.models import Conversation

    page = home(acme, "operator")

    with schema_context(acme.schema_name):
        ana = Conversation.objects.get(contact__phone="5521990000001")
    links = page.links("card-waiting")
    assert links["Ana Paula Ferreira"] == f"/admin/inbox/{ana.pk}/"
    assert links["Abrir a caixa de entrada"] == "/admin/inbox/"


def test_todays_agenda_is_shown_per_professional_without_cancellations(acme, wednesday):
    page = home(acme, "manager")

    text = page.text("card-today")
    assert text.startswith("Agenda de hoje 5 ")
    assert page.items("card-today") == [
        "10:00 Rafael dos Santos · Consulta Faltou", "16:30 Juliana Rocha · Consulta Pendente",
        "09:00 Fernanda Oliveira · Consulta Compareceu", "15:00 Gabriel Pereira · Consulta Confirmado",
        "17:00 Camila Ribeiro · Consulta Pendente",
    ]
    assert (text.index("Dr. Bruno Reis (2)") < text.index("Dra. Ana Lima (2)")
            < text.index("Sem profissional (1)"))
    assert "Lucas Martins" not in text
    assert page.links("card-today")["Ver a lista de hoje"] == "/admin/agenda/appointment/?quando=hoje"


def test_the_unconfirmed_are_todays_and_tomorrows_still_ahead(acme, wednesday):
    page = home(acme, "manager")

    assert page.text("card-unconfirmed").startswith("Não confirmados (hoje e amanhã) 3 ")
    assert page.items("card-unconfirmed") == [
        "quarta, 11/03 16:30 Juliana Rocha +55 21 99000-0205",
        "quarta, 11/03 17:00 Camila Ribeiro +55 21 99000-0206",
        "quinta, 12/03 09:00 Beatriz Carvalho +55 21 99000-0207",
    ]
    assert page.links("card-unconfirmed")["Ver todos os não confirmados"] == (
        "/admin/agenda/appointment/?status__exact=pending")


def test_the_no_shows_are_this_weeks_from_monday(acme, wednesday):
    page = home(acme, "manager")

    assert page.text("card-no-shows").startswith("Faltas nesta semana 2 ")
    assert page.items("card-no-shows") == ["quarta, 11/03 10:00 Rafael dos Santos · Dr. Bruno Reis",
                                           "segunda, 09/03 11:00 Pedro Henrique Costa · Dra. Ana Lima"]


def test_the_last_30_days_read_as_the_reports_count_them(acme, wednesday):
    page = home(acme, "manager")

    assert page.text("card-no-show-rate") == (
        "Taxa de faltas 42,9 % 3 faltas em 7 atendimentos com resultado.")
    assert page.text("card-nps").startswith("NPS 25 ")  # promoters 10 and 9, detractor 6, and an 8
    assert page.text("card-ai-cost") == "Custo de IA R$ 5,25 Neste mês. Nos últimos 30 dias: R$ 8,25."


def test_the_quotas_are_billings_meter_against_the_plan(acme, wednesday):
    page = home(acme, "manager")

    assert page.items("card-quotas") == [
        "Mensagens respondidas 2 % 4 de 200",
        "Tokens de IA 40 % 4.000.000 de 10.000.000",
        "Mensagens ativas (lembretes, follow-ups, campanhas) ilimitado 0 usados",
    ]
    assert [meter.attrs["value"] for meter in page.ids["card-quotas"].find_all("meter")] == ["0.0200", "0.4000"]


def test_the_charts_show_each_day_of_the_period(acme, wednesday):
    page = home(acme, "manager")

    messages = page.tooltips("chart-messages")
    assert len(messages) == 2 * 30  # received and sent, every day of the 30 (zeros included)
    assert {"20/02 — Recebidas: 2", "05/03 — Recebidas: 4", "05/03 — Enviadas: 2", "11/03 — Recebidas: 6",
            "11/03 — Enviadas: 2"} <= set(messages)
    assert [t for t in page.tooltips("chart-bookings") if not t.endswith(": 0")] == [
        "05/03 — Agendamentos: 5", "11/03 — Agendamentos: 8"]
    assert [t for t in page.tooltips("chart-ai-cost") if not t.endswith("R$ 0,00")] == [
        "20/02 — Custo: R$ 3,00", "05/03 — Custo: R$ 3,75", "11/03 — Custo: R$ 1,50"]
    assert page.text("chart-bookings").startswith("Agendamentos por dia (13 no período)")
    said = {chart: svg["aria-label"] for chart in ("chart-messages", "chart-bookings", "chart-ai-cost")
            for svg in page.svgs(chart) if svg["role"] == "img"}
    assert said == {
        "chart-messages": "Mensagens por dia, de 10/02 a 11/03. Recebidas: total 12, maior valor 6 em 11/03; "
                          "Enviadas: total 4, maior valor 2 em 05/03.",
        "chart-bookings": "Agendamentos por dia, de 10/02 a 11/03. Agendamentos: total 13, maior valor 8 em 11/03.",
        "chart-ai-cost": "Custo de IA por dia, de 10/02 a 11/03. Custo: total R$ 8,25, maior valor R$ 3,75 em 05/03.",
    }


def test_an_operator_sees_the_days_work_and_no_money_ai_or_reports(acme, wednesday):
    page = home(acme, "operator")

    assert all(page.has(card) for card in OPERATIONAL)
    assert not any(page.has(card) for card in REPORTS)
    text = page.text()
    assert "R$" not in text and "Custo" not in text and "Baixar o relatório" not in text
    assert admin_client(acme, member(acme, "operator")).get("/admin/home/relatorio/pdf/").status_code == 403


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_a_viewer_and_an_owner_see_every_card_and_no_nova_empresa(acme, wednesday, role):
    page = home(acme, role)

    assert all(page.has(card) for card in OPERATIONAL + REPORTS)
    assert "Nova empresa" not in page.text()
    client = admin_client(acme, member(acme, role))
    assert client.get("/admin/home/nova-empresa/").status_code == 404  # the platform's, not a company's


def test_the_report_of_the_30_days_downloads_as_a_pdf(acme, wednesday):
    response = admin_client(acme, member(acme, "manager")).get("/admin/home/relatorio/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="relatorio-' in response["Content-Disposition"]


def test_a_company_with_nothing_yet_reads_zeros_and_sem_dados(globex):
    page = home(globex, "owner")

    assert page.text("card-waiting").startswith("Aguardando atendimento 0 Ninguém esperando")
    assert page.text("card-today").startswith("Agenda de hoje 0 Nenhum atendimento")
    assert page.text("card-no-show-rate").startswith("Taxa de faltas sem dados")
    assert page.text("card-nps").startswith("NPS sem dados")
    assert "Sem dados no período" in page.text("chart-messages")


def test_the_home_is_the_menus_first_entry(acme):
    page = home(acme, "operator")

    assert page.links()["Início"] == "/admin/"
