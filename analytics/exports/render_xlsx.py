"""The XLSX (openpyxl): "Resumo" (the KPIs beside the previous period's, the recommendations),
"Por dia" (the CSV's table) and "Funil" (the funnel, the reminders', by service and professional).

Cells hold real numbers and dates with number formats, so the spreadsheet sums and charts them and
shows them the pt-BR way (Excel writes `#,##0.00` as 1.200,00 in a Brazilian locale): rates as
percent, money as R$, durations as [h]:mm:ss (a day is 1, so seconds / 86 400).
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics.exports import formats
from analytics.exports.data import ExportData, FunnelSlice, FunnelStep, Kpi

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "count": "#,##0",
    "ratio": "0.0%",
    "seconds": "[h]:mm:ss",
    "brl_cents": '"R$" #,##0.00',
    "score": "0.0",
}
DATE_FORMAT = "dd/mm/yyyy"
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"
POINTS_FORMAT = '+0.0" p.p.";-0.0" p.p.";0.0" p.p."'
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
MUTED = Font(italic=True, color="808080")


def render_xlsx(data: ExportData) -> bytes:
    book = Workbook()
    _summary(book.active, data)
    _daily(book.create_sheet("Por dia"), data)
    _funnel(book.create_sheet("Funil"), data)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- cells ---------------------------------------------------------------------------------------

def _text(sheet, row: int, column: int, text: str, font: Font | None = None):
    """A string cell that stays a string: a service named "=HYPERLINK(...)" is not run as a formula."""
    cell = sheet.cell(row=row, column=column, value=text)
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _figure(sheet, row: int, column: int, kind: str, figure):
    """A figure in its unit and number format; "sem dados" (muted text) when there is none."""
    if figure is None:
        cell = _text(sheet, row, column, formats.NO_DATA, MUTED)
        cell.alignment = Alignment(horizontal="right")
        return cell
    if kind == "ratio" or kind == "score":
        stored = float(figure)
    elif kind == "seconds":
        stored = figure / 86400
    elif kind == "brl_cents":
        stored = figure / 100
    else:
        stored = figure
    cell = sheet.cell(row=row, column=column, value=stored)
    cell.number_format = FORMATS.get(kind, "General")
    return cell


def _header(sheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _text(sheet, row, column, title, BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(sheet, widths: list[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


# --- sheets --------------------------------------------------------------------------------------

def _summary(sheet, data: ExportData) -> None:
    sheet.title = "Resumo"
    _text(sheet, 1, 1, f"Relatório de desempenho – {data.company_name}", TITLE)
    _text(sheet, 2, 1, f"Período: {formats.day(data.date_from)} a {formats.day(data.date_to)} "
                       f"({data.day_count} {'dia' if data.day_count == 1 else 'dias'})")
    _text(sheet, 3, 1, f"Comparado a: {formats.day(data.previous_from)} a {formats.day(data.previous_to)}")
    _text(sheet, 4, 1, f"Gerado em {data.generated_at.strftime('%d/%m/%Y %H:%M')} ({data.timezone})", MUTED)
    _header(sheet, 6, ["Indicador", "Período", "Período anterior", "Variação"])
    row = 7
    for kpi in data.kpis:
        _kpi_row(sheet, row, kpi)
        row += 1
    _recommendations(sheet, row + 1, data)
    _widths(sheet, [44, 18, 18, 14])
    sheet.freeze_panes = "A7"


def _kpi_row(sheet, row: int, kpi: Kpi) -> None:
    _text(sheet, row, 1, kpi.label)
    _figure(sheet, row, 2, kpi.kind, kpi.value)
    _figure(sheet, row, 3, kpi.kind, kpi.previous)
    if kpi.change is None:
        _text(sheet, row, 4, formats.NO_COMPARISON, MUTED).alignment = Alignment(horizontal="right")
        return
    if kpi.in_points:  # a difference of rates, in points: 0.02 -> "+2,0 p.p."
        sheet.cell(row=row, column=4, value=float(kpi.change) * 100).number_format = POINTS_FORMAT
    else:
        sheet.cell(row=row, column=4, value=float(kpi.change)).number_format = CHANGE_FORMAT


def _recommendations(sheet, row: int, data: ExportData) -> int:
    _text(sheet, row, 1, "Recomendações", BOLD)
    row += 1
    if not data.recommendations:
        _text(sheet, row, 1, "Nenhuma recomendação no momento.", MUTED)
        return row + 1
    _header(sheet, row, ["Recomendação", "Evidência", "", "Situação"])
    for recommendation in data.recommendations:
        row += 1
        _text(sheet, row, 1, recommendation.title).alignment = Alignment(wrap_text=True, vertical="top")
        _text(sheet, row, 2, recommendation.evidence).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        _text(sheet, row, 4, recommendation.status)
    return row + 1


def _daily(sheet, data: ExportData) -> None:
    _header(sheet, 1, ["Data", *(column.label for column in data.columns)])
    for row, day in enumerate(data.days, start=2):
        sheet.cell(row=row, column=1, value=day.day).number_format = DATE_FORMAT
        for column, figure in enumerate(data.columns, start=2):
            _figure(sheet, row, column, figure.kind, day.figures.get(figure.key))
    sheet.row_dimensions[1].height = 45
    _widths(sheet, [12] + [16] * len(data.columns))
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(data.columns) + 1)}{max(len(data.days) + 1, 2)}"


def _funnel(sheet, data: ExportData) -> None:
    _text(sheet, 1, 1, f"Funil de {formats.day(data.date_from)} a {formats.day(data.date_to)}", TITLE)
    row = _steps(sheet, 3, "Atendimento", data.funnel)
    row = _steps(sheet, row + 1, "Lembretes", data.reminders)
    row = _slices(sheet, row + 1, "Por serviço", data.by_service)
    _slices(sheet, row + 1, "Por profissional", data.by_professional)
    _widths(sheet, [34, 16, 18, 16, 16, 16])


def _steps(sheet, row: int, title: str, steps: tuple[FunnelStep, ...]) -> int:
    _text(sheet, row, 1, title, BOLD)
    if not steps:
        _text(sheet, row + 1, 1, formats.NO_DATA, MUTED)
        return row + 2
    _header(sheet, row + 1, ["Etapa", "Quantidade", "Da etapa anterior", "Perda"])
    row += 2
    for step in steps:
        _text(sheet, row, 1, step.label)
        _figure(sheet, row, 2, "count", step.count)
        for column, share in ((3, step.conversion), (4, step.drop)):
            if share is None:
                _text(sheet, row, column, formats.NO_COMPARISON, MUTED)
            else:
                _figure(sheet, row, column, "ratio", share)
        row += 1
    return row


def _slices(sheet, row: int, title: str, slices: tuple[FunnelSlice, ...]) -> int:
    """One row per service (or professional), one column per step's count."""
    _text(sheet, row, 1, title, BOLD)
    if not slices:
        _text(sheet, row + 1, 1, formats.NO_DATA, MUTED)
        return row + 2
    _header(sheet, row + 1, ["Nome", *(step.label for step in slices[0].steps)])
    row += 2
    for piece in slices:
        _text(sheet, row, 1, piece.name)
        for column, step in enumerate(piece.steps, start=2):
            _figure(sheet, row, column, "count", step.count)
        row += 1
    return row
