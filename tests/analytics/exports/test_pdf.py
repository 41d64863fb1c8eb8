"""The PDF a person would print: A4, not blank, its charts drawn, its text in Portuguese with every
accent, in an embedded TrueType font, page numbers; and a valid file when there is nothing to show."""

from dataclasses import replace
from datetime import date

import pypdfium2 as pdfium
import pytest
from reportlab.pdfbase import pdfmetrics

from analytics.exports import fonts
from analytics.exports.charts import BLUE, GREEN, RED
from analytics.exports.data import Recommendation
from analytics.exports.render_pdf import render_pdf
from tests.analytics.exports.builders import LONG_NAME, RECOMMENDATIONS, export_sample

A4_POINTS = (595.28, 841.89)
ACCENTS = "á â ã à ç é ê í ó ô õ ú R$ º –"
# A recommendation that uses every accent the brief lists (and some upper case ones).
ACCENTED = Recommendation("Lâmpada à vista: você já é nº 1 – ótimo! Ações: pôr anúncio, promoção útil, índice",
                          "Ênfase: órgão, Ícaro, Úrsula, Ação · R$ 1.200,00", "nova")


def pages_of(content: bytes) -> list[str]:
    document = pdfium.PdfDocument(content)
    # Lines wrap where the layout decides: compare words, not line breaks.
    return [" ".join(document[index].get_textpage().get_text_range().split()) for index in range(len(document))]


def render_page(content: bytes, index: int, scale: float = 1.0):
    return pdfium.PdfDocument(content)[index].render(scale=scale).to_pil().convert("RGB")


def pixels(image) -> list[bytes]:
    data = image.tobytes()
    return [data[i:i + 3] for i in range(0, len(data), 3)]


def share_of(image, color, tolerance: int = 40) -> float:
    """Share of the page's pixels close to `color` (a ReportLab colour)."""
    target = [round(channel * 255) for channel in color.rgb()]
    near = sum(1 for pixel in pixels(image) if all(abs(pixel[i] - target[i]) <= tolerance for i in range(3)))
    return near / (image.width * image.height)


@pytest.fixture(scope="module")
def month_pdf() -> bytes:
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30), name=LONG_NAME)
    data = replace(data, recommendations=(*RECOMMENDATIONS, ACCENTED))
    return render_pdf(data)


def test_it_is_a4_portrait_with_page_numbers(month_pdf):
    document = pdfium.PdfDocument(month_pdf)
    assert len(document) >= 2
    for index in range(len(document)):
        width, height = document[index].get_size()
        assert (round(width, 1), round(height, 1)) == (round(A4_POINTS[0], 1), round(A4_POINTS[1], 1))
    texts = pages_of(month_pdf)
    assert all(f"Página {n} de {len(texts)}" in text for n, text in enumerate(texts, start=1))


def test_the_first_page_says_who_when_and_the_kpis_with_their_change(month_pdf):
    first = pages_of(month_pdf)[0]
    assert "Relatório de desempenho" in first
    assert "Clínica Odontológica São João & Filhos" in first
    assert "Período: 01/11/2026 – 30/11/2026 (30 dias)" in first
    assert "Comparado ao período anterior: 01/10/2026 – 31/10/2026" in first
    for label in ("Mensagens recebidas", "Conversas iniciadas", "Agendamentos", "Comparecimentos",
                  "Taxa de faltas", "Primeira resposta (mediana)", "Taxa de transferência", "NPS"):
        assert label in first
    assert "antes: " in first and " %" in first


def test_the_charts_the_funnel_the_recommendations_and_every_figure_are_there(month_pdf):
    text = "\n".join(pages_of(month_pdf))
    for title in ("Mensagens por dia", "Agendamentos e faltas por dia", "Recebidas", "Enviadas", "Faltas",
                  "Funil do atendimento", "Intenção de agendar", "Horários oferecidos", "Da etapa anterior",
                  "Perda", "Funil dos lembretes", "Recomendações", "12 clientes não voltam há 90 dias",
                  "Todos os indicadores", "Custo de IA por agendamento", "Cota de lembretes e avisos usada"):
        assert title in text, title
    assert "R$ " in text and "p.p." in text


def test_every_accent_is_in_the_text_and_in_the_embedded_font(month_pdf):
    text = "\n".join(pages_of(month_pdf))
    for word in ("Lâmpada à vista: você já é nº 1 – ótimo!", "Ações: pôr anúncio, promoção útil, índice",
                 "Ênfase: órgão, Ícaro, Úrsula"):
        assert word in text
    assert b"/FontFile2" in month_pdf  # TrueType, embedded
    assert b"/Helvetica" not in month_pdf  # nothing left to the viewer's standard fonts
    for name in (fonts.REGULAR, fonts.BOLD):
        face = pdfmetrics.getFont(name).face
        missing = [char for char in ACCENTS.replace(" ", "") + ACCENTS.upper().replace(" ", "")
                   if face.charToGlyph.get(ord(char), 0) == 0]
        assert missing == [], name


def test_page_one_is_drawn_with_the_charts_colours(month_pdf):
    assert render_page(month_pdf, 0).size in ((595, 842), (596, 842))  # A4 (595,28 x 841,89 pt) at 72 dpi
    first = render_page(month_pdf, 0, scale=0.5)
    inked = sum(1 for pixel in pixels(first) if sum(pixel) < 600) / (first.width * first.height)
    assert inked > 0.02  # text, cards and bars, not a blank page
    assert share_of(first, BLUE) > 0.002  # the messages chart's bars
    pages = [render_page(month_pdf, index, scale=0.5) for index in range(len(pdfium.PdfDocument(month_pdf)))]
    assert any(share_of(page, GREEN) > 0.001 for page in pages)  # bookings
    assert any(share_of(page, RED, tolerance=30) > 0.0003 for page in pages)  # no-shows


def test_a_company_with_no_data_gets_a_valid_report_that_says_so():
    content = render_pdf(export_sample(date(2026, 11, 1), date(2026, 11, 30), empty=True))
    text = "\n".join(pages_of(content))
    assert text.count("sem dados no período") == 2  # both charts
    assert "Sem dados no período." in text  # the funnel
    assert "Nenhuma recomendação no momento." in text
    assert "sem dados" in text and "Mensagens recebidas" in text


@pytest.mark.parametrize(("date_from", "date_to", "per"), [
    (date(2026, 11, 3), date(2026, 11, 3), "por dia"),
    (date(2026, 1, 1), date(2026, 8, 31), "por semana"),
    (date(2024, 12, 1), date(2026, 11, 30), "por mês"),
])
def test_one_day_and_long_periods_render_with_charts_grouped_to_stay_legible(date_from, date_to, per):
    text = "\n".join(pages_of(render_pdf(export_sample(date_from, date_to))))
    assert f"Mensagens {per}" in text and f"Agendamentos e faltas {per}" in text
