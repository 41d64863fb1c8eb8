"""Factories of the agenda: professionals and their hours, the service catalogue, appointments and
what follows them. They write in the schema that is current (`schema_context(company.schema_name)`).

    ana = ProfessionalFactory(name="Dra. Ana Lima", weekdays=range(5))   # Mon–Fri 08:00–18:00
    consulta = ServiceFactory(name="Consulta", duration_minutes=30, professionals=[ana])
    visit = AppointmentFactory(service=consulta, professional=ana, start=...)   # end = start + 30 min
    ReminderFactory(appointment=visit)                                     # due an hour before

AppointmentFactory writes the row directly, like an import or a test of history would; booking as
the customer or the staff does (locks, reminders, events) is `agenda.services.booking.appointment_book`.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from agenda.models import Appointment, FollowUp, Professional, Reminder, Service, WorkingHours
from tests.conversations.factories import ContactFactory

SP = ZoneInfo("America/Sao_Paulo")
# Not the demo clinic's people and services (devstack/demo/agenda.py), so both can share a schema.
PROFESSIONALS = ["Dra. Renata Albuquerque", "Dr. Marcelo Teixeira", "Dra. Patrícia Nogueira", "Dr. Felipe Andrade",
                 "Luana (fisioterapeuta)"]
# name, minutes, price in cents, keywords, description
CATALOGUE = [
    ("Consulta de rotina", 30, 25000, "consulta, rotina, check-up, avaliação", "Avaliação clínica completa."),
    ("Retorno", 20, None, "retorno, revisão, resultado de exames", "Revisão de exames em até 30 dias."),
    ("Sessão de fisioterapia", 50, 12000, "fisioterapia, fisio, coluna, joelho", "Sessão individual de 50 minutos."),
    ("Drenagem linfática", 60, 15000, "drenagem, linfática, inchaço", "Drenagem manual do corpo inteiro."),
    ("Avaliação nutricional", 45, 18000, "nutricionista, dieta, nutrição", "Anamnese, bioimpedância e plano."),
]


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow in São Paulo at hour:minute (the clock may be frozen)."""
    day = timezone.now().astimezone(SP).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=SP)


class ProfessionalFactory(DjangoModelFactory):
    """`weekdays=range(6)` gives them working hours on those days (08:00–18:00, or `weekdays__start`/`__end`)."""

    class Meta:
        model = Professional
        skip_postgeneration_save = True

    name = factory.Iterator(PROFESSIONALS)

    @factory.post_generation
    def weekdays(professional: Professional, create: bool, days, **hours) -> None:
        if create and days is not None:
            for weekday in days:
                WorkingHoursFactory(professional=professional, weekday=weekday, **hours)


class WorkingHoursFactory(DjangoModelFactory):
    class Meta:
        model = WorkingHours

    professional = factory.SubFactory(ProfessionalFactory)
    weekday = 0  # Monday
    start = time(8)
    end = time(18)


class ServiceFactory(DjangoModelFactory):
    """A service of the catalogue; `professionals=[...]` are the ones who do it.

    Names are unique in a company, so the catalogue's names get a number.
    """

    class Meta:
        model = Service
        skip_postgeneration_save = True

    class Params:
        entry = factory.Sequence(lambda n: (n, *CATALOGUE[n % len(CATALOGUE)]))

    name = factory.LazyAttribute(lambda service: f"{service.entry[1]} {service.entry[0]}")
    duration_minutes = factory.LazyAttribute(lambda service: service.entry[2])
    price_cents = factory.LazyAttribute(lambda service: service.entry[3])
    keywords = factory.LazyAttribute(lambda service: service.entry[4])
    description = factory.LazyAttribute(lambda service: service.entry[5])

    @factory.post_generation
    def professionals(service: Service, create: bool, professionals, **kwargs) -> None:
        if create and professionals:
            service.professionals.set(professionals)


class AppointmentFactory(DjangoModelFactory):
    """Tomorrow at 10:00 (São Paulo), pending, lasting the service's duration (30 min without one)."""

    class Meta:
        model = Appointment

    contact = factory.SubFactory(ContactFactory)
    service = factory.SubFactory(ServiceFactory)
    professional = factory.SubFactory(ProfessionalFactory)
    start = factory.LazyFunction(lambda: tomorrow_at(10))
    end = factory.LazyAttribute(
        lambda visit: visit.start + timedelta(minutes=visit.service.duration_minutes if visit.service else 30))
    status = Appointment.Status.PENDING


class ReminderFactory(DjangoModelFactory):
    """A scheduled reminder, pending, `offset_minutes` (60) before the appointment."""

    class Meta:
        model = Reminder

    appointment = factory.SubFactory(AppointmentFactory)
    offset_minutes = 60
    due_at = factory.LazyAttribute(lambda reminder: reminder.appointment.start
                                   - timedelta(minutes=reminder.offset_minutes))


class FollowUpFactory(DjangoModelFactory):
    """The after-visit message of an attended appointment, pending, due two hours after it ended."""

    class Meta:
        model = FollowUp

    appointment = factory.SubFactory(AppointmentFactory, status=Appointment.Status.ATTENDED,
                                     start=factory.LazyFunction(lambda: tomorrow_at(10) - timedelta(days=2)))
    due_at = factory.LazyAttribute(lambda followup: followup.appointment.end + timedelta(hours=2))
