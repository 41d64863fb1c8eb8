"""The exports read what the reports' known day recorded: their cast (tests/analytics/reports/conftest.py)
and the agenda's demo clinic it stands on."""

from tests.agenda.conftest import demo_calendar  # noqa: F401 - fixtures used by name
from tests.analytics.reports.conftest import clinic, clock, committed  # noqa: F401
