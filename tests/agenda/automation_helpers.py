"""Shared pieces of the automation tests (reminders, no-shows, follow-ups, risk, insights);
their fixtures are in automation_fixtures.py (loaded with `pytest_plugins`).

The clock is frozen with time_machine on a fixed week (Monday 2 March 2026, São Paulo
time, no daylight saving). Celery runs eagerly: a scan's `.delay()` runs the send task
right there, through the real task and its tenant header, instead of leaving it on a
broker no test consumes.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from agenda.models import Appointment, Professional, Service
from agenda.services.booking import appointment_book
from agenda.types import Slot
from conversations.models import Contact, Outbox
from tests.agenda.factories import ProfessionalFactory, ServiceFactory
from tests.conversations.factories import ContactFactory

TZ = ZoneInfo("America/Sao_Paulo")
STAFF = "owner@acme.test"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A local time in the test week: at(2, 9) is Monday 2 March 2026, 09:00 in São Paulo."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def calendar_make(name: str = "Ana", service_name: str = "Consulta", minutes: int = 30) -> tuple[Professional, Service]:
    """One professional working 07:00-19:00 Monday to Saturday, and one service she does."""
    professional = ProfessionalFactory(name=name, weekdays=range(6), weekdays__start=time(7), weekdays__end=time(19))
    service = ServiceFactory(name=service_name, duration_minutes=minutes, professionals=[professional])
    return professional, service


def contact_make(phone: str = "5511912345678", name: str = "Maria Souza") -> Contact:
    return ContactFactory(phone=phone, name=name)


def book(contact: Contact, start: datetime, professional: Professional, service: Service) -> Appointment:
    """Book through the real booking service, as the staff would (any future time)."""
    slot = Slot(start, start + timedelta(minutes=service.duration_minutes), service.pk, professional.pk)
    return appointment_book(contact=contact, slot=slot, source=Appointment.Source.ADMIN, actor=STAFF)


def outbox_keys(prefix: str) -> list[str]:
    return sorted(Outbox.objects.filter(idempotency_key__startswith=prefix).values_list("idempotency_key", flat=True))


def outbox_text(key: str) -> str:
    return Outbox.objects.select_related("message").get(idempotency_key=key).message.text
