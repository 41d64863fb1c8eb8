"""Hand-built ExportData for the renderers' tests: a clinic's believable month, or nothing at all.

    data = export_sample(date(2026, 11, 1), date(2026, 11, 30))          # a busy month, seeded
    data = export_sample(date(2026, 11, 1), date(2026, 11, 30), empty=True)  # a company with no data
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analytics.exports.data import (
    Column,
    Day,
    ExportData,
    FunnelSlice,
    Kpi,
    Recommendation,
    funnel_steps,
    kpi_of,
    previous_period,
)
from analytics.reports.figures import FIGURES, empty_figures

SP = ZoneInfo("America/Sao_Paulo")
# The reports' own catalogue: the tests read the labels a customer reads.
CATALOGUE = tuple(Column(figure.key, figure.label, str(figure.kind)) for figure in FIGURES)
LONG_NAME = "Clínica Odontológica São João & Filhos – Ortodontia, Estética e Implantes (Unidade Três Corações)"


def busy_day(day: date, rng: random.Random, *, scale: float = 1.0) -> dict:
    """One day of a clinic open Monday to Saturday: every figure of the catalogue, consistent."""
    weekend = day.weekday() >= 5
    factor = scale * (0.35 if weekend else 1.0)
    messages_in = int(rng.randint(140, 260) * factor)
    conversations = int(rng.randint(28, 46) * factor)
    unique = max(0, conversations - rng.randint(0, 4))
    new = int(unique * rng.uniform(0.2, 0.4))
    handoffs = min(conversations, rng.randint(0, 5))
    bookings = int(rng.randint(6, 16) * factor)
    chat = int(bookings * 0.6)
    panel = int(bookings * 0.25)
    calcom = rng.randint(0, bookings - chat - panel)
    attendances = int(bookings * rng.uniform(0.7, 0.95))
    no_shows = rng.randint(0, 3) if bookings else 0
    tokens = int(rng.randint(20_000, 60_000) * factor)
    cost = round(tokens * 0.0075)
    return {
        "messages_in": messages_in, "messages_out": int(messages_in * rng.uniform(1.05, 1.3)),
        "conversations_opened": conversations, "contacts_unique": unique, "contacts_new": new,
        "contacts_returning": unique - new,
        "first_reply_p50_s": rng.randint(3, 14) if conversations else None,
        "first_reply_p90_s": rng.randint(25, 240) if conversations else None,
        "handoffs": handoffs, "handoff_rate": handoffs / conversations if conversations else None,
        "staff_response_p50_s": rng.randint(240, 5400) if handoffs else None,
        "bookings": bookings, "bookings_chat": chat, "bookings_panel": panel,
        "bookings_api": bookings - chat - panel - calcom, "bookings_calcom": calcom,
        "reschedules": rng.randint(0, 3), "cancellations": rng.randint(0, 2),
        "attendances": attendances, "no_shows": no_shows,
        "no_show_rate": no_shows / (attendances + no_shows) if attendances + no_shows else None,
        "bookings_waitlist": 0, "booking_intents": int(conversations * 0.55),
        "slots_offered": int(conversations * 0.45), "reminders_sent": bookings, "reminders_answered": bookings // 2,
        "reminders_confirmed": bookings // 3,
        "followup_score_avg": round(rng.uniform(7.5, 10), 2) if attendances else None,
        "nps": rng.choice([None, 40, 55, 62.5, 71, 80]) if attendances else None,
        "ai_tokens": tokens, "ai_cost_cents": cost,
        "cost_per_booking_cents": round(cost / bookings) if bookings else None,
        "quota_messages_ratio": min(1.0, 0.02 * day.day), "quota_ai_tokens_ratio": min(1.0, 0.025 * day.day),
        "quota_outreach_ratio": min(1.0, 0.01 * day.day),
    }


def empty_day() -> dict:
    return empty_figures()


def days_between(date_from: date, date_to: date, *, empty: bool, seed: int, scale: float = 1.0) -> list[Day]:
    rng = random.Random(seed)
    count = (date_to - date_from).days + 1
    return [Day(day=day, figures=empty_day() if empty else busy_day(day, rng, scale=scale))
            for day in (date_from + timedelta(days=n) for n in range(count))]


RECOMMENDATIONS = (
    Recommendation("12 clientes não voltam há 90 dias", "Clientes que não voltam · dias: 90 · clientes: 12", "nova"),
    Recommendation("Terça-feira às 14h: 5 de 11 agendamentos com falta (45 %) nos últimos 90 dias",
                   "Horário com muitas faltas · agendamentos: 11 · faltas: 5 · taxa: 45,5 %", "nova"),
    Recommendation("Clareamento dental: 7 clientes perguntaram nos últimos 30 dias e ninguém agendou",
                   "Serviço procurado e não agendado · clientes que perguntaram: 7", "nova"),
)


def kpis_from_days(columns: tuple[Column, ...], days: list[Day], previous: list[Day]) -> tuple[Kpi, ...]:
    """Believable KPIs for test data: counts and money summed, the rest the mean of the days that have one
    (the real export combines the reports' parts exactly; the renderers only print what they get)."""
    def total(column: Column, rows: list[Day]):
        values = [row.figures.get(column.key) for row in rows]
        if column.kind in ("count", "brl_cents"):
            return sum(value or 0 for value in values)
        present = [value for value in values if value is not None]
        return sum(present) / len(present) if present else None

    return tuple(kpi_of(column, total(column, days), total(column, previous)) for column in columns)


def export_sample(date_from: date, date_to: date, *, name: str = "Clínica Sorriso", slug: str = "acme",
                  empty: bool = False, seed: int = 11) -> ExportData:
    days = days_between(date_from, date_to, empty=empty, seed=seed)
    previous_from, previous_to = previous_period(date_from=date_from, date_to=date_to)
    previous = days_between(previous_from, previous_to, empty=empty, seed=seed + 1, scale=0.85)
    totals = {key: sum(day.figures[key] for day in days) for key in ("conversations_opened", "bookings",
                                                                        "attendances", "no_shows")}
    steps = [("conversations", "Conversas", totals["conversations_opened"]),
             ("intent", "Intenção de agendar", int(totals["conversations_opened"] * 0.55)),
             ("offered", "Horários oferecidos", int(totals["conversations_opened"] * 0.45)),
             ("booked", "Agendados", totals["bookings"]),
             ("attended", "Compareceram", totals["attendances"])]
    reminders = [("sent", "Lembretes enviados", int(totals["bookings"] * 0.9)),
                 ("answered", "Respondidos", int(totals["bookings"] * 0.6)),
                 ("confirmed", "Confirmados", int(totals["bookings"] * 0.5)),
                 ("attended", "Compareceram", int(totals["attendances"] * 0.55))]
    services = ("Limpeza e profilaxia", "Clareamento dental", "=HYPERLINK(\"http://x\")")
    return ExportData(
        company_name=name, company_slug=slug, timezone="America/Sao_Paulo",
        date_from=date_from, date_to=date_to, previous_from=previous_from, previous_to=previous_to,
        generated_at=datetime.combine(date_to + timedelta(days=1), time(8, 5), tzinfo=SP),
        columns=CATALOGUE, days=tuple(days), kpis=kpis_from_days(CATALOGUE, days, previous),
        funnel=funnel_steps(steps), reminders=funnel_steps(reminders),
        by_service=tuple(FunnelSlice(service, funnel_steps([(k, label, count // (n + 2)) for k, label, count in steps]))
                         for n, service in enumerate(services)),
        by_professional=(FunnelSlice("Dra. Patrícia Nogueira", funnel_steps(steps)),),
        recommendations=() if empty else RECOMMENDATIONS,
    )


def one_day(day: date, **figures) -> ExportData:
    """A one-day export whose figures are empty_day() but for `figures`."""
    row = Day(day=day, figures={**empty_day(), **figures})
    previous = Day(day=day - timedelta(days=1), figures=empty_day())
    return ExportData(
        company_name="Clínica Sorriso", company_slug="acme", timezone="America/Sao_Paulo",
        date_from=day, date_to=day, previous_from=previous.day, previous_to=previous.day,
        generated_at=datetime.combine(day, time(18), tzinfo=SP), columns=CATALOGUE, days=(row,),
        kpis=kpis_from_days(CATALOGUE, [row], [previous]),
    )
