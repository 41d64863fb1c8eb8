"""Fixtures of the automation tests: `in_acme` (inside acme, sandbox channel) and `clock`
(time_machine, frozen at Monday 2 March 2026 09:00 São Paulo); `eager` is in tests/conftest.py.
Loaded by the test modules with `pytest_plugins`."""

from datetime import datetime

import pytest
from django_tenants.utils import schema_context

from agenda.services.config import calendar_config_forget
from conversations.channels.services import channel_configure
from tests.agenda.automation_helpers import at


@pytest.fixture
def in_acme(acme):
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        yield acme


@pytest.fixture
def clock(time_machine):
    """clock(at(...)) freezes the time there; call again to move it."""

    def move(when: datetime) -> datetime:
        time_machine.move_to(when, tick=False)
        return when

    move(at(2, 9))
    return move
