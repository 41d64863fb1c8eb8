"""No-show risk of upcoming appointments, from the company's own history. A transparent model.

Start from the company's no-show rate p0 (smoothed towards 15 % while history is thin).
Each factor of the appointment — weekday, hour, lead time (booking -> start), the contact
and whether it was confirmed — has a history rate for its value, pulled towards p0 by a
Beta prior worth `k` appointments: rate = (no_shows + k·p0) / (seen + k). With little
history a factor says nothing; with plenty it says what the data says. The effects add up
in log-odds (naive-Bayes style), weekday and hour at half weight each because they overlap
(a business's Monday mornings are both "Monday" and "8h"):

    logit(risk) = logit(p0) + Σ weight_factor · [logit(rate_factor) − logit(p0)]

Every term is stored in `Appointment.risk_factors`, so the staff can see why an
appointment is risky. Confirmation has an informed prior (a confirmed appointment is
assumed to be missed half as often until the history says otherwise), so a confirmed
reminder lowers the risk from the first day.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from agenda.models import Appointment, Reminder
from agenda.services.config import calendar_config
from secretaria.observability.metrics import RISK_HIGH
from secretaria.ptbr import WEEKDAYS

Status = Appointment.Status
PRIOR_RATE = 0.15  # typical no-show rate of small businesses, before the company has history
PRIOR_WEIGHT = 5  # appointments' worth of belief in PRIOR_RATE for the base rate (small: factor rates lean on it)
SMOOTHING = {"weekday": 8, "hour": 8, "lead": 8, "contact": 2, "confirmed": 8}
WEIGHT = {"weekday": 0.5, "hour": 0.5, "lead": 1.0, "contact": 1.0, "confirmed": 1.0}
CONFIRMED_PRIOR_RATIO = 0.5
HISTORY_DAYS = 180
HORIZON_DAYS = 7
HIGH_RISK_LEAD = timedelta(hours=3)  # the extra reminder, before the usual 1 h one
HIGH_RISK_MIN_NOTICE = timedelta(minutes=90)  # closer than this, the 1 h reminder is about to go anyway
LEAD_BUCKETS = [(1, "até 1 dia"), (3, "1 a 3 dias"), (7, "3 a 7 dias"), (14, "7 a 14 dias"), (None, "mais de 14 dias")]
_EPS = 1e-4


@dataclass
class RiskModel:
    """The history, counted: base rate and (no_shows, seen) per factor value."""

    base: float
    counts: dict[str, dict] = field(default_factory=dict)  # factor -> value -> [no_shows, seen]

    def rate(self, factor: str, value) -> tuple[float, int]:
        no_shows, seen = self.counts.get(factor, {}).get(value, (0, 0))
        target = self.base * (CONFIRMED_PRIOR_RATIO if factor == "confirmed" and value else 1.0)
        k = SMOOTHING[factor]
        return (no_shows + k * target) / (seen + k), seen


def logit(p: float) -> float:
    p = min(max(p, _EPS), 1 - _EPS)
    return math.log(p / (1 - p))


def lead_bucket(lead: timedelta) -> str:
    days = lead.total_seconds() / 86400
    return next(label for limit, label in LEAD_BUCKETS if limit is None or days < limit)


def features(*, start: datetime, created_at: datetime, contact_id: int, confirmed: bool, tz: ZoneInfo) -> dict:
    local = start.astimezone(tz)
    return {"weekday": local.weekday(), "hour": local.hour, "lead": lead_bucket(start - created_at),
            "contact": contact_id, "confirmed": confirmed}


def risk_model_build(*, now: datetime | None = None) -> RiskModel:
    """Count the last HISTORY_DAYS of attended and missed appointments (one query)."""
    now = now or timezone.now()
    tz = ZoneInfo(calendar_config().timezone)
    rows = Appointment.objects.filter(status__in=(Status.ATTENDED, Status.NO_SHOW), start__lt=now,
                                      start__gte=now - timedelta(days=HISTORY_DAYS)).values_list(
        "start", "created_at", "contact_id", "confirmed_at", "status")
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    total = missed = 0
    for start, created_at, contact_id, confirmed_at, status in rows.iterator(chunk_size=2000):
        no_show = status == Status.NO_SHOW
        total, missed = total + 1, missed + no_show
        for factor, value in features(start=start, created_at=created_at, contact_id=contact_id,
                                      confirmed=confirmed_at is not None, tz=tz).items():
            counts[factor][value][0] += no_show
            counts[factor][value][1] += 1
    base = (missed + PRIOR_WEIGHT * PRIOR_RATE) / (total + PRIOR_WEIGHT)
    return RiskModel(base=base, counts={factor: dict(values) for factor, values in counts.items()})


def risk_score(*, model: RiskModel, appointment: Appointment, tz: ZoneInfo) -> tuple[float, dict]:
    """(risk in [0, 1], the factors behind it) for one appointment."""
    feats = features(start=appointment.start, created_at=appointment.created_at, contact_id=appointment.contact_id,
                     confirmed=appointment.confirmed_at is not None or appointment.status == Status.CONFIRMED, tz=tz)
    total = logit(model.base)
    explained = []
    for factor, value in feats.items():
        rate, seen = model.rate(factor, value)
        effect = WEIGHT[factor] * (logit(rate) - logit(model.base))
        total += effect
        explained.append({"factor": factor, "value": _label(factor, value), "seen": seen,
                          "rate": round(rate, 3), "effect": round(effect, 3)})
    risk = round(1 / (1 + math.exp(-total)), 3)
    return risk, {"base_rate": round(model.base, 3), "factors": explained}


def _label(factor: str, value) -> str | int | bool:
    """Readable values for the staff (the contact stays an id)."""
    if factor == "weekday":
        return WEEKDAYS[value]
    if factor == "hour":
        return f"{value}h"
    return value


def appointments_score_upcoming(*, now: datetime | None = None) -> int:
    """Score the active appointments of the next HORIZON_DAYS; high risk gets an extra reminder.

    Returns how many were scored. Safe to run again: scores are overwritten, the extra
    reminder and the RISK_HIGH count happen once per appointment.
    """
    now = now or timezone.now()
    config = calendar_config()
    tz = ZoneInfo(config.timezone)
    model = risk_model_build(now=now)
    upcoming = list(Appointment.objects.filter(status__in=Appointment.ACTIVE, start__gt=now,
                                               start__lte=now + timedelta(days=HORIZON_DAYS)))
    for appointment in upcoming:
        appointment.risk_score, appointment.risk_factors = risk_score(model=model, appointment=appointment, tz=tz)
    # bulk_update leaves updated_at alone: a new score is not a change of the appointment.
    Appointment.objects.bulk_update(upcoming, ["risk_score", "risk_factors"], batch_size=500)
    high = [a for a in upcoming if a.risk_score >= config.high_risk_threshold]
    _remind_high_risk(high, now)
    return len(upcoming)


def extra_reminder_plan(*, appointment: Appointment, now: datetime) -> bool:
    """The extra confirmation reminder (kind high_risk, up to 3 h before) for one appointment, once ever;
    False when it already has one or starts too soon. Also what analytics' no-show recommendation plans."""
    if appointment.start - now < HIGH_RISK_MIN_NOTICE:
        return False
    if Reminder.objects.filter(appointment=appointment, kind=Reminder.Kind.HIGH_RISK).exclude(
            state=Reminder.State.CANCELLED).exists():
        return False
    # Whole minutes before the start, so the send's "unchanged?" check (due = start - offset) holds.
    offset = min(int(HIGH_RISK_LEAD.total_seconds() // 60), int((appointment.start - now).total_seconds() // 60))
    _, created = Reminder.objects.get_or_create(appointment=appointment, kind=Reminder.Kind.HIGH_RISK,
                                                due_at=appointment.start - timedelta(minutes=offset),
                                                defaults={"offset_minutes": offset})
    return created


def _remind_high_risk(appointments: list[Appointment], now: datetime) -> int:
    """One extra reminder (kind high_risk, 3 h before) per high-risk appointment, ever."""
    created = sum(extra_reminder_plan(appointment=appointment, now=now) for appointment in appointments)
    if created:
        transaction.on_commit(lambda: RISK_HIGH.inc(created))
    return created
