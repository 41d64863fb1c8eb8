"""The daily scheduling AI: what the last 90 days say about the company's hours.

One run per company per day (beat, through the tenant dispatcher): attendance by weekday ×
hour, the best and worst slots, a short recommendation in Portuguese, the no-show risk of
upcoming appointments (with extra reminders for the risky ones) and, when the company wants
it, rebooking offers to recent no-shows that got none. Every run is kept as a row.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from django.utils import timezone

from agenda.models import Appointment, SchedulingInsight
from agenda.services.config import calendar_config
from agenda.services.noshows import no_shows_auto_reschedule
from agenda.services.risk import appointments_score_upcoming
from secretaria.observability.metrics import AGENDA_OPTIMIZATION_RUNS
from secretaria.ptbr import WEEKDAYS

log = structlog.get_logger(__name__)

Status = Appointment.Status
PERIOD_DAYS = 90
MIN_SAMPLE = 5  # appointments a weekday × hour needs before we call it good or bad
TOP = 3


def scheduling_ai_run(*, now: datetime | None = None) -> SchedulingInsight:
    try:
        insight = _run(now or timezone.now())
    except Exception:
        AGENDA_OPTIMIZATION_RUNS.labels(outcome="error").inc()
        raise
    AGENDA_OPTIMIZATION_RUNS.labels(outcome="ok").inc()
    return insight


def _run(now: datetime) -> SchedulingInsight:
    config = calendar_config()
    tz = ZoneInfo(config.timezone)
    since = now - timedelta(days=PERIOD_DAYS)
    heatmap, attended, total = attendance_heatmap(since=since, until=now, tz=tz)
    rate = attended / total if total else None
    best, worst = slots_ranked(heatmap, rate)
    appointments_score_upcoming(now=now)
    high_risk = Appointment.objects.filter(status__in=Appointment.ACTIVE, start__gt=now,
                                           risk_score__gte=config.high_risk_threshold).count()
    if config.auto_reschedule_no_shows:
        offers = no_shows_auto_reschedule(now=now)
        log.info("no_shows_offered", offers=offers)
    return SchedulingInsight.objects.create(
        period_start=since.astimezone(tz).date(), period_end=now.astimezone(tz).date(),
        appointments_analyzed=total, attendance_rate=rate, heatmap=heatmap, best_slots=best, worst_slots=worst,
        high_risk_count=high_risk, recommendation=recommendation(rate=rate, total=total, best=best, worst=worst,
                                                                 high_risk=high_risk))


def attendance_heatmap(*, since: datetime, until: datetime, tz: ZoneInfo) -> tuple[dict, int, int]:
    """{"<weekday 0=Mon>": {"<hour>": {"n", "attended", "no_show", "rate"}}}, attended, total."""
    cells: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = Appointment.objects.filter(status__in=(Status.ATTENDED, Status.NO_SHOW), start__gte=since,
                                      start__lt=until).values_list("start", "status")
    for start, status in rows.iterator(chunk_size=2000):
        local = start.astimezone(tz)
        cells[local.weekday()][local.hour][0 if status == Status.ATTENDED else 1] += 1
    heatmap, attended, total = {}, 0, 0
    for weekday, hours in sorted(cells.items()):
        heatmap[str(weekday)] = {}
        for hour, (came, missed) in sorted(hours.items()):
            heatmap[str(weekday)][str(hour)] = {"n": came + missed, "attended": came, "no_show": missed,
                                                "rate": round(came / (came + missed), 3)}
            attended, total = attended + came, total + came + missed
    return heatmap, attended, total


def slots_ranked(heatmap: dict, overall: float | None) -> tuple[list[dict], list[dict]]:
    """Up to TOP weekday × hour cells above the company's attendance (best) and below it (worst),
    among those with MIN_SAMPLE appointments."""
    cells = [{"weekday": int(weekday), "weekday_name": WEEKDAYS[int(weekday)], "hour": int(hour),
              "n": cell["n"], "rate": cell["rate"]}
             for weekday, hours in heatmap.items() for hour, cell in hours.items() if cell["n"] >= MIN_SAMPLE]
    best = sorted((c for c in cells if c["rate"] >= overall), key=lambda c: (-c["rate"], -c["n"]))[:TOP]
    worst = sorted((c for c in cells if c["rate"] < overall), key=lambda c: (c["rate"], -c["n"]))[:TOP]
    return best, worst


def recommendation(*, rate: float | None, total: int, best: list[dict], worst: list[dict], high_risk: int) -> str:
    """A few sentences in Portuguese for the staff."""
    if not total:
        return ("Ainda não há atendimentos concluídos nos últimos 90 dias para analisar. Marque na agenda quem "
                "compareceu e quem faltou para receber recomendações de horários.")
    parts = [f"Comparecimento de {rate:.0%} nos últimos 90 dias ({total} atendimentos)."]
    if not best and not worst:
        parts.append(f"Ainda há poucos atendimentos por horário (mínimo de {MIN_SAMPLE}) para comparar dias e "
                     "horas.")
    if best:
        parts.append(f"Horários com mais presença: {_list(best)}.")
    if worst:
        parts.append(f"Mais faltas em {_list(worst)}: vale reforçar os lembretes nesses horários ou oferecê-los "
                     "a clientes que costumam comparecer.")
    if high_risk:
        parts.append(f"{high_risk} agendamento(s) dos próximos dias com risco alto de falta recebem um lembrete "
                     "extra.")
    return " ".join(parts)


def _list(cells: list[dict]) -> str:
    names = [f"{c['weekday_name']} às {c['hour']}h ({c['rate']:.0%})" for c in cells]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " e " + names[-1]
