"""Business hours in São Paulo time, with a lunch break and weekends."""

from datetime import UTC, datetime

import pytest

from conversations.assistant.engine.hours import describe, describe_day, is_open, next_opening, when

from .conftest import BUSINESS_HOURS, SP, at


@pytest.mark.parametrize(("moment", "open_"), [
    (at(hour=10), True),  # Wednesday morning
    (at(hour=7, minute=59), False),  # before opening
    (at(hour=8), True),  # opening minute
    (at(hour=12, minute=30), False),  # lunch break
    (at(hour=13), True),
    (at(hour=18), False),  # closing minute is closed
    (at(day=15, hour=10), True),  # Saturday morning
    (at(day=15, hour=14), False),  # Saturday afternoon
    (at(day=16, hour=10), False),  # Sunday
])
def test_is_open(moment, open_):
    assert is_open(BUSINESS_HOURS, moment) is open_


def test_the_clock_is_the_companys_not_utc():
    # 12:30 UTC is 09:30 in São Paulo (open); 21:30 UTC is 18:30 there (closed).
    assert is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 12, 30, tzinfo=UTC))
    assert not is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 21, 30, tzinfo=UTC))
    assert is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 21, 30, tzinfo=UTC), tz="Europe/Lisbon") is False
    assert is_open(BUSINESS_HOURS, datetime(2025, 3, 12, 9, 30, tzinfo=UTC), tz="Europe/Lisbon")


def test_no_hours_set_means_always_open():
    assert is_open({}, at(day=16, hour=3))
    assert next_opening({}, at(day=16, hour=3)) == at(day=16, hour=3)
    assert describe({}) == ""


def test_next_opening():
    assert next_opening(BUSINESS_HOURS, at(hour=12, minute=30)) == at(hour=13)
    assert next_opening(BUSINESS_HOURS, at(hour=19)) == at(day=13, hour=8)
    assert next_opening(BUSINESS_HOURS, at(day=15, hour=13)) == at(day=17, hour=8)  # Saturday -> Monday
    assert next_opening(BUSINESS_HOURS, at(hour=10)) == at(hour=10)
    assert next_opening({"0": []}, at()) is None
    assert next_opening(BUSINESS_HOURS, at(hour=19)).tzinfo.key == SP.key


def test_when_says_it_in_portuguese():
    now = at(hour=19)
    assert when(at(hour=20), now) == "hoje às 20h"
    assert when(at(day=13, hour=8), now) == "amanhã às 8h"
    assert when(at(day=17, hour=8), now) == "na segunda-feira às 8h"
    assert when(at(day=15, hour=9, minute=30), now) == "no sábado às 9h30"


def test_describe_groups_days():
    hours = {str(d): [["08:00", "18:00"]] for d in range(5)} | {"5": [["08:00", "12:00"]]}
    assert describe(hours) == "segunda a sexta, das 8h às 18h; sábado, das 8h às 12h"
    assert describe(BUSINESS_HOURS).startswith("segunda a sexta, das 8h às 12h e das 13h às 18h;")
    assert describe({"0": [["9:00", "17:00"]], "2": [["9:00", "17:00"]], "4": [["9:00", "17:00"]]}) == (
        "segunda, quarta e sexta, das 9h às 17h")
    assert describe({str(d): [["00:00", "24:00"]] for d in range(7)}) == "todos os dias, 24 horas"


def test_malformed_entries_are_skipped():
    hours = {"0": [["08:00", "12:00"], ["xx", "yy"], ["13:00"]], "1": "nope"}
    assert describe(hours) == "segunda, das 8h às 12h"
    assert is_open(hours, at(day=10, hour=9))


def test_describe_day():
    assert describe_day(BUSINESS_HOURS, 5) == "sábado, das 8h às 12h"
    assert describe_day(BUSINESS_HOURS, 6) == "domingo: fechado"
