"""GET /api/analytics/export end to end: a known day driven through the real services (the reports' scenario),
its nightly rows computed, then downloaded as CSV, XLSX and PDF by a member; bad input is a 400 in Portuguese,
strangers get a 401, and a company sees only its own figures."""

import csv
import io
from datetime import date

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from analytics.exports import formats
from analytics.recommendations.models import Recommendation
from analytics.reports.services import report_compute
from tests.analytics.exports.builders import CATALOGUE
from tests.analytics.reports.conftest import sp
from tests.analytics.reports.scenario import EXPECTED, known_day
from tests.conftest import member, tokens

URL = "/api/analytics/export"


@pytest.fixture
def played(clinic, clock, committed, acme, settings):
    """acme's known Wednesday (4 March 2026) and the days around it, computed as the nightly run does."""
    settings.BILLING_USD_BRL = 5.0
    known_day(clinic, clock, committed, acme)
    clock(sp(9, 1))
    for day in range(2, 9):
        report_compute(day=date(2026, 3, day))


def csv_rows(content: bytes) -> list[dict[str, str]]:
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [dict(zip(header, row, strict=True)) for row in rows]


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    return " ".join(" ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document)))


def test_the_csv_of_the_known_day_has_every_figure_exactly(api, acme, played):
    response = api(acme, "viewer").get(URL, {"from": "2026-03-04", "to": "2026-03-04", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="relatorio-acme-2026-03-04-a-2026-03-04.csv"'
    [row] = csv_rows(response.content)
    assert row == {"Data": "04/03/2026",
                   **{formats.header(c): formats.plain(c.kind, EXPECTED[c.key]) for c in CATALOGUE}}
    assert (row["Mensagens recebidas"], row["Taxa de faltas (%)"], row["Custo de IA (R$)"]) == ("4", "33,3", "4,50")
    assert (row["Primeira resposta (mediana) (s)"], row["NPS"]) == ("20", "33,3")


def test_any_range_counts_each_contact_once_and_times_over_its_own_replies(api, acme, played):
    """Monday to Wednesday is no day, week or month: Carlos wrote on both days and is one contact; the median
    first reply is over the range's four replies (3, 5, 20, 30 s), not a mean of daily medians."""
    response = api(acme, "manager").get(URL, {"from": "2026-03-02", "to": "2026-03-04", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="relatorio-acme-2026-03-02-a-2026-03-04.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0].value: row for row in book["Resumo"].iter_rows(min_row=7) if row[0].value}
    assert summary["Contatos únicos"][1].value == 3
    assert summary["Primeira resposta (mediana)"][1].value.total_seconds() == 12.5
    assert summary["Agendamentos"][1].value == 10 and summary["Agendamentos"][2].value == 0
    assert summary["Taxa de faltas"][1].number_format == "0.0%"
    daily = book["Por dia"]
    assert daily.max_row == 4 and daily["A4"].value.date() == date(2026, 3, 4)
    funnel = [row[0] for row in book["Funil"].iter_rows(values_only=True)]
    assert "Limpeza de pele" in funnel  # the per-service funnel


def test_the_pdf_of_the_week_with_its_funnel_and_recommendations(api, acme, played):
    Recommendation.objects.create(kind=Recommendation.Kind.INACTIVE_CONTACTS, subject="days:90",
                                  title="12 clientes não voltam há 90 dias",
                                  evidence={"days": 90, "count": 12, "contact_ids": [1, 2, 3]})

    response = api(acme, "owner").get(URL, {"from": "2026-03-02", "to": "2026-03-08", "format": "pdf"})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Acme" in text and "Período: 02/03/2026 – 08/03/2026 (7 dias)" in text
    assert "Comparado ao período anterior: 23/02/2026 – 01/03/2026" in text
    assert "Funil do atendimento" in text and "Intenção de agendar" in text
    assert "12 clientes não voltam há 90 dias" in text
    assert "Clientes que não voltam · dias: 90 · quantidade: 12 · situação: nova" in text


def test_a_company_with_no_data_downloads_valid_files_that_say_so(api, globex):
    client = api(globex, "viewer")
    period = {"from": "2026-03-01", "to": "2026-03-31"}

    rows = csv_rows(client.get(URL, {**period, "format": "csv"}).content)
    pdf = client.get(URL, {**period, "format": "pdf"})
    xlsx = client.get(URL, {**period, "format": "xlsx"})

    assert len(rows) == 31 and {row["Mensagens recebidas"] for row in rows} == {"0"}
    assert {row["Taxa de faltas (%)"] for row in rows} == {"sem dados"}
    assert pdf.status_code == xlsx.status_code == 200
    assert "sem dados no período" in pdf_text(pdf.content)
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Resumo", "Por dia", "Funil"]


def test_a_company_never_downloads_another_ones_figures(api, acme, globex, played):
    period = {"from": "2026-03-04", "to": "2026-03-04", "format": "csv"}
    [theirs] = csv_rows(api(globex, "owner").get(URL, period).content)
    assert theirs["Mensagens recebidas"] == "0" and theirs["Agendamentos"] == "0"
    acme_token = tokens(acme, member(acme, "owner"))["access"]
    assert api(globex, token=acme_token).get(URL, period).status_code == 401


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_member_but_the_operator_downloads(api, acme, role):
    response = api(acme, role).get(URL, {"from": "2026-03-01", "to": "2026-03-01", "format": "csv"})
    assert response.status_code == 200


def test_the_operator_exports_nothing(api, acme):
    """The operator's panel is the inbox and the calendar: no reports, no exports (accounts/roles.py)."""
    response = api(acme, "operator").get(URL, {"from": "2026-03-01", "to": "2026-03-01", "format": "csv"})
    assert response.status_code == 403


def test_strangers_download_nothing(api, acme):
    assert api(acme).get(URL, {"from": "2026-03-01", "to": "2026-03-01", "format": "csv"}).status_code == 401


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"from": "2026-03-10", "to": "2026-03-09", "format": "csv"}, "to", "O fim do período é anterior ao início."),
    ({"from": "2026-03-10", "format": "csv"}, "to", "Este campo é obrigatório."),
    ({"to": "2026-03-10", "format": "pdf"}, "from", "Este campo é obrigatório."),
    ({"from": "2024-01-01", "to": "2026-01-03", "format": "pdf"}, "to", "O período pode ter no máximo 2 anos."),
    ({"from": "2026-03-01", "to": "2026-03-31", "format": "docx"}, "format",
     "Formato desconhecido: use csv, xlsx ou pdf."),
    ({"from": "2026-03-01", "to": "2026-03-31", "format": "json"}, "format", "Formato desconhecido"),  # not DRF's
    ({"from": "2026-03-01", "to": "2026-03-31"}, "format", "Este campo é obrigatório."),
    ({"from": "01/03/2026", "to": "2026-03-31", "format": "csv"}, "from", "Data inválida"),
    ({"from": "1899-12-31", "to": "1900-01-01", "format": "csv"}, "from", "Data fora do intervalo aceito"),
])
def test_bad_input_is_a_400_in_portuguese(api, acme, query, field, message):
    response = api(acme, "viewer").get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert any(message in text for text in response.json()[field]), response.json()
