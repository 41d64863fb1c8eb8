"""The PDF's charts, drawn with reportlab.graphics: bars per day (per week or month on long periods).

A bar per day stays legible up to two months; beyond that the days are summed by ISO week (up to
about a year) or by calendar month (up to the two years an export allows), and the chart's title
says which.
"""

import math
from datetime import date, timedelta

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from analytics.exports import formats
from analytics.exports.data import ExportData
from analytics.exports.fonts import fonts_register

DAILY_UP_TO = 62  # days
WEEKLY_UP_TO = 400  # days
MAX_LABELS = 16  # category labels printed under a chart (the others are left blank)
BLUE = colors.HexColor("#1F4E79")
SKY = colors.HexColor("#8DB3E2")
GREEN = colors.HexColor("#2E8B57")
RED = colors.HexColor("#C0392B")
GREY = colors.HexColor("#6B7280")


def canvas_of(width: float, height: float) -> Drawing:
    """A Drawing whose initial font is ours: ReportLab's default (Helvetica) would land in the PDF, unembedded."""
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts_register()
    return drawing


def bucket_of(data: ExportData) -> str:
    """"dia", "semana" or "mês": how the period's days are grouped in its charts."""
    if data.day_count <= DAILY_UP_TO:
        return "dia"
    return "semana" if data.day_count <= WEEKLY_UP_TO else "mês"


def _bucket_start(day: date, bucket: str) -> date:
    if bucket == "semana":
        return day - timedelta(days=day.weekday())
    if bucket == "mês":
        return day.replace(day=1)
    return day


def _label(start: date, bucket: str) -> str:
    return formats.month_short(start) if bucket == "mês" else formats.day_short(start)


def bucketed(data: ExportData, keys: tuple[str, ...]) -> tuple[list[str], dict[str, list[int]]]:
    """The chart's category labels and, per count figure, its sums per bucket (None counts as 0)."""
    bucket = bucket_of(data)
    starts: list[date] = []
    sums: dict[str, list[int]] = {key: [] for key in keys}
    for day in data.days:
        start = _bucket_start(day.day, bucket)
        if not starts or starts[-1] != start:
            starts.append(start)
            for key in keys:
                sums[key].append(0)
        for key in keys:
            sums[key][-1] += day.figures.get(key) or 0
    return [_label(start, bucket) for start in starts], sums


def _nice_top(largest: float) -> tuple[float, float]:
    """An axis top and step of 1, 2 or 5 times a power of ten, about five steps up to `largest`."""
    raw = max(largest, 1) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1)
    return step * math.ceil(max(largest, 1) / step), step


def bar_chart(*, labels: list[str], series: list[tuple[str, list[int], colors.Color]],
              width: float, height: float) -> Drawing:
    """Grouped bars with a legend on top; a framed "sem dados no período" when every bar is zero."""
    font = fonts_register()
    drawing = canvas_of(width, height)
    if not any(any(values) for _, values, _ in series):
        drawing.add(Rect(0, 0, width, height, strokeColor=colors.lightgrey, fillColor=None))
        drawing.add(String(width / 2, height / 2, "sem dados no período", fontName=font, fontSize=10,
                           fillColor=GREY, textAnchor="middle"))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 42, 28, width - 50, height - 50
    chart.data = [values for _, values, _ in series]
    chart.groupSpacing = 1.5 if len(labels) > 20 else 4
    chart.barSpacing = 0
    for index, (_, _, color) in enumerate(series):
        chart.bars[index].fillColor = color
        chart.bars[index].strokeColor = None
    _category_axis(chart, labels, font)
    _value_axis(chart, max(max(values) for _, values, _ in series), font)
    drawing.add(chart)
    drawing.add(_legend(series, font, x=chart.x, y=height - 6))
    return drawing


def _category_axis(chart: VerticalBarChart, labels: list[str], font: str) -> None:
    every = max(1, math.ceil(len(labels) / MAX_LABELS))
    axis = chart.categoryAxis
    axis.categoryNames = [label if index % every == 0 else "" for index, label in enumerate(labels)]
    axis.labels.fontName, axis.labels.fontSize = font, 7
    axis.labels.angle, axis.labels.boxAnchor, axis.labels.dy = 0, "n", -2
    axis.strokeColor = colors.grey
    axis.tickDown = 2


def _value_axis(chart: VerticalBarChart, largest: float, font: str) -> None:
    top, step = _nice_top(largest)
    axis = chart.valueAxis
    axis.valueMin, axis.valueMax, axis.valueStep = 0, top, step
    axis.labels.fontName, axis.labels.fontSize = font, 7
    axis.labelTextFormat = formats.integer
    axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = True, colors.HexColor("#E5E7EB"), 0.5
    axis.strokeColor = colors.grey


def _legend(series, font: str, *, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 120
    legend.fontName, legend.fontSize = font, 8
    legend.boxAnchor = "nw"
    legend.dx, legend.dy = 8, 8
    legend.colorNamePairs = [(color, name) for name, _, color in series]
    return legend


def messages_chart(data: ExportData, *, width: float, height: float) -> Drawing:
    labels, sums = bucketed(data, ("messages_in", "messages_out"))
    return bar_chart(labels=labels, width=width, height=height,
                     series=[("Recebidas", sums["messages_in"], BLUE), ("Enviadas", sums["messages_out"], SKY)])


def bookings_chart(data: ExportData, *, width: float, height: float) -> Drawing:
    labels, sums = bucketed(data, ("bookings", "no_shows"))
    return bar_chart(labels=labels, width=width, height=height,
                     series=[("Agendamentos", sums["bookings"], GREEN), ("Faltas", sums["no_shows"], RED)])
