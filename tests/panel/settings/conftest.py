"""The settings pages' tests: a logged-in admin per role on acme's host, and a local provider server.

    page = staff(acme, "manager").get("/admin/settings/")
    providers.url   # Meta, Whaticket, OpenAI-compatible and Cal.com at once (fakes.py)
"""

import pytest
from django.test import Client

from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.panel.settings.fakes import ProvidersServer


def staff(company, role: str) -> Client:
    return admin_client(company, member(company, role))


@pytest.fixture(scope="session")
def _providers_session():
    server = ProvidersServer()
    yield server
    server.shutdown()


@pytest.fixture
def providers(_providers_session) -> ProvidersServer:
    _providers_session.reset()
    return _providers_session
