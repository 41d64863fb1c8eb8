"""The export as a file: its name, its content type and its bytes, in the current company's schema."""

from dataclasses import dataclass
from datetime import date

from analytics.exports import render_csv, render_pdf, render_xlsx
from analytics.exports.data import export_data, file_name

FORMATS = {
    "csv": (render_csv.render_csv, render_csv.CONTENT_TYPE),
    "xlsx": (render_xlsx.render_xlsx, render_xlsx.CONTENT_TYPE),
    "pdf": (render_pdf.render_pdf, render_pdf.CONTENT_TYPE),
}


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    content: bytes


def export_file(*, date_from: date, date_to: date, file_format: str) -> ExportFile:
    """The company's report for [date_from, date_to] as csv, xlsx or pdf (ValidationError on a bad period)."""
    render, content_type = FORMATS[file_format]
    data = export_data(date_from=date_from, date_to=date_to)
    return ExportFile(name=file_name(data, file_format), content_type=content_type, content=render(data))
