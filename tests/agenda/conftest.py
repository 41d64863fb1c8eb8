"""Agenda fixtures: the demo calendar inside a company, and a local Cal.com v2 server.

    def test_x(demo_calendar):            # acme gets the demo clinic's professionals, services, hours
        with schema_context("acme"): ...
    def test_y(calcom_server, calcom_acme):   # acme's calendar is Cal.com, at the local server
        calcom_server.set_slots([...]); ...; calcom_server.requests
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from tests.agenda.calcom_server import API_KEY, WEBHOOK_SECRET, CalcomServer

# Cal.com event type ids given to the demo services when acme is on Cal.com.
EVENT_TYPES = {"Consulta dermatológica": 101, "Limpeza de pele": 102, "Peeling químico": 103,
               "Aplicação de toxina botulínica": 104}


@dataclass
class DemoCalendar:
    schema: str
    services: dict[str, int]  # name -> id
    professionals: dict[str, int]  # name -> id

    def service_id(self, name: str) -> int:
        return self.services[name]

    def professional_id(self, name: str) -> int:
        return self.professionals[name]


@pytest.fixture
def demo_calendar(acme) -> DemoCalendar:
    """acme with the demo clinic's calendar (rolled back after the test). Ids only: enter
    `schema_context(demo_calendar.schema)` to use them."""
    from agenda.models import Professional, Service
    from devstack.demo.agenda import demo_calendar_ensure

    with schema_context(acme.schema_name):
        demo_calendar_ensure()
        return DemoCalendar(
            schema=acme.schema_name,
            services=dict(Service.objects.values_list("name", "pk")),
            professionals=dict(Professional.objects.values_list("name", "pk")),
        )


@pytest.fixture(scope="session")
def _calcom_server_session():
    server = CalcomServer()
    yield server
    server.shutdown()


@pytest.fixture
def calcom_server(_calcom_server_session) -> CalcomServer:
    """The local Cal.com v2 server, emptied for this test: `.url`, `.requests`, `.bookings`,
    `.set_slots()`, `.fail_next()`. Expects `Authorization: Bearer <calcom_server.API_KEY>`."""
    _calcom_server_session.reset()
    return _calcom_server_session


@pytest.fixture
def calcom_acme(demo_calendar, calcom_server) -> DemoCalendar:
    """acme with the demo calendar, switched to Cal.com at the local server (each demo service
    linked to an event type, see EVENT_TYPES; the webhook secret is calcom_server.WEBHOOK_SECRET)."""
    calcom_configure(schema=demo_calendar.schema, url=calcom_server.url)
    from agenda.models import Service

    with schema_context(demo_calendar.schema):
        for name, event_type in EVENT_TYPES.items():
            Service.objects.filter(name=name).update(calcom_event_type_id=event_type)
            minutes = Service.objects.get(name=name).duration_minutes
            calcom_server.set_duration(event_type, minutes)
    return demo_calendar


def calcom_configure(*, schema: str, url: str, api_key: str = API_KEY, secret: str = WEBHOOK_SECRET) -> None:
    from agenda.models import CalendarConfig
    from agenda.services.config import calendar_config, calendar_config_forget

    with schema_context(schema):
        config = calendar_config()
        config.provider = CalendarConfig.Provider.CALCOM
        config.calcom_base_url = url
        config.calcom_api_key = api_key
        config.calcom_webhook_secret = secret
        config.save()
        calendar_config_forget()
