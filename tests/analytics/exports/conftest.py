"""The exports read what the reports' known day recorded: their cast (tests/analytics/reports/conftest.py)."""

from tests.analytics.reports.conftest import clinic, clock, committed  # noqa: F401 - fixtures used by name
