"""How figures read (formats.py), how they compare with the period before, what the file is called."""

from datetime import date

import pytest

from analytics.exports import formats
from analytics.exports.data import Kpi, change_of, file_name, previous_period
from tests.analytics.exports.builders import export_sample


@pytest.mark.parametrize(("kind", "figure", "text"), [
    ("count", 1234567, "1.234.567"), ("count", 0, "0"), ("ratio", 0.125, "12,5 %"), ("ratio", 1, "100,0 %"),
    ("brl_cents", 120000, "R$ 1.200,00"), ("brl_cents", 5, "R$ 0,05"), ("seconds", 45, "45 s"),
    ("seconds", 245, "4 min 05 s"), ("seconds", 600, "10 min"), ("seconds", 3900, "1 h 05 min"),
    ("seconds", 7200, "2 h"), ("score", 72, "72"), ("score", 4.56, "4,6"), ("score", -15, "-15"),
    ("ratio", None, "sem dados"), ("seconds", None, "sem dados"),
])
def test_figures_read_the_brazilian_way(kind, figure, text):
    assert formats.value(kind, figure) == text


@pytest.mark.parametrize(("kind", "change", "text"), [
    ("count", 0.125, "+12,5 %"), ("count", -0.5, "-50,0 %"), ("count", 0.0, "0,0 %"), ("count", None, "–"),
    ("ratio", 0.02, "+2,0 p.p."), ("ratio", -0.105, "-10,5 p.p."),
])
def test_changes_have_their_sign_and_unit(kind, change, text):
    assert formats.change(Kpi("k", "K", kind, 1, 1, change)) == text


def test_rise_of_no_shows_is_bad_news_and_of_bookings_good_news():
    assert Kpi("no_show_rate", "", "ratio", 0.2, 0.1, 0.1).trend == "bad"
    assert Kpi("bookings", "", "count", 20, 10, 1.0).trend == "good"
    assert Kpi("first_reply_p50_s", "", "seconds", 5, 10, -0.5).trend == "good"
    assert Kpi("ai_tokens", "", "count", 20, 10, 1.0).trend == "neutral"
    assert Kpi("bookings", "", "count", 0, 0, None).trend == "neutral"


def test_previous_period_is_the_month_before_a_whole_month_else_as_many_days_before():
    assert previous_period(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)) == (date(2026, 2, 1),
                                                                                         date(2026, 2, 28))
    assert previous_period(date_from=date(2026, 3, 10), date_to=date(2026, 3, 16)) == (date(2026, 3, 3),
                                                                                          date(2026, 3, 9))


@pytest.mark.parametrize(("kind", "value", "previous", "change"), [
    ("count", 12, 10, 0.2), ("count", 0, 0, 0.0), ("count", 4, 0, None), ("count", 4, None, None),
    ("score", -10, -20, 0.5), ("ratio", 0.3, 0.1, 0.2), ("ratio", None, 0.1, None), ("brl_cents", 50, 100, -0.5),
])
def test_change_is_relative_but_in_points_for_rates_and_never_divides_by_zero(kind, value, previous, change):
    assert change_of(kind, value, previous) == (None if change is None else pytest.approx(change))


def test_the_file_name_says_whose_and_which_period():
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30))
    assert file_name(data, "pdf") == "relatorio-acme-2026-11-01-a-2026-11-30.pdf"
