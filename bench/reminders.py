"""The reminder scenario: many companies, a thousand appointments each, one beat cycle measured.

Issue 4, acceptance 4: with 100 companies x 1,000 appointments, how long does one beat
cycle take to find and enqueue every due reminder (goal <= 60 s), and how fast are the
reminders then sent?

One run:

1. **Companies** `rbench-001`... are provisioned once (cloned from the template schema, like
   any company) and kept between runs; those beyond `--companies` are suspended so the
   dispatcher skips them. Each company's channel is Whaticket at the fake channel server.
2. **Seed** (every run, per company, in bulk): the company's agenda and conversation tables
   are emptied; one service, `--professionals` professionals, one contact per appointment
   (phones `55119CCCNNNNN`: company CCC, appointment NNNNN, so every arrival at the fake
   channel names its company and appointment), and `--appointments` pending appointments:
   - `--due` of them start within the next hour: their 1 h reminder is due, its `due_at`
     spread over the last `--backlog` minutes (a beat that was down for a while, or the
     first cycle after a deploy); their 24 h reminder was sent yesterday (state `sent`);
   - the rest on a 30-minute grid, 08:00-18:00 Monday to Saturday, from 26 h ahead on:
     both reminders (24 h and 1 h) pending and due at least 2 h after the seed.
   Reminder rows are what `agenda.services.reminders.reminders_plan` writes: kind
   `scheduled`, `due_at = start - offset`, state `pending`.
3. **One beat cycle**: beat is not run (it would fire at an arbitrary moment of the seed);
   the bench does what beat's `tenants.dispatch_periodic` task does, calling
   `tenants.dispatch.periodic_dispatch(cadence="minute")`, which sends every per-minute task
   (`agenda.reminders_due` among them, with its 0-5 s jitter) once per active company. Then
   the worker does the rest on its own: the per-company scan enqueues the due reminders,
   `agenda.reminder_send` sends each one through the outbox to the fake channel.
4. **Watch** PostgreSQL (one UNION ALL query over every company's schema a second) and the
   fake channel until every due reminder is sent and has arrived, or nothing moves for
   `--stall` seconds, or `--cycle-max` seconds passed.

Figures: time from the dispatch to the moment no due reminder is left `pending` (and from
`claimed_at` when the scan sets it); the scan's own duration per company
(`secretaria_task_latency_seconds{task="agenda.reminders_due"}` from the worker's metrics
files: one observation per company); reminders sent per second/minute (arrivals at the fake
channel); lost (a due reminder not sent, or sent and never arrived), duplicated (more than
one arrival or outbox row per due reminder), not-due reminders touched (must be 0); worker
RSS and CPU.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.load import Sampler, channel_records, figures_save, fmt, get_json, percentile, table
from bench.stack import CHANNEL_TOKEN, BenchStack, say

SLUG_PREFIX = "rbench-"
GOAL_CYCLE_S = 60.0
PASS_RSS_MIB = 200
TASK_SCAN = "agenda.reminders_due"
TASK_SEND = "agenda.reminder_send"
REMINDER_KEY_PREFIX = "reminder:"


@dataclass
class ReminderOptions:
    companies: int = 100
    appointments: int = 1000
    due: int = 100  # per company
    backlog_minutes: float = 10.0
    professionals: int = 2
    cycle_max: float = 900.0
    stall: float = 120.0
    seed_only: bool = False
    json_path: Path | None = None


@dataclass
class CompanySeed:
    slug: str
    schema: str
    index: int
    due_ids: list[int] = field(default_factory=list)  # reminder ids due in the measured cycle
    due_phones: dict[int, str] = field(default_factory=dict)  # reminder id -> contact phone
    not_due: int = 0  # reminders pending and due later
    historic_sent: int = 0  # 24 h reminders "sent yesterday"
    appointments: int = 0


def run(stack: BenchStack, options: ReminderOptions) -> dict:
    companies = companies_ensure(stack, options.companies)
    started = time.perf_counter()
    seed_now = _now()
    seeds = [seed_company(company, index=i + 1, options=options, now=seed_now)
             for i, company in enumerate(companies)]
    seed_seconds = time.perf_counter() - started
    total_due = sum(len(s.due_ids) for s in seeds)
    say(f"seeded {len(seeds)} companies in {seed_seconds:.1f}s: {sum(s.appointments for s in seeds):,} "
        f"appointments, {total_due:,} reminders due now, {sum(s.not_due for s in seeds):,} due later")
    if options.seed_only:
        figures = {"scenario": "reminders (seed only)", "seed_seconds": seed_seconds,
                   "seed": seed_check(seeds, seed_now)}
        print(table([(k, str(v)) for k, v in figures["seed"].items()], "Seed check"), flush=True)
        return figures
    _require_agenda_tasks()
    stack.reset_data()  # the fake channel's records and the bench company's messages
    sampler = Sampler(stack.process_groups())
    sampler.start()
    try:
        cycle = measure(stack, seeds, options, seed_now=seed_now)
    finally:
        sampler.stop()
    figures = analyse(stack=stack, seeds=seeds, cycle=cycle, sampler=sampler, options=options,
                      seed_seconds=seed_seconds, seed_now=seed_now)
    print(report(figures), flush=True)
    say(f"figures written to {figures_save(figures, options.json_path or stack.options.bench_dir / 'last.json')}")
    return figures


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def _require_agenda_tasks() -> None:
    from celery_app import app

    app.loader.import_default_modules()
    missing = [name for name in (TASK_SCAN, TASK_SEND) if name not in app.tasks]
    if missing:
        raise SystemExit(f"the agenda tasks do not exist yet ({', '.join(missing)}): "
                         "only --seed-only can run")


# --- companies ------------------------------------------------------------------------

def companies_ensure(stack: BenchStack, count: int) -> list:
    """`rbench-001`..`rbench-<count>` provisioned and active, every other `rbench-*` suspended."""
    from django_tenants.utils import tenant_context

    from conversations.channels.services import channel_configure
    from tenants.models import Company
    from tenants.services import company_provision, company_set_status

    wanted = [f"{SLUG_PREFIX}{i:03d}" for i in range(1, count + 1)]
    existing = {c.slug: c for c in Company.objects.filter(slug__startswith=SLUG_PREFIX)}
    missing = [slug for slug in wanted if slug not in existing]
    if missing:
        say(f"provisioning {len(missing)} companies (once; kept for the next runs)")
        started = time.perf_counter()
        for n, slug in enumerate(missing, 1):
            existing[slug] = company_provision(
                name=f"Clínica Lembretes {slug[-3:]}", slug=slug, domain=f"{slug}.localhost", plan="pro",
                owner_email=f"dono@{slug}.localhost", owner_password=secrets.token_urlsafe(18),
            ).company
            if n % 10 == 0 or n == len(missing):
                say(f"  {n}/{len(missing)} provisioned ({time.perf_counter() - started:.0f}s)")
    existing = {c.slug: c for c in Company.objects.filter(slug__startswith=SLUG_PREFIX)}  # statuses as of now
    extra = [c for slug, c in existing.items() if slug not in wanted and c.status == Company.Status.ACTIVE]
    if extra:
        company_set_status(companies=extra, status=Company.Status.SUSPENDED)
    inactive = [existing[slug] for slug in wanted if existing[slug].status != Company.Status.ACTIVE]
    if inactive:
        company_set_status(companies=inactive, status=Company.Status.ACTIVE)
    companies = list(Company.objects.filter(slug__in=wanted).order_by("slug"))
    for company in companies:
        with tenant_context(company):
            channel_configure(kind="whaticket", base_url=stack.urls["channel"], access_token=CHANNEL_TOKEN)
    return companies


# --- seed -----------------------------------------------------------------------------

def phone_for(company_index: int, appointment_index: int) -> str:
    return f"55119{company_index:03d}{appointment_index:05d}"


def company_of_phone(phone: str) -> int:
    return int(phone[5:8])


def seed_company(company, *, index: int, options: ReminderOptions, now: datetime) -> CompanySeed:
    """Empty the company's agenda and conversations, then write appointments and reminders in bulk."""
    from django.db import connection, transaction
    from django_tenants.utils import tenant_context

    from agenda.models import Appointment, Professional, Reminder, Service
    from agenda.services.config import calendar_config, calendar_config_forget
    from conversations.models import Contact

    seed = CompanySeed(slug=company.slug, schema=company.schema_name, index=index)
    with tenant_context(company), transaction.atomic():
        _truncate(connection)
        calendar_config_forget()
        config = calendar_config()
        offsets = sorted({int(m) for m in config.reminder_offsets_minutes}, reverse=True)  # [1440, 60]
        tz = ZoneInfo(config.timezone)
        service = Service.objects.create(name="Consulta", duration_minutes=30)
        pros = Professional.objects.bulk_create(
            [Professional(name=f"Dra. Profissional {p + 1}") for p in range(max(1, options.professionals))])
        service.professionals.set(pros)
        due = min(options.due, options.appointments)
        starts = _due_starts(now, due, options.backlog_minutes, short=min(offsets)) + \
            _grid_starts(now, options.appointments - due, len(pros), tz)
        contacts = Contact.objects.bulk_create(
            [Contact(phone=phone_for(index, i), name=f"Cliente {i}") for i in range(len(starts))], batch_size=2000)
        appointments = Appointment.objects.bulk_create([
            Appointment(contact=contact, service=service, professional=pros[i % len(pros)] if i >= due
                        else pros[0], start=start, end=start + timedelta(minutes=30),
                        status=Appointment.Status.PENDING, source=Appointment.Source.CHAT)
            for i, (contact, start) in enumerate(zip(contacts, starts, strict=True))
        ], batch_size=2000)
        reminders, due_phone = [], {}
        for i, appointment in enumerate(appointments):
            for offset in offsets:
                due_at = appointment.start - timedelta(minutes=offset)
                state = Reminder.State.PENDING
                sent_at = None
                if due_at <= now:
                    if i >= due or offset != min(offsets):
                        state, sent_at = Reminder.State.SENT, due_at  # the 24 h one went out yesterday
                reminder = Reminder(appointment=appointment, kind=Reminder.Kind.SCHEDULED, offset_minutes=offset,
                                    due_at=due_at, state=state, sent_at=sent_at)
                reminders.append(reminder)
                if state == Reminder.State.PENDING and due_at <= now:
                    due_phone[id(reminder)] = contacts[i].phone
        Reminder.objects.bulk_create(reminders, batch_size=5000)
        for reminder in reminders:
            if id(reminder) in due_phone:
                seed.due_ids.append(reminder.pk)
                seed.due_phones[reminder.pk] = due_phone[id(reminder)]
            elif reminder.state == Reminder.State.PENDING:
                seed.not_due += 1
            else:
                seed.historic_sent += 1
        seed.appointments = len(appointments)
    return seed


def _truncate(connection) -> None:
    from agenda import models as agenda
    from conversations import models as conv

    tables = [m._meta.db_table for m in (
        agenda.Reminder, agenda.FollowUp, agenda.AppointmentEvent, agenda.WaitlistEntry, agenda.Dialog,
        agenda.SchedulingInsight, agenda.Appointment, agenda.Service, agenda.Professional,
        conv.Outbox, conv.LLMCall, conv.DeadLetter, conv.Message, conv.Conversation, conv.Contact)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _due_starts(now: datetime, count: int, backlog_minutes: float, *, short: int) -> list[datetime]:
    """Starts whose short (1 h) reminder fell due over the last `backlog` minutes, 1 s apart at least."""
    if count <= 0:
        return []
    span = max(backlog_minutes * 60.0, float(count))
    step = span / count
    return [now - timedelta(seconds=1 + k * step) + timedelta(minutes=short) for k in range(count)]


def _grid_starts(now: datetime, count: int, professionals: int, tz: ZoneInfo) -> list[datetime]:
    """30-minute slots, 08:00-18:00 Monday to Saturday, from 26 h ahead: one per professional per slot."""
    starts: list[datetime] = []
    earliest = now + timedelta(hours=26)
    day = earliest.astimezone(tz).date()
    while len(starts) < count:
        if day.weekday() != 6:
            for half_hour in range(16, 36):  # 08:00 .. 17:30
                start = datetime(day.year, day.month, day.day, half_hour // 2, 30 * (half_hour % 2), tzinfo=tz)
                if start < earliest:
                    continue
                starts.extend([start] * professionals)
        day += timedelta(days=1)
    return starts[:count]


def seed_check(seeds: list[CompanySeed], now: datetime) -> dict:
    """What the database holds after the seed, against what was planned (the --seed-only dry run)."""
    from django.db import connection

    from agenda.models import Appointment, Reminder

    sql = " UNION ALL ".join(
        f"SELECT '{s.schema}', "
        f"(SELECT count(*) FROM \"{s.schema}\".{Appointment._meta.db_table}), "
        f"count(*) FILTER (WHERE state = 'pending' AND due_at <= %(now)s), "
        f"count(*) FILTER (WHERE state = 'pending' AND due_at > %(now)s), "
        f"count(*) FILTER (WHERE state = 'pending' AND due_at > %(now)s AND due_at < %(soon)s), "
        f"count(*) FILTER (WHERE state = 'sent') "
        f"FROM \"{s.schema}\".{Reminder._meta.db_table}" for s in seeds)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "soon": now + timedelta(hours=2)})
        rows = cursor.fetchall()
    planned = {s.schema: s for s in seeds}
    mismatches = [schema for schema, appts, due, later, _soon, _sent in rows
                  if appts != planned[schema].appointments or due != len(planned[schema].due_ids)
                  or later != planned[schema].not_due]
    return {
        "companies": len(rows),
        "appointments": sum(r[1] for r in rows),
        "reminders due now (pending)": sum(r[2] for r in rows),
        "reminders due later (pending)": sum(r[3] for r in rows),
        "due later but within 2 h (must be 0)": sum(r[4] for r in rows),
        "24 h reminders already sent": sum(r[5] for r in rows),
        "companies not as planned (must be 0)": len(mismatches),
    }


# --- the measured cycle -----------------------------------------------------------------

def measure(stack: BenchStack, seeds: list[CompanySeed], options: ReminderOptions, *, seed_now: datetime) -> dict:
    """One dispatch, then watch PostgreSQL and the fake channel until everything due is sent."""
    from django.db import connection

    from tenants.dispatch import periodic_dispatch

    total_due = sum(len(s.due_ids) for s in seeds)
    sql, params = _watch_sql(seeds, seed_now)
    say(f"one beat cycle: periodic_dispatch(cadence='minute') to every active company; "
        f"{total_due:,} reminders due; workers {stack.worker_config.label()}")
    t0 = time.time()
    companies_sent = periodic_dispatch(cadence="minute")  # one run message per company (all its minute jobs)
    dispatched = time.time()
    timeline: list[dict] = []
    all_claimed_at = all_sent_at = all_arrived_at = all_enqueued_at = all_scanned_at = None
    schemas = {s.schema for s in seeds}
    last_change, last_state = time.monotonic(), None
    stop_reason = "timeout"
    next_line = 0.0
    while time.time() - t0 < options.cycle_max:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            pending_due, unleased, sending, sent_new, outbox_sent, outbox_keys = (
                int(v or 0) for v in cursor.fetchone())
        channel = get_json(stack.urls["channel"] + "/stats?brief=1")["total"]
        scans = sum(v["count"] for c, v in _task_latency(TASK_SCAN).items() if c in schemas)
        now = time.time()
        point = {"t": round(now - t0, 2), "scans_done": int(scans), "due_not_enqueued": unleased,
                 "pending_due": pending_due, "sending": sending, "sent": sent_new, "outbox_rows": outbox_keys,
                 "outbox_sent": outbox_sent, "channel": channel}
        timeline.append(point)
        if all_enqueued_at is None and unleased == 0:
            all_enqueued_at = now
        if all_scanned_at is None and scans >= len(seeds):
            all_scanned_at = now
        if all_claimed_at is None and pending_due == 0:
            all_claimed_at = now
        if all_sent_at is None and sent_new >= total_due:
            all_sent_at = now
        if all_arrived_at is None and channel >= total_due:
            all_arrived_at = now
        if pending_due == 0 and sending == 0 and sent_new >= total_due and outbox_sent >= total_due \
                and channel >= total_due:
            stop_reason = "complete"
            break
        state = (scans, unleased, pending_due, sending, sent_new, outbox_sent, channel)
        if state != last_state:
            last_state, last_change = state, time.monotonic()
        elif time.monotonic() - last_change > options.stall:
            stop_reason = f"no progress for {options.stall:.0f}s"
            break
        if now >= next_line:
            say(f"  t={now - t0:5.1f}s  scans {int(scans)}/{len(seeds)}  due not enqueued {unleased:,}  "
                f"not sent {pending_due:,}  sending {sending:,}  "
                f"sent {sent_new:,}/{total_due:,}  outbox sent {outbox_sent:,}  at the channel {channel:,}")
            next_line = now + 5
        time.sleep(max(0.0, 1.0 - (time.time() - now)))
    say(f"cycle watched for {time.time() - t0:.1f}s: {stop_reason}")
    connection.close()
    return {"t0": t0, "dispatched": dispatched, "companies_sent": companies_sent, "timeline": timeline,
            "all_claimed_seen": all_claimed_at, "all_enqueued_seen": all_enqueued_at,
            "all_scanned_seen": all_scanned_at, "all_sent_seen": all_sent_at, "all_arrived_seen": all_arrived_at,
            "stop_reason": stop_reason, "ended": time.time()}


def _watch_sql(seeds: list[CompanySeed], seed_now: datetime) -> tuple[str, dict]:
    from agenda.models import Reminder
    from conversations.models import Outbox

    reminder, outbox = Reminder._meta.db_table, Outbox._meta.db_table
    parts = [
        f"SELECT (SELECT count(*) FILTER (WHERE state = 'pending' AND due_at <= %(now)s) "
        f"FROM \"{s.schema}\".{reminder}) AS pending_due, "
        f"(SELECT count(*) FILTER (WHERE state = 'pending' AND due_at <= %(now)s AND claimed_at IS NULL) "
        f"FROM \"{s.schema}\".{reminder}) AS unleased, "
        f"(SELECT count(*) FILTER (WHERE state = 'sending') FROM \"{s.schema}\".{reminder}) AS sending, "
        f"(SELECT count(*) FILTER (WHERE state = 'sent' AND due_at <= %(now)s AND sent_at >= %(now)s) "
        f"FROM \"{s.schema}\".{reminder}) AS sent_new, "
        f"(SELECT count(*) FILTER (WHERE state = 'sent') FROM \"{s.schema}\".{outbox} "
        f"WHERE idempotency_key LIKE 'reminder:%%') AS outbox_sent, "
        f"(SELECT count(*) FROM \"{s.schema}\".{outbox} WHERE idempotency_key LIKE 'reminder:%%') AS outbox_rows"
        for s in seeds]
    sql = ("SELECT sum(pending_due), sum(unleased), sum(sending), sum(sent_new), sum(outbox_sent), "
           "sum(outbox_rows) FROM ("
           + " UNION ALL ".join(parts) + ") AS per_company")
    return sql, {"now": seed_now}


# --- analysis -------------------------------------------------------------------------

def analyse(*, stack: BenchStack, seeds: list[CompanySeed], cycle: dict, sampler: Sampler,
            options: ReminderOptions, seed_seconds: float, seed_now: datetime) -> dict:
    from django_tenants.utils import schema_context

    from agenda.models import Reminder
    from conversations.models import Outbox

    t0 = cycle["t0"]
    records = channel_records(stack.urls["channel"])
    arrivals: dict[str, list[float]] = defaultdict(list)
    for number, _body, at in records:
        arrivals[number].append(at)
    lost, duplicated, touched_not_due = Counter(), 0, Counter()
    claimed, sent_times, states = [], [], Counter()
    outbox_states, outbox_retried, dup_outbox = Counter(), 0, 0
    for seed in seeds:
        with schema_context(seed.schema):
            due = {r["pk"]: r for r in Reminder.objects.filter(pk__in=seed.due_ids).values(
                "pk", "state", "claimed_at", "sent_at", "outbox_id")}
            not_due = Counter(Reminder.objects.filter(due_at__gt=seed_now).exclude(
                state=Reminder.State.PENDING).values_list("state", flat=True))
            outboxes = list(Outbox.objects.filter(idempotency_key__startswith=REMINDER_KEY_PREFIX).values(
                "pk", "idempotency_key", "state", "attempts", "sent_at", "message__contact__phone"))
        touched_not_due.update(not_due)
        rows_per_phone = Counter(o["message__contact__phone"] for o in outboxes)
        outbox_states.update(o["state"] for o in outboxes)
        outbox_retried += sum(1 for o in outboxes if o["attempts"] > 1)
        by_pk = {o["pk"]: o for o in outboxes}
        for pk in seed.due_ids:
            row = due.get(pk)
            phone = seed.due_phones[pk]
            if row is None:
                lost["reminder row gone"] += 1
                continue
            states[row["state"]] += 1
            if row["claimed_at"]:
                claimed.append(row["claimed_at"].timestamp())
            if row["state"] != Reminder.State.SENT:
                lost[f"still {row['state']}"] += 1
                continue
            if row["sent_at"]:
                sent_times.append(row["sent_at"].timestamp())
            outbox = by_pk.get(row["outbox_id"])
            if outbox is None:
                lost["sent without an outbox row"] += 1
            elif outbox["state"] != Outbox.State.SENT:
                lost[f"outbox {outbox['state']}"] += 1
            elif not arrivals.get(phone):
                lost["outbox sent, never reached the channel"] += 1
            duplicated += max(0, len(arrivals.get(phone, [])) - 1)
            dup_outbox += max(0, rows_per_phone.get(phone, 0) - 1)
        # Arrivals for phones with no due reminder (a not-due reminder sent): counted apart.
    due_phones = {p for s in seeds for p in s.due_phones.values()}
    unexpected = sum(len(v) for p, v in arrivals.items() if p not in due_phones)

    total_due = sum(len(s.due_ids) for s in seeds)
    scans = _task_latency(TASK_SCAN)
    sends = _task_latency(TASK_SEND)
    rbench = {s.schema for s in seeds}
    scan_by_company = {c: v for c, v in scans.items() if c in rbench}
    scan_means = [v["sum"] / v["count"] for v in scan_by_company.values() if v["count"]]
    send_total = {"count": sum(v["count"] for c, v in sends.items() if c in rbench),
                  "sum": sum(v["sum"] for c, v in sends.items() if c in rbench)}
    reminder_arrivals = sorted(at for number, _b, at in records if number in due_phones)
    first, last = (reminder_arrivals[0], reminder_arrivals[-1]) if reminder_arrivals else (None, None)
    span = (last - first) if reminder_arrivals and len(reminder_arrivals) > 1 else 0.0
    worker_cpu = sampler.cpu_seconds("worker")
    ours = sum(sampler.cpu_seconds(g) for g in sampler.groups)

    def since(at):
        return round(at - t0, 2) if at else None

    config = stack.worker_config
    figures = {
        "scenario": "reminders",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "config": {
            "companies": len(seeds), "appointments_per_company": options.appointments,
            "due_per_company": min(options.due, options.appointments), "backlog_minutes": options.backlog_minutes,
            "professionals": options.professionals, "workers": config.processes, "pool": config.effective()[0],
            "concurrency": config.effective()[1], "send_delay_s": stack.options.send_delay,
            "companies_dispatched": cycle["companies_sent"], "seed_seconds": round(seed_seconds, 1),
        },
        "cycle": {
            "dispatch_s": round(cycle["dispatched"] - t0, 3),
            "all_enqueued_seen_s": since(cycle["all_enqueued_seen"]),
            "all_scans_done_seen_s": since(cycle["all_scanned_seen"]),
            "last_send_claim_s": since(max(claimed)) if claimed else None,
            "no_due_pending_seen_s": since(cycle["all_claimed_seen"]),
            "scans_observed": len(scan_means),
            "scan_p50_s": percentile(scan_means, 50), "scan_p99_s": percentile(scan_means, 99),
            "scan_max_s": percentile(scan_means, 100),
            "scan_total_s": sum(scan_means),
            "slowest_scan_company": max(scan_by_company, key=lambda c: scan_by_company[c]["sum"], default=None),
            "send_task_count": send_total["count"],
            "send_task_mean_ms": send_total["sum"] / send_total["count"] * 1000 if send_total["count"] else None,
            "stop_reason": cycle["stop_reason"],
        },
        "send": {
            "due": total_due, "arrived": len(reminder_arrivals),
            "first_arrival_s": since(first), "last_arrival_s": since(last),
            "all_sent_seen_s": since(cycle["all_sent_seen"]), "all_arrived_seen_s": since(cycle["all_arrived_seen"]),
            "per_s": (len(reminder_arrivals) - 1) / span if span else None,
            "per_min": (len(reminder_arrivals) - 1) / span * 60 if span else None,
            "per_min_from_dispatch": len(reminder_arrivals) / (last - t0) * 60 if last else None,
            "peak_per_s_10s": _peak(reminder_arrivals, 10.0),
            "reminder_sent_at_span_s": round(max(sent_times) - min(sent_times), 2) if len(sent_times) > 1 else None,
        },
        "integrity": {
            "lost": sum(lost.values()), "lost_detail": dict(lost), "duplicated_at_channel": duplicated,
            "duplicated_outbox_rows": dup_outbox, "unexpected_arrivals": unexpected,
            "not_due_touched": sum(touched_not_due.values()), "not_due_touched_detail": dict(touched_not_due),
            "due_states": dict(states), "outbox_states": dict(outbox_states), "outbox_retried": outbox_retried,
            "not_due_still_pending": sum(s.not_due for s in seeds) - sum(touched_not_due.values()),
        },
        "resources": {
            "worker_processes": sampler.processes("worker"), "worker_rss_max_mib": sampler.max_rss_mib("worker"),
            "cpu_s": {g: round(sampler.cpu_seconds(g), 2) for g in sampler.groups},
            "cpu_ms_per_reminder_worker": worker_cpu * 1000 / max(1, len(reminder_arrivals)),
            "cpu_ms_per_reminder_postgres": sampler.cpu_seconds("postgres") * 1000 / max(1, len(reminder_arrivals)),
            "cpu_s_machine": round(sampler.machine_cpu_seconds(), 2),
            "cpu_s_not_ours": round(max(0.0, sampler.machine_cpu_seconds() - ours), 2),
            "window_s": round(sampler.stopped_at - sampler.started_at, 1),
        },
        "timeline": cycle["timeline"],
    }
    figures["pass"] = pass_lines(figures)
    return figures


def _task_latency(task: str) -> dict[str, dict]:
    """company -> {count, sum} of secretaria_task_latency_seconds for `task`, from the metrics files."""
    import os

    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return {}
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)
    found: dict[str, dict] = defaultdict(lambda: {"count": 0.0, "sum": 0.0})
    for metric in registry.collect():
        if metric.name != "secretaria_task_latency_seconds":
            continue
        for sample in metric.samples:
            if sample.labels.get("task") != task:
                continue
            if sample.name.endswith("_count"):
                found[sample.labels["company"]]["count"] += sample.value
            elif sample.name.endswith("_sum"):
                found[sample.labels["company"]]["sum"] += sample.value
    return dict(found)


def _peak(times: list[float], window: float) -> float | None:
    if not times:
        return None
    best, left = 0, 0
    for right, t in enumerate(times):
        while t - times[left] > window:
            left += 1
        best = max(best, right - left + 1)
    return best / window


def pass_lines(f: dict) -> list[tuple[str, bool, str]]:
    c, i = f["cycle"], f["integrity"]
    # Found and enqueued: no due row left unleased and every company's scan (lease + publish) finished.
    seen = [c["all_enqueued_seen_s"], c["all_scans_done_seen_s"]]
    enqueue = None if None in seen else max(seen)
    full = f["config"]["companies"] >= 100 and f["config"]["appointments_per_company"] >= 1000
    return [
        (f"every due reminder enqueued within {GOAL_CYCLE_S:.0f}s of the dispatch"
         + ("" if full else " (not at 100 x 1,000)"),
         enqueue is not None and enqueue <= GOAL_CYCLE_S, fmt(enqueue, " s", 2)),
        ("lost = 0", i["lost"] == 0, str(i["lost"])),
        ("duplicated = 0", i["duplicated_at_channel"] == 0 and i["duplicated_outbox_rows"] == 0,
         f"{i['duplicated_at_channel']} at the channel, {i['duplicated_outbox_rows']} outbox rows"),
        ("not-due reminders untouched", i["not_due_touched"] == 0 and i["unexpected_arrivals"] == 0,
         f"{i['not_due_touched']} touched, {i['unexpected_arrivals']} unexpected arrivals"),
        (f"<= {PASS_RSS_MIB} MiB per worker process", f["resources"]["worker_rss_max_mib"] <= PASS_RSS_MIB,
         fmt(f["resources"]["worker_rss_max_mib"], " MiB")),
    ]


def report(f: dict) -> str:
    c, cy, s, i, res = f["config"], f["cycle"], f["send"], f["integrity"], f["resources"]
    parts = [
        "",
        table([
            ("scenario", "reminders: one beat cycle over many companies"),
            ("companies x appointments", f"{c['companies']} x {c['appointments_per_company']:,} "
                                         f"({c['professionals']} professionals each)"),
            ("due in this cycle", f"{c['due_per_company']:,} per company, {s['due']:,} in all "
                                  f"(due over the last {c['backlog_minutes']:g} min)"),
            ("workers", f"{c['workers']} x {c['pool']} -c {c['concurrency']}; fake channel answers in "
                        f"{c['send_delay_s'] * 1000:.0f} ms; beat not run (the bench dispatches once)"),
            ("seed", f"{c['seed_seconds']}s (not measured)"),
        ], "Secretaria bench: " + f["when"]),
        "",
        table([
            ("dispatch (periodic_dispatch)", f"{cy['dispatch_s']:.2f} s for {c['companies_dispatched']:,} companies "
                                             "(one run of all its minute jobs each; spread 0)"),
            ("every due reminder enqueued", f"{fmt(cy['all_enqueued_seen_s'], ' s', 1)} (no due row left unleased; "
                                            "polled every ~1 s)"),
            ("every company scanned", f"{fmt(cy['all_scans_done_seen_s'], ' s', 1)} (scan tasks finished)"),
            ("every due reminder claimed to send", f"{fmt(cy['no_due_pending_seen_s'], ' s', 1)} (none pending; "
                                                   f"last send claim at {fmt(cy['last_send_claim_s'], ' s', 1)})"),
            ("scan per company p50 / p99 / max", f"{fmt(cy['scan_p50_s'], ' s', 3)} / "
                                                 f"{fmt(cy['scan_p99_s'], ' s', 3)} / {fmt(cy['scan_max_s'], ' s', 3)}"
                                                 f" ({cy['scans_observed']} scans; slowest "
                                                 f"{cy['slowest_scan_company']})"),
            ("scan time summed over companies", fmt(cy["scan_total_s"], " s", 2)),
            ("send tasks run, mean time", f"{cy['send_task_count']:,.0f}, {fmt(cy['send_task_mean_ms'], ' ms')}"),
            ("watch ended", cy["stop_reason"]),
        ], "Beat cycle (seconds from the dispatch)"),
        "",
        table([
            ("reminders at the channel", f"{s['arrived']:,} of {s['due']:,} due"),
            ("first / last arrival", f"{fmt(s['first_arrival_s'], ' s', 1)} / {fmt(s['last_arrival_s'], ' s', 1)}"),
            ("send rate (first to last)", f"{fmt(s['per_s'], '/s', 1)} = {fmt(s['per_min'], '/min', 0)}"),
            ("send rate (from the dispatch)", fmt(s["per_min_from_dispatch"], "/min", 0)),
            ("best 10 s", fmt(s["peak_per_s_10s"], "/s", 1)),
            ("lost", f"{i['lost']:,} {i['lost_detail'] or ''}"),
            ("duplicated", f"{i['duplicated_at_channel']:,} at the channel, {i['duplicated_outbox_rows']:,} "
                           "extra outbox rows"),
            ("due reminders by state", str(i["due_states"])),
            ("reminder outbox rows by state", f"{i['outbox_states']} (retried {i['outbox_retried']:,})"),
            ("not-due reminders", f"{i['not_due_still_pending']:,} still pending; touched {i['not_due_touched']:,} "
                                  f"{i['not_due_touched_detail'] or ''}; unexpected arrivals "
                                  f"{i['unexpected_arrivals']:,}"),
        ], "Sending"),
        "",
        table([
            ("worker RSS max per process", f"{fmt(res['worker_rss_max_mib'], ' MiB')} "
                                           f"({res['worker_processes']} processes seen)"),
            ("CPU-ms per reminder (worker / postgres)", f"{fmt(res['cpu_ms_per_reminder_worker'])} / "
                                                        f"{fmt(res['cpu_ms_per_reminder_postgres'])}"),
            ("CPU seconds by group", ", ".join(f"{k} {v}" for k, v in res["cpu_s"].items())),
            ("CPU seconds, whole machine", f"{res['cpu_s_machine']} in {res['window_s']}s "
                                           f"(not ours: {res['cpu_s_not_ours']})"),
        ], "Resources"),
        "",
        table([(name, f"{'PASS' if ok else 'FAIL'}  {value}") for name, ok, value in f["pass"]], "Pass lines"),
    ]
    return "\n".join(parts) + "\n"
