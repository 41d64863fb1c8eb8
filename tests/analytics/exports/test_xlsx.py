"""The XLSX: real numbers and dates with pt-BR-friendly formats on "Por dia", the KPIs on "Resumo",
the funnel on "Funil"; names typed by the company stay text."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from analytics.exports.render_xlsx import render_xlsx
from tests.analytics.exports.builders import CATALOGUE, export_sample, one_day


def book_of(data):
    return load_workbook(io.BytesIO(render_xlsx(data)))


def column_of(sheet, title: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == title)


def test_three_sheets_and_the_daily_table_with_real_dates_and_numbers():
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30))
    book = book_of(data)
    assert book.sheetnames == ["Resumo", "Por dia", "Funil"]
    daily = book["Por dia"]
    assert [cell.value for cell in daily[1]] == ["Data", *(column.label for column in CATALOGUE)]
    assert daily.max_row == 31
    assert daily["A2"].value == datetime(2026, 11, 1)
    assert daily["A2"].number_format == "dd/mm/yyyy"
    first = data.days[0].figures
    messages = daily.cell(row=2, column=column_of(daily, "Mensagens recebidas"))
    assert (messages.value, messages.number_format) == (first["messages_in"], "#,##0")
    cost = daily.cell(row=2, column=column_of(daily, "Custo de IA"))
    assert cost.value == first["ai_cost_cents"] / 100 and cost.number_format == '"R$" #,##0.00'


def test_rates_durations_and_money_carry_their_formats():
    book = book_of(one_day(date(2026, 3, 9), handoff_rate=0.125, first_reply_p50_s=3900, ai_cost_cents=120000))
    daily = book["Por dia"]
    rate = daily.cell(row=2, column=column_of(daily, "Taxa de transferência"))
    assert (rate.value, rate.number_format) == (0.125, "0.0%")
    reply = daily.cell(row=2, column=column_of(daily, "Primeira resposta (mediana)"))
    assert reply.number_format == "[h]:mm:ss" and reply.value.total_seconds() == 3900  # openpyxl reads a timedelta
    money = daily.cell(row=2, column=column_of(daily, "Custo de IA"))
    assert money.value == 1200


def test_the_summary_lists_every_kpi_with_the_previous_period_and_its_change():
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30), name="Clínica São João & Filhos")
    summary = book_of(data)["Resumo"]
    assert summary["A1"].value == "Relatório de desempenho – Clínica São João & Filhos"
    assert summary["A2"].value == "Período: 01/11/2026 a 30/11/2026 (30 dias)"
    assert summary["A3"].value == "Comparado a: 01/10/2026 a 31/10/2026"
    rows = {row[0].value: row for row in summary.iter_rows(min_row=7) if row[0].value}
    bookings, kpi = rows["Agendamentos"], data.kpi("bookings")
    assert (bookings[1].value, bookings[2].value) == (kpi.value, kpi.previous)
    assert bookings[3].value == pytest.approx(kpi.change) and bookings[3].number_format == "+0.0%;-0.0%;0.0%"
    no_shows = rows["Taxa de faltas"]
    assert no_shows[1].number_format == "0.0%"
    assert abs(no_shows[3].value - data.kpi("no_show_rate").change * 100) < 1e-9  # points
    assert "p.p." in no_shows[3].number_format
    assert "12 clientes não voltam há 90 dias" in rows


def test_the_funnel_sheet_and_names_that_look_like_formulas_stay_text():
    sheet = book_of(export_sample(date(2026, 11, 1), date(2026, 11, 30)))["Funil"]
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    for title in ("Atendimento", "Lembretes", "Por serviço", "Por profissional", "Intenção de agendar",
                  "Compareceram", "Dra. Patrícia Nogueira"):
        assert title in values
    formula_like = next(row[0] for row in sheet.iter_rows() if str(row[0].value).startswith("=HYPERLINK"))
    assert formula_like.data_type == "s"


def test_a_company_with_no_data_reads_sem_dados():
    book = book_of(export_sample(date(2026, 11, 1), date(2026, 11, 30), empty=True))
    summary = {row[0].value: row for row in book["Resumo"].iter_rows(min_row=7) if row[0].value}
    assert summary["Taxa de faltas"][1].value == "sem dados"
    assert summary["Mensagens recebidas"][1].value == 0
    assert "Nenhuma recomendação no momento." in summary
