"""The demo clinic's calendar, so booking through `manage.py chat --tenant demo` works at once.

Matches devstack/demo/conversations.py: a dermatology clinic open Monday to Friday
8–12 and 13–18 and Saturday 8–12. Its services, prices and durations live here only:
the assistant quotes them from the agenda's catalogue.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from agenda.models import Professional, Service, TimeOff, WorkingHours
from agenda.services.config import calendar_config

WEEK = [(d, time(8), time(12)) for d in range(6)] + [(d, time(13), time(18)) for d in range(5)]
PROFESSIONALS = {
    "Dra. Helena Prado": WEEK,
    # Tuesday to Saturday mornings and Monday/Wednesday afternoons.
    "Dra. Marina Costa": [(d, time(8), time(12)) for d in range(1, 6)] + [(0, time(13), time(18)),
                                                                       (2, time(13), time(18))],
    "Juliana (esteticista)": WEEK,
}
# name, minutes, buffer, price in cents, keywords, description, who does it
SERVICES = [
    ("Consulta dermatológica", 40, 10, 25000, "consulta, dermatologista, avaliação, médica, dermato",
     "Avaliação completa da pele com a Dra. Helena Prado.", ["Dra. Helena Prado", "Dra. Marina Costa"]),
    ("Limpeza de pele", 60, 0, 15000, "limpeza, pele, cravos, extração",
     "Limpeza profunda com extração e máscara calmante.", ["Juliana (esteticista)"]),
    ("Peeling químico", 45, 15, 32000, "peeling, manchas, acne, renovação",
     "Renovação da pele para manchas e textura; exige avaliação prévia.", ["Dra. Helena Prado", "Dra. Marina Costa"]),
    ("Aplicação de toxina botulínica", 30, 0, 120000, "botox, toxina, rugas, linhas de expressão",
     "Suaviza linhas de expressão; feita pela Dra. Helena.", ["Dra. Helena Prado"]),
]
# Fixed-date national holidays (month, day, name): the next one is closed in the demo.
HOLIDAYS = [(1, 1, "Confraternização Universal"), (4, 21, "Tiradentes"), (5, 1, "Dia do Trabalho"),
            (9, 7, "Independência do Brasil"), (10, 12, "Nossa Senhora Aparecida"), (11, 2, "Finados"),
            (11, 15, "Proclamação da República"), (11, 20, "Dia da Consciência Negra"), (12, 25, "Natal")]


def demo_calendar_ensure() -> None:
    """Create the demo professionals, services, weekly hours and the next holiday (idempotent)."""
    with transaction.atomic():
        people = {}
        for name, intervals in PROFESSIONALS.items():
            professional, created = Professional.objects.get_or_create(name=name)
            people[name] = professional
            if created or not professional.hours.exists():
                WorkingHours.objects.bulk_create(WorkingHours(professional=professional, weekday=d, start=s, end=e)
                                                 for d, s, e in intervals)
        for name, minutes, buffer, price, keywords, description, who in SERVICES:
            service, created = Service.objects.get_or_create(name=name, defaults={
                "duration_minutes": minutes, "buffer_minutes": buffer, "price_cents": price, "keywords": keywords,
                "description": description})
            if created:
                service.professionals.set([people[n] for n in who])
        _next_holiday_ensure()


def _next_holiday_ensure() -> None:
    tz = ZoneInfo(calendar_config().timezone)
    today = timezone.now().astimezone(tz).date()
    day, name = next_holiday(after=today)
    start = datetime.combine(day, time.min, tzinfo=tz)
    TimeOff.objects.get_or_create(professional=None, start=start,
                                  defaults={"end": start + timedelta(days=1), "reason": name})


def next_holiday(*, after: date) -> tuple[date, str]:
    """The first fixed national holiday after `after` (at least two days ahead, so today's slots stay)."""
    for year in (after.year, after.year + 1):
        for month, day, name in HOLIDAYS:
            candidate = date(year, month, day)
            if candidate > after + timedelta(days=1):
                return candidate, name
    raise AssertionError("unreachable")
