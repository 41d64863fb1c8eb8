"""The PDF a person would print (ReportLab, A4 portrait): who, when, how it went, what to do next.

Page by page, as the content flows: the company's name and period; eight headline KPIs as cards
with the change against the previous period (a drawn arrow, its sign and %, green when it is good
news and red when bad); messages per day and bookings vs no-shows per day as bar charts; the
funnel with the drop at each step (and the reminders'); the top recommendations; every figure in
one table. Each page's footer names the company and the period and says "Página X de Y".
"""

import io
from functools import partial
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analytics.exports import charts, formats
from analytics.exports.data import HEADLINE, ExportData, FunnelStep, Kpi
from analytics.exports.fonts import BOLD, REGULAR, fonts_register

CONTENT_TYPE = "application/pdf"
MARGIN = 1.8 * cm
FRAME_PADDING = 6  # platypus' Frame pads its content by 6 pt on each side
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING  # what the text spans: tables and charts line up with it
INK = colors.HexColor("#111827")
TREND_COLORS = {"good": charts.GREEN, "bad": charts.RED, "neutral": charts.GREY}
CARD_FILL = colors.HexColor("#F3F6FA")
RULE = colors.HexColor("#D1D5DB")
BUCKET_TITLES = {"dia": "por dia", "semana": "por semana", "mês": "por mês"}


def _style(name: str, size: float, *, font: str = REGULAR, color=INK, leading: float | None = None,
           space_after: float = 0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.25,
                          textColor=color, spaceAfter=space_after)


STYLES = {
    "kicker": _style("kicker", 9, color=charts.GREY),
    "title": _style("title", 20, font=BOLD, leading=24, space_after=4),
    "line": _style("line", 9.5, color=charts.GREY),
    "h2": _style("h2", 13, font=BOLD, leading=16, space_after=6),
    "label": _style("label", 8, color=charts.GREY),
    "value": _style("value", 15, font=BOLD, leading=19),
    "cell": _style("cell", 8.5),
    "cell_bold": _style("cell_bold", 8.5, font=BOLD),
    "small": _style("small", 8, color=charts.GREY),
    "small_right": ParagraphStyle("small_right", _style("small_right", 8, color=charts.GREY), alignment=TA_RIGHT),
    "body": _style("body", 9.5, leading=12.5),
}


def render_pdf(data: ExportData) -> bytes:
    fonts_register()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 0.4 * cm,
        title=f"Relatório de desempenho – {data.company_name}", author=data.company_name,
        subject=_period(data), creator="Secretaria", initialFontName=REGULAR,
    )
    footer = f"Relatório de {_period(data)} · {data.company_name}"
    document.build(_story(data), canvasmaker=partial(_NumberedCanvas, footer=footer))
    return buffer.getvalue()


def _period(data: ExportData) -> str:
    return f"{formats.day(data.date_from)} – {formats.day(data.date_to)}"


def _p(text: str, style: str) -> Paragraph:
    """A paragraph of plain text (escaped: a company may be called "Silva & Filhos <Ltda>")."""
    return Paragraph(escape(text), STYLES[style])


def _story(data: ExportData) -> list:
    return [
        *_heading(data),
        _cards(data), Spacer(1, 0.5 * cm),
        *_charts(data),
        *_funnels(data),
        *_recommendations(data),
        *_all_figures(data),
    ]


# --- the heading and the cards --------------------------------------------------------------------

def _heading(data: ExportData) -> list:
    days = f"{data.day_count} {'dia' if data.day_count == 1 else 'dias'}"
    generated = data.generated_at.strftime("%d/%m/%Y às %H:%M")
    return [
        _p("Relatório de desempenho", "kicker"),
        _p(data.company_name, "title"),
        _p(f"Período: {_period(data)} ({days})", "body"),
        _p(f"Comparado ao período anterior: {formats.day(data.previous_from)} – {formats.day(data.previous_to)}",
           "line"),
        _p(f"Gerado em {generated} ({data.timezone})", "line"),
        Spacer(1, 0.45 * cm),
    ]


def _cards(data: ExportData) -> Table:
    kpis = [kpi for kpi in (data.kpi(key) for key in HEADLINE) if kpi is not None]
    width = WIDTH / 4
    cells = [[_p(kpi.label, "label"), _p(formats.value(kpi.kind, kpi.value), "value"), _change_line(kpi, width - 12)]
             for kpi in kpis]
    cells += [""] * (-len(cells) % 4)
    rows = [cells[index:index + 4] for index in range(0, len(cells), 4)] or [[_p(formats.NO_DATA, "body")]]
    table = Table(rows, colWidths=[width] * len(rows[0]))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # a table's default is Helvetica, not embedded
        ("BACKGROUND", (0, 0), (-1, -1), CARD_FILL),
        ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
        ("LINEBELOW", (0, 0), (-1, -2), 3, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))
    return table


def _change_line(kpi: Kpi, width: float) -> Drawing:
    """A drawn arrow (up or down) and the change, coloured by trend; the previous value below, in grey."""
    drawing = charts.canvas_of(width, 22)
    color = TREND_COLORS[kpi.trend]
    x = 0
    if kpi.change:
        drawing.add(Polygon([0, 12, 7, 12, 3.5, 19] if kpi.change > 0 else [0, 19, 7, 19, 3.5, 12],
                            fillColor=color, strokeColor=None))
        x = 10
    change = formats.change(kpi) if kpi.change is not None else "sem comparação"
    drawing.add(String(x, 12.5, change, fontName=REGULAR, fontSize=8, fillColor=color))
    previous = _fit(f"antes: {formats.value(kpi.kind, kpi.previous)}", width, 7.5)
    drawing.add(String(0, 1.5, previous, fontName=REGULAR, fontSize=7.5, fillColor=charts.GREY))
    return drawing


# --- charts ----------------------------------------------------------------------------------------

def _charts(data: ExportData) -> list:
    per = BUCKET_TITLES[charts.bucket_of(data)]
    blocks = []
    for title, chart in ((f"Mensagens {per}", charts.messages_chart),
                         (f"Agendamentos e faltas {per}", charts.bookings_chart)):
        drawing = chart(data, width=WIDTH, height=6 * cm)
        blocks.append(KeepTogether([_p(title, "h2"), drawing, Spacer(1, 0.5 * cm)]))
    return blocks


# --- the funnels -----------------------------------------------------------------------------------

def _funnels(data: ExportData) -> list:
    blocks = [_funnel_block("Funil do atendimento", data.funnel)]
    if data.reminders:
        blocks.append(_funnel_block("Funil dos lembretes", data.reminders))
    return blocks


def _funnel_block(title: str, steps: tuple[FunnelStep, ...]) -> KeepTogether:
    if not steps or not any(step.count for step in steps):
        return KeepTogether([_p(title, "h2"), _p("Sem dados no período.", "body"), Spacer(1, 0.5 * cm)])
    widths = [5.2 * cm, 2.2 * cm, WIDTH - 12.6 * cm, 2.6 * cm, 2.6 * cm]
    largest = max(step.count for step in steps)
    rows = [[_p(text, "small") for text in ("Etapa", "Quantidade", "", "Da etapa anterior", "Perda")]]
    for step in steps:
        rows.append([_p(step.label, "cell"), _p(formats.integer(step.count), "cell_bold"),
                     _bar(step.count / largest if largest else 0, widths[2] - 8),
                     _p(_share(step.conversion), "cell"), _p(_share(step.drop), "cell")])
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return KeepTogether([_p(title, "h2"), table, Spacer(1, 0.5 * cm)])


def _share(fraction: float | None) -> str:
    return formats.NO_COMPARISON if fraction is None else formats.percent(fraction)


def _bar(fraction: float, width: float) -> Drawing:
    drawing = charts.canvas_of(width, 10)
    drawing.add(Rect(0, 1, width, 8, fillColor=CARD_FILL, strokeColor=None))
    if fraction > 0:
        drawing.add(Rect(0, 1, max(1.5, width * fraction), 8, fillColor=charts.BLUE, strokeColor=None))
    return drawing


# --- recommendations and the table of every figure --------------------------------------------------

def _recommendations(data: ExportData) -> list:
    blocks = [_p("Recomendações", "h2")]
    if not data.recommendations:
        return [*blocks, _p("Nenhuma recomendação no momento.", "body"), Spacer(1, 0.5 * cm)]
    for number, item in enumerate(data.recommendations, start=1):
        title = Paragraph(f"{number}. <b>{escape(item.title)}</b>", STYLES["body"])
        details = " · ".join(part for part in (item.evidence, f"situação: {item.status}") if part)
        blocks.append(KeepTogether([title, _p(details, "small"), Spacer(1, 0.2 * cm)]))
    return [*blocks, Spacer(1, 0.3 * cm)]


def _all_figures(data: ExportData) -> list:
    rows = [[_p("Indicador", "small"), *(_p(text, "small_right") for text in ("Período", "Anterior", "Variação"))]]
    style = [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
             ("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 1), (-1, -1), 8.5)]
    for row, kpi in enumerate(data.kpis, start=1):
        rows.append([kpi.label, formats.value(kpi.kind, kpi.value),
                     formats.value(kpi.kind, kpi.previous), formats.change(kpi)])
        style.append(("TEXTCOLOR", (3, row), (3, row), TREND_COLORS[kpi.trend]))
    table = Table(rows, colWidths=[WIDTH - 10.5 * cm, 3.5 * cm, 3.5 * cm, 3.5 * cm], repeatRows=1)
    table.setStyle(TableStyle(style))
    return [_p("Todos os indicadores", "h2"), table]


def _fit(text: str, width: float, size: float) -> str:
    """`text`, cut with "..." to fit `width` (a long company name must not run into the page number)."""
    if pdfmetrics.stringWidth(text, REGULAR, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "...", REGULAR, size) > width:
        text = text[:-1]
    return text.rstrip() + "..."


# --- page numbers ------------------------------------------------------------------------------------

class _NumberedCanvas(canvas.Canvas):
    """Holds the pages back until the end, to print "Página X de Y" on each."""

    def __init__(self, *args, footer: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer_text = footer
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for page in self._pages:
            self.__dict__.update(page)
            self._footer(len(self._pages))
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        left, right = MARGIN + FRAME_PADDING, A4[0] - MARGIN - FRAME_PADDING
        self.line(left, MARGIN, right, MARGIN)
        self.setFont(REGULAR, 8)
        self.setFillColor(charts.GREY)
        self.drawString(left, MARGIN - 12, _fit(self._footer_text, WIDTH - 3 * cm, 8))
        self.drawRightString(right, MARGIN - 12, f"Página {self._pageNumber} de {total}")
        self.restoreState()
