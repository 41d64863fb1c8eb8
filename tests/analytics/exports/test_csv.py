"""The CSV a pt-BR Excel opens right: `;`, UTF-8 with BOM, dd/mm/aaaa, decimal comma, one row a day."""

import csv
import io
from datetime import date

from analytics.exports.render_csv import render_csv
from tests.analytics.exports.builders import CATALOGUE, export_sample, one_day


def parse(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_file_starts_with_a_bom_and_has_one_row_per_day_under_ptbr_headers():
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30))
    content = render_csv(data)
    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = parse(content)
    assert len(header) == len(CATALOGUE) + 1
    assert header[:3] == ["Data", "Mensagens recebidas", "Mensagens enviadas"]
    assert {"Taxa de faltas (%)", "Custo de IA (R$)", "Primeira resposta (mediana) (s)"} <= set(header)
    assert [row[0] for row in rows] == [f"{n:02d}/11/2026" for n in range(1, 31)]
    first = dict(zip(header, rows[0], strict=True))
    assert first["Mensagens recebidas"] == str(data.days[0].figures["messages_in"])
    assert first["Agendamentos"] == str(data.days[0].figures["bookings"])


def test_numbers_are_written_with_a_decimal_comma_and_no_thousands_dot():
    data = one_day(date(2026, 3, 9), messages_in=12345, handoff_rate=0.125, ai_cost_cents=123456,
                   first_reply_p50_s=95.4, followup_score_avg=4.5, nps=-12, quota_messages_ratio=0.8)
    header, row = parse(render_csv(data))
    cells = dict(zip(header, row, strict=True))
    assert cells["Data"] == "09/03/2026"
    assert cells["Mensagens recebidas"] == "12345"
    assert cells["Taxa de transferência (%)"] == "12,5"
    assert cells["Custo de IA (R$)"] == "1234,56"
    assert cells["Primeira resposta (mediana) (s)"] == "95"
    assert cells["Nota média do pós-atendimento"] == "4,5"
    assert cells["NPS"] == "-12,0"
    assert cells["Cota de mensagens usada (%)"] == "80,0"


def test_a_company_with_no_data_gets_zeros_and_sem_dados_never_an_error():
    header, *rows = parse(render_csv(export_sample(date(2026, 11, 1), date(2026, 11, 7), empty=True)))
    assert len(rows) == 7
    cells = dict(zip(header, rows[0], strict=True))
    assert cells["Mensagens recebidas"] == "0"
    assert cells["Custo de IA (R$)"] == "0,00"
    assert cells["Taxa de faltas (%)"] == "sem dados"
    assert cells["Custo de IA por agendamento (R$)"] == "sem dados"
