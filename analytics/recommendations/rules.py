"""What the daily run looks for: one function per kind, reading the company's rows, returning findings.

A rule only reads. Each `Finding` is a situation told in numbers (title) and as data (evidence);
`services.recommendations_compute` turns findings into rows, once per kind and subject.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Q

from agenda.models import Appointment
from agenda.selectors import service_catalogue
from agenda.services.config import calendar_config
from analytics.recommendations.models import Recommendation
from conversations.assistant.catalogue import services_named
from conversations.core.handoff import handoffs_without_answer
from conversations.models import CompanyProfile, Contact, Message
from secretaria.ptbr import WEEKDAYS

Kind = Recommendation.Kind
REACTIVATION = "reactivation"  # the outreach kind of the reactivation message (accept of INACTIVE_CONTACTS)
MAX_IDS = 500  # ids kept in the evidence (the action acts on these; the title counts them all)
MAX_SLOTS = 5  # slots with many no-shows recommended at once, the worst first


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    title: str
    importance: int
    evidence: dict = field(default_factory=dict)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


# --- 1. Contacts who stopped coming ------------------------------------------------------------

def inactive_contacts(*, now: datetime) -> list[Finding]:
    """Contacts whose last attended visit is more than N days old, with no appointment since.

    Never opted-out or erased contacts, nor those who got a reactivation message in the last N
    days (they were asked already: the situation is theirs to answer).
    """
    days = settings.ANALYTICS_RECS_INACTIVE_DAYS
    contacts = inactive_contacts_query(now=now, days=days)
    count = contacts.count()
    if count < settings.ANALYTICS_RECS_INACTIVE_MIN_CONTACTS:
        return []
    ids = list(contacts.order_by("last_visit", "pk").values_list("pk", flat=True)[:MAX_IDS])
    oldest = contacts.order_by("last_visit").values_list("last_visit", flat=True).first()
    tz = ZoneInfo(calendar_config().timezone)
    title = f"{_plural(count, 'cliente não volta', 'clientes não voltam')} há {days} dias"
    return [Finding(kind=Kind.INACTIVE_CONTACTS, subject=f"days:{days}", title=title,
                    importance=min(100, 40 + count),
                    evidence={"days": days, "count": count, "contact_ids": ids,
                              "oldest_visit": oldest.astimezone(tz).date().isoformat()})]


def inactive_contacts_query(*, now: datetime, days: int):
    """Contacts (annotated `last_visit`) who have not come back for `days` days and may be written to."""
    since = now - timedelta(days=days)
    asked = Message.objects.filter(contact=OuterRef("pk"), direction=Message.Direction.OUT,
                                   payload__outreach=REACTIVATION, created_at__gte=since)
    # "None since": the contact's latest appointment of any status is that last attended visit.
    return (Contact.objects.filter(opted_out_at__isnull=True, erased_at__isnull=True)
            .filter(~Exists(asked))
            .annotate(last_visit=Max("appointments__start",
                                     filter=Q(appointments__status=Appointment.Status.ATTENDED)),
                      last_booking=Max("appointments__start"))
            .filter(last_visit__lt=since, last_booking=F("last_visit")))


# --- 2. Hours with many no-shows -----------------------------------------------------------------

def noshow_slots(*, now: datetime) -> list[Finding]:
    """Weekday × hour slots (company time) whose past appointments were missed too often."""
    window = settings.ANALYTICS_RECS_NOSHOW_WINDOW_DAYS
    min_sample = settings.ANALYTICS_RECS_NOSHOW_MIN_SAMPLE
    threshold = settings.ANALYTICS_RECS_NOSHOW_RATE
    tz = ZoneInfo(calendar_config().timezone)
    seen: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])  # slot -> [total, no-shows]
    finished = Appointment.objects.filter(
        start__gte=now - timedelta(days=window), start__lt=now,
        status__in=(Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW))
    for start, status in finished.values_list("start", "status"):
        local = start.astimezone(tz)
        counts = seen[(local.weekday(), local.hour)]
        counts[0] += 1
        counts[1] += status == Appointment.Status.NO_SHOW
    bad = [(missed / total, total, missed, weekday, hour) for (weekday, hour), (total, missed) in seen.items()
           if total >= min_sample and missed / total >= threshold]
    # The worst few only: a list of every slot would read as noise, not as a next action.
    worst = sorted(bad, key=lambda slot: (-slot[0], -slot[1], slot[3], slot[4]))[:MAX_SLOTS]
    return [_noshow_finding(weekday, hour, total, missed, rate, window) for rate, total, missed, weekday, hour in worst]


def _noshow_finding(weekday: int, hour: int, total: int, missed: int, rate: float, window: int) -> Finding:
    percent = round(rate * 100)
    title = (f"{WEEKDAYS[weekday].capitalize()} às {hour}h: {missed} de {total} agendamentos com falta "
             f"({percent} %) nos últimos {window} dias")
    return Finding(kind=Kind.NOSHOW_SLOT, subject=f"slot:{weekday}:{hour}", title=title, importance=percent,
                   evidence={"weekday": weekday, "hour": hour, "total": total, "no_shows": missed,
                             "rate": round(rate, 3), "window_days": window})


# --- 3. Handoffs past their SLA ------------------------------------------------------------------

def handoffs_late(*, now: datetime) -> list[Finding]:
    """Conversations handed to the staff longer ago than the company's timeout, still unanswered."""
    profile = CompanyProfile.objects.filter(singleton=1).first() or CompanyProfile()
    sla = profile.handoff_timeout_minutes
    waiting = list(handoffs_without_answer(minutes=sla, now=now).values_list("pk", "handoff_at")[:MAX_IDS])
    if not waiting:
        return []
    oldest = min(at for _, at in waiting)
    oldest_minutes = int((now - oldest).total_seconds() // 60)
    count = len(waiting)
    title = (f"{_plural(count, 'conversa aguarda', 'conversas aguardam')} a equipe há mais de {sla} minutos "
             f"(a mais antiga há {_duration(oldest_minutes)})")
    return [Finding(kind=Kind.HANDOFF_SLA, subject="waiting", title=title, importance=90,
                    evidence={"count": count, "sla_minutes": sla, "conversation_ids": [pk for pk, _ in waiting],
                              "oldest_since": oldest.isoformat(), "oldest_minutes": oldest_minutes})]


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


# --- 4. Services asked about and never booked ----------------------------------------------------

def services_unbooked(*, now: datetime) -> list[Finding]:
    """Services the customers' own words named, by enough people, with no booking in the window.

    The pipeline records no "service asked" fact (the engine's `Turn.service_id` is not stored), so
    this reads the best real signal: the inbound messages' texts, matched against the catalogue
    with the engine's own matcher (`services_named`: names, keywords, typos forgiven).
    """
    window = settings.ANALYTICS_RECS_SERVICE_WINDOW_DAYS
    since = now - timedelta(days=window)
    catalogue = service_catalogue()
    if not catalogue:
        return []
    asked = _services_asked(catalogue, since)
    booked = set(Appointment.objects.filter(created_at__gte=since, service__isnull=False)
                 .values_list("service_id", flat=True).distinct())
    names = {item.id: item.name for item in catalogue}
    minimum = settings.ANALYTICS_RECS_SERVICE_MIN_ASKS
    return [_service_finding(service_id, names[service_id], contacts, window)
            for service_id, contacts in sorted(asked.items())
            if len(contacts) >= minimum and service_id not in booked]


def _services_asked(catalogue: list, since: datetime) -> dict[int, set[int]]:
    """service id -> contacts whose inbound texts named it since `since` (the newest messages first, capped)."""
    limit = settings.ANALYTICS_RECS_SERVICE_SCAN_LIMIT
    texts = (Message.objects.filter(direction=Message.Direction.IN, created_at__gte=since)
             .exclude(text="").order_by("-created_at").values_list("contact_id", "text")[:limit])
    asked: dict[int, set[int]] = defaultdict(set)
    named: dict[str, int | None] = {}  # text -> its best service: greetings and thanks repeat a lot
    for contact_id, text in texts:
        if text not in named:
            best = services_named(catalogue, text)[:1]  # the best match: one service per message
            named[text] = best[0].id if best else None
        if named[text] is not None:
            asked[named[text]].add(contact_id)
    return asked


def _service_finding(service_id: int, name: str, contacts: set[int], window: int) -> Finding:
    count = len(contacts)
    title = (f"{name}: {_plural(count, 'cliente perguntou', 'clientes perguntaram')} nos últimos {window} dias "
             f"e ninguém agendou")
    return Finding(kind=Kind.SERVICE_UNBOOKED, subject=f"service:{service_id}", title=title,
                   importance=min(80, 30 + 5 * count),
                   evidence={"service_id": service_id, "service": name, "asked_contacts": count, "bookings": 0,
                             "window_days": window, "contact_ids": sorted(contacts)[:MAX_IDS]})


# Kind -> its rule, in the order the daily run applies them.
RULES = {Kind.INACTIVE_CONTACTS: inactive_contacts, Kind.NOSHOW_SLOT: noshow_slots, Kind.HANDOFF_SLA: handoffs_late,
         Kind.SERVICE_UNBOOKED: services_unbooked}
