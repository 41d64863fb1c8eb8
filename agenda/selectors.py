"""Reads of the agenda: services, professionals, appointments."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from agenda.models import Appointment, Professional, Service
from conversations.assistant.catalogue import CatalogueItem, services_named
from secretaria.ptbr import fold


def services_active() -> list[Service]:
    return list(Service.objects.filter(is_active=True).order_by("name"))


def service_catalogue() -> list[CatalogueItem]:
    """The active services as the assistant quotes them (registered in AgendaConfig.ready())."""
    services = Service.objects.filter(is_active=True).order_by("name").prefetch_related(
        Prefetch("professionals", queryset=Professional.objects.filter(is_active=True).order_by("name")))
    return [CatalogueItem(id=s.pk, name=s.name, description=s.description, keywords=s.keywords,
                          price_cents=s.price_cents, duration_minutes=s.duration_minutes,
                          professionals=tuple(p.name for p in s.professionals.all()))
            for s in services]


def service_match(*, text: str) -> Service | None:
    """The active service the customer's words name ("quero fazer uma limpeza" -> Limpeza de pele).

    Accent- and case-insensitive; a service whose full name appears wins over a keyword,
    and among keywords the longest (most specific) match wins; failing those, a name or keyword
    with a typo (catalogue.services_named).
    """
    words = _fold(text)
    if not words:
        return None
    best: tuple[int, Service] | None = None
    for service in services_active():
        score = 0
        name = _fold(service.name)
        if name and _contains(words, name):
            score = 1000 + len(name)
        else:
            for keyword in filter(None, (_fold(k) for k in service.keywords.split(","))):
                if _contains(words, keyword):
                    score = max(score, len(keyword))
        if score and (best is None or score > best[0]):
            best = (score, service)
    if best:
        return best[1]
    # Nothing word for word: the name as typed on WhatsApp ("agnd uma cnsulta", "limpesa de pele").
    named = services_named(service_catalogue(), text)
    return Service.objects.filter(pk=named[0].id, is_active=True).first() if named else None


def appointments_upcoming(*, contact) -> list[Appointment]:
    """The contact's active appointments still ahead, soonest first."""
    return list(Appointment.objects.filter(contact=contact, status__in=Appointment.ACTIVE, start__gt=timezone.now())
                .select_related("service", "professional").order_by("start"))


def appointment_list(*, date_from: date | datetime | None = None, date_to: date | datetime | None = None,
                     contact_id: int | None = None, status: str | list[str] | None = None) -> QuerySet[Appointment]:
    """Appointments filtered for the API and the admin. Dates are inclusive local days (or exact datetimes)."""
    rows = Appointment.objects.select_related("contact", "service", "professional").order_by("start")
    if date_from is not None:
        rows = rows.filter(**({"start__gte": date_from} if isinstance(date_from, datetime)
                              else {"start__date__gte": date_from}))
    if date_to is not None:
        rows = rows.filter(**({"start__lte": date_to} if isinstance(date_to, datetime)
                              else {"start__date__lte": date_to}))
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    if status:
        rows = rows.filter(status__in=[status] if isinstance(status, str) else list(status))
    return rows


def _fold(text: str) -> str:
    """The words only: "Limpeza de Pele!" -> "limpeza de pele"."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def _contains(words: str, phrase: str) -> bool:
    return f" {phrase} " in f" {words} "
