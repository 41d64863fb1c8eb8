"""The calendar screen's cast: acme's clinic on a frozen Tuesday, and a logged-in browser per role.

    def test_x(clinic, staff):
        page = staff("operator").get(DAY)            # /admin/calendar/ on acme's host
        with schema_context("acme"): ...               # read what the page wrote

The clock stands still at Tuesday 10 December 2030, 09:00 in São Paulo. Ana works 08:00–12:00 and
13:00–18:00 (lunch in between) Monday to Saturday; Bruno 08:00–17:00 Monday to Friday. A 30-minute
"Consulta" (R$ 250,00) is done by both, a 60-minute "Limpeza de pele" by Ana only.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tenants.utils import schema_context

from agenda.models import Appointment, Professional, Service, WorkingHours
from agenda.services.config import calendar_config_forget
from tests.accounts.conftest import admin_client
from tests.agenda.factories import AppointmentFactory
from tests.conftest import member
from tests.conversations.factories import ContactFactory

SP = ZoneInfo("America/Sao_Paulo")
TUESDAY = date(2030, 12, 10)
DAY = "/admin/calendar/"
WEEK = "/admin/calendar/semana/"
BOOK = "/admin/calendar/agendar/"


def at(hour: int, minute: int = 0, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SP)


@dataclass
class Clinic:
    ana: Professional
    bruno: Professional
    consulta: Service
    limpeza: Service

    def appointment(self, *, start: datetime, status: str = "pending", professional=None, service=None,
                    name: str = "Maria Souza", phone: str = "5511912345678") -> Appointment:
        """A row written directly (history, states the services reach only with time passing)."""
        service = service or self.consulta
        contact = ContactFactory(phone=phone, name=name)
        return AppointmentFactory(contact=contact, service=service, professional=professional or self.ana,
                                  start=start, end=start + timedelta(minutes=service.duration_minutes),
                                  status=status)


@pytest.fixture
def clock():
    with time_machine.travel(at(9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def clinic(acme, clock):
    with schema_context("acme"):
        calendar_config_forget()
        ana = Professional.objects.create(name="Dra. Ana Lima")
        bruno = Professional.objects.create(name="Dr. Bruno Reis")
        for weekday in range(6):
            WorkingHours.objects.create(professional=ana, weekday=weekday, start=time(8), end=time(12))
            WorkingHours.objects.create(professional=ana, weekday=weekday, start=time(13), end=time(18))
        for weekday in range(5):
            WorkingHours.objects.create(professional=bruno, weekday=weekday, start=time(8), end=time(17))
        consulta = Service.objects.create(name="Consulta", duration_minutes=30, price_cents=25000)
        consulta.professionals.set([ana, bruno])
        limpeza = Service.objects.create(name="Limpeza de pele", duration_minutes=60, price_cents=18000)
        limpeza.professionals.set([ana])
        yield Clinic(ana=ana, bruno=bruno, consulta=consulta, limpeza=limpeza)


@pytest.fixture
def staff(acme):
    """staff(role) -> a Django test client logged in as acme's <role>@acme.test."""

    def make(role: str):
        return admin_client(acme, member(acme, role))

    return make


# --- reading the board -------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One block of the board as a person reads it: column, state, time, link."""

    column: str
    state: str  # "free" or an appointment status
    time: str  # "10:00"
    appointment: int | None
    href: str


class _BoardReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.column = ""
        self.columns: list[str] = []
        self.blocks: list[Shown] = []
        self.notes: dict[str, str] = {}
        self._in_note = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "section" and "cal-column" in classes:
            self.column = attrs.get("aria-label", "")
            self.columns.append(self.column)
        elif "cal-block" in classes:
            pk = attrs.get("data-appointment")
            self.blocks.append(Shown(self.column, attrs["data-state"], attrs["data-time"],
                                     int(pk) if pk else None, attrs.get("href", "")))
        self._in_note = tag == "small" and bool(self.column)

    def handle_data(self, data):
        if self._in_note and data.strip():
            self.notes[self.column] = data.strip()

    def handle_endtag(self, tag):
        if tag == "small":
            self._in_note = False


def board(response) -> _BoardReader:
    """The blocks (and column notes) of a calendar page."""
    assert response.status_code == 200, response.status_code
    reader = _BoardReader()
    reader.feed(response.content.decode())
    return reader


def free_times(response, column: str) -> list[str]:
    return [b.time for b in board(response).blocks if b.column == column and b.state == "free"]
