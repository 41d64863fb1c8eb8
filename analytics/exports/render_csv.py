"""The CSV: one row per day with every figure, for a spreadsheet in Brazilian Portuguese.

`;` between cells, a decimal comma, dates as dd/mm/aaaa and a UTF-8 byte order mark: Excel set to
pt-BR opens it with the right columns, numbers and accents on a double click (a comma-separated
file, or one without the BOM, it would split on the decimal commas or show "MÃ©dia").
"""

import csv
import io

from analytics.exports import formats
from analytics.exports.data import ExportData

CONTENT_TYPE = "text/csv; charset=utf-8"


def render_csv(data: ExportData) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Data", *(formats.header(column) for column in data.columns)])
    for row in data.days:
        cells = [formats.plain(column.kind, row.figures.get(column.key)) for column in data.columns]
        writer.writerow([formats.day(row.day), *cells])
    return buffer.getvalue().encode("utf-8-sig")
