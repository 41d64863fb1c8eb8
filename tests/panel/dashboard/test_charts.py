"""The panel's SVG charts (secretaria/panel/charts.py): well-formed, accessible, pt-BR, and drawn to scale."""

import xml.etree.ElementTree as ET

import pytest

from secretaria.panel.charts import Series, bar_chart, integer, line_chart
from secretaria.ptbr import brl

SVG = "{http://www.w3.org/2000/svg}"
DAYS = ["01/03", "02/03", "03/03", "04/03"]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # raises on anything that is not well-formed XML


def shapes(svg: ET.Element, tag: str) -> list[ET.Element]:
    return [element for element in svg.iter(f"{SVG}{tag}") if element.find(f"{SVG}title") is not None]


def tooltips(svg: ET.Element, tag: str) -> list[str]:
    return [element.find(f"{SVG}title").text for element in shapes(svg, tag)]


def axis_labels(svg: ET.Element) -> list[str]:
    return [text.text for text in svg.iter(f"{SVG}text") if text.get("text-anchor") == "end"]


def test_a_bar_chart_is_an_image_named_in_words_with_one_bar_and_tooltip_per_value():
    svg = parse(bar_chart(title="Agendamentos por dia", labels=DAYS, series=[Series("Agendamentos", [3, 0, 12, 5])]))

    assert svg.get("role") == "img"
    assert svg.get("aria-label") == ("Agendamentos por dia, de 01/03 a 04/03. "
                                     "Agendamentos: total 20, maior valor 12 em 03/03.")
    assert svg.find(f"{SVG}title").text == "Agendamentos por dia"
    assert tooltips(svg, "rect") == ["01/03 — Agendamentos: 3", "02/03 — Agendamentos: 0",
                                     "03/03 — Agendamentos: 12", "04/03 — Agendamentos: 5"]


def test_bars_are_drawn_to_scale_from_the_zero_line():
    svg = parse(bar_chart(title="t", labels=DAYS[:2], series=[Series("n", [5, 10])]))

    five, ten = (float(bar.get("height")) for bar in shapes(svg, "rect"))
    assert ten == pytest.approx(2 * five, abs=0.11)
    bottoms = {round(float(bar.get("y")) + float(bar.get("height")), 1) for bar in shapes(svg, "rect")}
    assert len(bottoms) == 1  # every bar stands on the same zero line


def test_the_y_axis_ends_on_a_round_number_with_brazilian_thousands():
    svg = parse(bar_chart(title="t", labels=DAYS[:2], series=[Series("n", [1234, 80])]))

    assert axis_labels(svg) == ["0", "500", "1.000", "1.500"]


def test_counts_never_get_a_fractional_step():
    svg = parse(bar_chart(title="t", labels=DAYS[:2], series=[Series("n", [1, 0])]))

    assert axis_labels(svg) == ["0", "1"]


def test_money_is_labelled_in_reais():
    svg = parse(line_chart(title="Custo de IA", labels=DAYS[:3], series=[Series("Custo", [150, 375, 1200])],
                           value_format=brl))

    assert axis_labels(svg) == ["R$ 0,00", "R$ 5,00", "R$ 10,00", "R$ 15,00"]
    assert tooltips(svg, "circle") == ["01/03 — Custo: R$ 1,50", "02/03 — Custo: R$ 3,75",
                                       "03/03 — Custo: R$ 12,00"]
    assert "total R$ 17,25, maior valor R$ 12,00 em 03/03" in svg.get("aria-label")


def test_a_missing_day_breaks_the_line_and_has_no_point():
    svg = parse(line_chart(title="t", labels=["a", "b", "c", "d", "e"], series=[Series("n", [1, 2, None, 4, 5])]))

    paths = [path.get("d") for path in svg.iter(f"{SVG}path")]
    assert len(paths) == 2 and all(d.count("L") == 1 for d in paths)  # a-b and d-e
    assert tooltips(svg, "circle") == ["a — n: 1", "b — n: 2", "d — n: 4", "e — n: 5"]


def test_several_series_get_a_legend_and_their_own_colours():
    svg = parse(line_chart(title="Mensagens", labels=DAYS[:2],
                           series=[Series("Recebidas", [4, 6]), Series("Enviadas", [2, 2])]))

    legend = [text.text for text in svg.iter(f"{SVG}text") if text.text in ("Recebidas", "Enviadas")]
    assert legend == ["Recebidas", "Enviadas"]
    assert len({circle.get("fill") for circle in shapes(svg, "circle")}) == 2
    assert "Recebidas: total 10" in svg.get("aria-label") and "Enviadas: total 4" in svg.get("aria-label")


def test_negative_values_go_below_the_zero_line():
    svg = parse(bar_chart(title="NPS", labels=DAYS[:2], series=[Series("NPS", [-40, 60])]))

    labels = axis_labels(svg)
    assert labels[0].startswith("-") and "0" in labels
    below, above = shapes(svg, "rect")
    assert float(below.get("y")) == pytest.approx(float(above.get("y")) + float(above.get("height")), abs=0.11)


def test_a_period_without_data_says_so():
    for values in ([None, None], [0, 0]):
        svg = parse(bar_chart(title="Agendamentos por dia", labels=DAYS[:2], series=[Series("n", values)]))
        assert [text.text for text in svg.iter(f"{SVG}text")] == ["Sem dados no período"]
        assert svg.get("aria-label") == "Agendamentos por dia: sem dados."
    assert parse(bar_chart(title="t", labels=[], series=[])).get("aria-label") == "t: sem dados."


def test_long_periods_label_only_some_days_under_the_axis():
    days = [f"{n:02d}/03" for n in range(1, 31)]
    svg = parse(bar_chart(title="t", labels=days, series=[Series("n", list(range(30)))]))

    under = [text.text for text in svg.iter(f"{SVG}text") if text.get("text-anchor") == "middle"]
    assert 2 <= len(under) <= 9 and under[0] == "01/03" and under[-1] == "30/03"
    assert len(tooltips(svg, "rect")) == 30  # every day keeps its tooltip


def test_names_are_escaped_and_nothing_runs_a_script():
    markup = str(bar_chart(title="Clínica <b>&</b>", labels=["<script>"], series=[Series('a"b', [1])]))
    svg = parse(markup)

    assert svg.find(f"{SVG}title").text == "Clínica <b>&</b>"
    assert tooltips(svg, "rect") == ['<script> — a"b: 1']
    assert "<script" not in markup and " on" not in markup.replace(" one", "")  # CSP: markup only


def test_whole_numbers_read_with_a_dot_for_thousands():
    assert (integer(0), integer(999), integer(1234567), integer(12.6)) == ("0", "999", "1.234.567", "13")
