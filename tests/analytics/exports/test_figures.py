"""How figures read (formats.py) and how a free period's KPIs add up from its days (totals.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from analytics.exports import formats
from analytics.exports.data import Day, Kpi, file_name, kpis_from_days, period_check, previous_period
from tests.analytics.exports.builders import CATALOGUE, empty_day, export_sample


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


def day(n: int, **figures) -> Day:
    return Day(day=date(2026, 11, 1) + timedelta(days=n), figures={**empty_day(), **figures})


def test_a_free_period_sums_counts_and_recomputes_rates_from_them():
    days = [day(0, conversations_opened=10, handoffs=1, handoff_rate=0.1, attendances=9, no_shows=1,
                no_show_rate=0.1, ai_cost_cents=300, bookings=3, cost_per_booking_cents=100,
                first_reply_p50_s=10, quota_messages_ratio=0.5, contacts_unique=8),
            day(1, conversations_opened=30, handoffs=9, handoff_rate=0.3, attendances=1, no_shows=1,
                no_show_rate=0.5, ai_cost_cents=100, bookings=1, cost_per_booking_cents=100,
                first_reply_p50_s=2, quota_messages_ratio=0.7, contacts_unique=20)]
    kpis = {kpi.key: kpi for kpi in kpis_from_days(CATALOGUE, days, [day(-1), day(-2)])}
    assert kpis["conversations_opened"].value == 40
    assert kpis["handoff_rate"].value == pytest.approx(10 / 40)  # not the mean of 10 % and 30 %
    assert kpis["no_show_rate"].value == pytest.approx(2 / 12)
    assert kpis["cost_per_booking_cents"].value == 100
    assert kpis["first_reply_p50_s"].value == pytest.approx((10 * 10 + 2 * 30) / 40)  # weighted by conversations
    assert kpis["quota_messages_ratio"].value == 0.7  # the highest level reached
    assert kpis["contacts_unique"].approximate and kpis["first_reply_p50_s"].approximate
    assert not kpis["handoff_rate"].approximate and not kpis["bookings"].approximate


def test_nothing_to_compare_with_is_no_change_and_never_a_division_by_zero():
    kpis = {kpi.key: kpi for kpi in kpis_from_days(CATALOGUE, [day(0, bookings=4)], [day(-1)])}
    assert kpis["bookings"].change is None  # from 0 to 4: no percentage means anything
    assert kpis["messages_in"].change == 0.0  # 0 and 0
    assert kpis["no_show_rate"].value is None and kpis["no_show_rate"].change is None
    assert kpis["cost_per_booking_cents"].value == 0  # no AI cost over 4 bookings
    assert kpis["cost_per_booking_cents"].previous is None  # no bookings: no cost per booking
    assert kpis["nps"].value is None


def test_previous_period_is_the_month_before_a_whole_month_else_as_many_days_before():
    assert previous_period(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)) == (date(2026, 2, 1),
                                                                                         date(2026, 2, 28))
    assert previous_period(date_from=date(2026, 3, 10), date_to=date(2026, 3, 16)) == (date(2026, 3, 3),
                                                                                          date(2026, 3, 9))


@pytest.mark.parametrize(("date_from", "date_to", "message"), [
    (date(2026, 3, 10), date(2026, 3, 9), "A data final deve ser igual ou posterior à inicial."),
    (date(2024, 1, 1), date(2026, 1, 1), "O período pode ter no máximo 731 dias (2 anos)."),
    (date(1999, 12, 31), date(2000, 1, 1), "As datas devem estar entre 01/01/2000 e 31/12/2100."),
])
def test_bad_periods_are_refused_in_portuguese(date_from, date_to, message, settings):
    settings.ANALYTICS_EXPORT_MAX_DAYS = 731
    with pytest.raises(ValidationError) as refused:
        period_check(date_from=date_from, date_to=date_to)
    assert message in str(refused.value)


def test_two_years_is_the_longest_period_and_the_file_name_says_which():
    period_check(date_from=date(2024, 12, 1), date_to=date(2026, 11, 30))  # 730 days
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30))
    assert file_name(data, "pdf") == "relatorio-acme-2026-11-01-a-2026-11-30.pdf"
