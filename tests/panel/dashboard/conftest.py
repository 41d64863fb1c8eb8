"""The dashboards' fixtures: a frozen clock, live report days read every time, AI priced at R$ 5,00 a dollar."""

from datetime import datetime

import pytest


@pytest.fixture
def clock(time_machine):
    """clock(when): the clock stops at `when` (rows written now get that time)."""

    def move(when: datetime) -> datetime:
        time_machine.move_to(when, tick=False)
        return when

    return move


@pytest.fixture(autouse=True)
def _reports_read_live_every_time(settings):
    # The reports keep a live day a minute in the cache, which outlives each test's rollback.
    settings.ANALYTICS_REPORTS_LIVE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _usd_at_five(settings):
    settings.BILLING_USD_BRL = 5.0
