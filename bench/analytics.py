"""The analytics scenario: one nightly report run over many companies, and the reports API's latency.

Issue 11: with 200 companies x 30 days x 500 messages and 20 bookings a day of history, how long
does one nightly run take for all companies (goal <= 60 s), and what is the p95 of
/api/analytics/summary and /history over a year (goal <= 50 ms)?

1. **Companies** `abench-001`... are provisioned once (template clone) and kept; those beyond
   `--companies` are suspended so the dispatcher skips them.
2. **Seed** (every run, per company, in bulk, not measured): the company's conversation, agenda and
   analytics tables are emptied, then `--days` days ending yesterday (the company's calendar) of
   synthetic history: per day `--messages` messages in conversations of five (3 in, 2 out, each
   reply sent 20 s after the message before), `--bookings` appointments (sources chat/panel/API,
   two days ahead, attended or missed when past, follow-ups scored), AI calls and funnel marks.
   Timestamps are written as given (auto_now_add switched off for the seed).
3. **Backfill** (measured apart): `reports_compute_range` over the seeded days, in this process;
   the year before them gets copies of a computed day's row, so the history reads 365 real rows.
4. **One nightly run**: yesterday's day rows are deleted, then what beat's hourly task does:
   `periodic_dispatch(cadence="hourly")`, and the workers compute every company. Watched with one
   UNION ALL query over the companies' schemas until every company has its row again.
5. **Today's rows**: the minute run (`analytics.report_today`) stores each company's today as the day
   goes; the bench dispatches one minute cycle as beat does (`periodic_dispatch(cadence="minute")`) and
   waits (up to 3 minutes) until every company has its row, as in a running system.
6. **API**: `--requests` GETs each of /api/analytics/summary?period=month and
   /api/analytics/history (365 days, by day), keep-alive, round-robin over the companies, as each
   company's owner (JWT); p50/p95/max per endpoint.

`--skip-seed` keeps the history a previous run seeded the same day (steps 3 to 6 again);
`--api-only` measures steps 5 and 6 again on what a previous run seeded (a quiet machine for the
latency, without an hour of seeding).
"""

from __future__ import annotations

import contextlib
import http.client
import random
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.load import figures_save, fmt, percentile, table
from bench.stack import BenchStack, say

SLUG_PREFIX = "abench-"
GOAL_NIGHTLY_S = 60.0
GOAL_P95_MS = 50.0
TASK = "analytics.report_nightly"


@dataclass
class AnalyticsOptions:
    companies: int = 200
    days: int = 30
    messages: int = 500  # per company per day
    bookings: int = 20  # per company per day
    requests: int = 200  # per endpoint
    cycle_max: float = 900.0
    api_only: bool = False  # the companies a previous run seeded: no seed, backfill or nightly run
    skip_seed: bool = False  # the history a previous run seeded today: backfill, nightly run and API again
    json_path: Path | None = None


def run(stack: BenchStack, options: AnalyticsOptions) -> dict:
    companies = companies_ensure(options.companies)
    if options.api_only:
        seed_s = backfill_s = None
        nightly = {"companies_done": 0, "seconds": None}
    else:
        seed_s = None if options.skip_seed else seed_all(companies, options)
        backfill_s = round(backfill(companies, options), 1)
        nightly = nightly_run(companies, options)
    today = todays_rows_wait(companies)
    api = api_latency(stack, companies, options)
    figures = {"scenario": "analytics", "companies": len(companies), "days": options.days,
               "messages_per_day": options.messages, "bookings_per_day": options.bookings,
               "seed_s": seed_s, "backfill_s": backfill_s, "nightly": nightly, "today": today, "api": api}
    figures["pass"] = [
        ("summary p95 <= 50 ms", api["summary"]["p95_ms"] <= GOAL_P95_MS, api["summary"]["p95_ms"]),
        ("history p95 <= 50 ms", api["history"]["p95_ms"] <= GOAL_P95_MS, api["history"]["p95_ms"]),
    ]
    if not options.api_only:
        figures["pass"].insert(0, ("nightly run <= 60 s", nightly["seconds"] is not None
                                   and nightly["seconds"] <= GOAL_NIGHTLY_S, nightly["seconds"]))
    print(report(figures), flush=True)
    say(f"figures written to {figures_save(figures, options.json_path or stack.options.bench_dir / 'last.json')}")
    return figures


def seed_all(companies: list, options: AnalyticsOptions) -> float:
    from django.db import connection

    started = time.perf_counter()
    for n, company in enumerate(companies, 1):
        seed_company(company, options)
        # A fresh server session per company: one session that has touched hundreds of schemas carries
        # their catalogue caches, and every TRUNCATE's invalidations walk them (16 s a company, not 4).
        connection.close()
        if n % 20 == 0 or n == len(companies):
            say(f"  seeded {n}/{len(companies)} ({time.perf_counter() - started:.0f}s)")
    return round(time.perf_counter() - started, 1)


# --- companies ------------------------------------------------------------------------

def companies_ensure(count: int) -> list:
    """`abench-001`..`abench-<count>` provisioned and active, every other `abench-*` suspended."""
    from tenants.models import Company
    from tenants.services import company_provision, company_set_status

    wanted = [f"{SLUG_PREFIX}{i:03d}" for i in range(1, count + 1)]
    existing = {c.slug: c for c in Company.objects.filter(slug__startswith=SLUG_PREFIX)}
    for n, slug in enumerate([s for s in wanted if s not in existing], 1):
        if n == 1:
            say("provisioning companies (once; kept for the next runs)")
        company_provision(name=f"Clínica Relatórios {slug[-3:]}", slug=slug, domain=f"{slug}.localhost", plan="pro",
                          owner_email=f"dono@{slug}.localhost", owner_password=secrets.token_urlsafe(18))
    existing = {c.slug: c for c in Company.objects.filter(slug__startswith=SLUG_PREFIX)}
    extra = [c for slug, c in existing.items() if slug not in wanted and c.status == Company.Status.ACTIVE]
    if extra:
        company_set_status(companies=extra, status=Company.Status.SUSPENDED)
    inactive = [existing[s] for s in wanted if existing[s].status != Company.Status.ACTIVE]
    if inactive:
        company_set_status(companies=inactive, status=Company.Status.ACTIVE)
    return list(Company.objects.filter(slug__in=wanted).order_by("slug"))


# --- seed -----------------------------------------------------------------------------

@contextlib.contextmanager
def _timestamps_as_given():
    """auto_now_add off while seeding: history has its own dates."""
    from agenda.models import Appointment, AppointmentEvent
    from conversations.models import Contact, Conversation, LLMCall, Message, Outbox

    fields = [m._meta.get_field(name) for m, name in (
        (Message, "created_at"), (Conversation, "opened_at"), (Conversation, "last_activity_at"),
        (Outbox, "created_at"), (Appointment, "created_at"), (AppointmentEvent, "created_at"),
        (LLMCall, "created_at"), (Contact, "created_at"))]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def _truncate(connection) -> None:
    from agenda import models as agenda
    from analytics.reports.models import FunnelMark, Report
    from conversations import models as conv

    tables = [m._meta.db_table for m in (
        Report, FunnelMark, agenda.Reminder, agenda.FollowUp, agenda.AppointmentEvent, agenda.WaitlistEntry,
        agenda.Dialog, agenda.Appointment, agenda.Service, agenda.Professional,
        conv.Outbox, conv.LLMCall, conv.DeadLetter, conv.Message, conv.Conversation, conv.Contact)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def seed_company(company, options: AnalyticsOptions) -> None:
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from agenda.models import Professional, Service
    from agenda.services.config import calendar_config, calendar_config_forget
    from conversations.models import Contact

    with tenant_context(company), transaction.atomic(), _timestamps_as_given():
        _truncate(connection)
        calendar_config_forget()
        tz = ZoneInfo(calendar_config().timezone)
        today = timezone.localdate(timezone=tz)
        first_day = today - timedelta(days=options.days)
        service = Service.objects.create(name="Consulta", duration_minutes=30)
        pros = Professional.objects.bulk_create([Professional(name=f"Dra. {n}") for n in ("Ana", "Bia")])
        service.professionals.set(pros)
        per_day = max(1, options.messages // 5)
        pool = Contact.objects.bulk_create(
            [Contact(phone=f"55118{int(company.slug[-3:]):03d}{i:05d}", name=f"Cliente {i}",
                     created_at=datetime.combine(first_day, dtime(0), tzinfo=tz))
             for i in range(per_day * 3)], batch_size=5000)
        rng = random.Random(company.slug)
        for d in range(options.days):
            day = first_day + timedelta(days=d)
            start = datetime.combine(day, dtime(0), tzinfo=tz)
            _seed_conversations(start, d, per_day, pool)
            _seed_bookings(start, options.bookings, pool, service, pros, rng, timezone.now())


def _seed_conversations(start: datetime, day_index: int, per_day: int, pool: list) -> None:
    from analytics.reports.models import FunnelMark
    from conversations.models import Conversation, LLMCall, Message, Outbox

    step = 86400 / per_day
    conversations = Conversation.objects.bulk_create([
        Conversation(contact=pool[(day_index * per_day // 2 + k) % len(pool)], status=Conversation.Status.CLOSED,
                     opened_at=start + timedelta(seconds=k * step),
                     last_activity_at=start + timedelta(seconds=k * step),
                     closed_at=start + timedelta(seconds=k * step + 600))
        for k in range(per_day)], batch_size=2000)
    messages, sent = [], []
    for chat in conversations:
        t = chat.opened_at
        for offset, direction in ((0, "in"), (20, "out"), (60, "in"), (80, "out"), (120, "in")):
            messages.append(Message(contact_id=chat.contact_id, conversation=chat, direction=direction,
                                    provider="whaticket", provider_message_id=f"b{chat.pk}-{offset}",
                                    text="Olá" if direction == "in" else "Oi! Como posso ajudar?",
                                    state="answered" if direction == "in" else "outbound",
                                    created_at=t + timedelta(seconds=offset)))
    Message.objects.bulk_create(messages, batch_size=5000)
    for message in messages:
        if message.direction == "out":
            sent.append(Outbox(message=message, idempotency_key=f"reply:{message.pk}", state="sent",
                               created_at=message.created_at, sent_at=message.created_at + timedelta(seconds=2)))
    Outbox.objects.bulk_create(sent, batch_size=5000)
    LLMCall.objects.bulk_create([LLMCall(provider="openai", model="gpt-4o-mini", conversation=chat, input_tokens=900,
                                         output_tokens=150, outcome="ok", created_at=chat.opened_at)
                                 for chat in conversations[::2]], batch_size=5000)
    marks = []
    for chat in conversations[::3]:
        marks.append(FunnelMark(kind="booking_intent", at=chat.opened_at, contact_id=chat.contact_id,
                                conversation_id=chat.pk))
        marks.append(FunnelMark(kind="slots_offered", at=chat.opened_at + timedelta(seconds=20),
                                contact_id=chat.contact_id, conversation_id=chat.pk))
    FunnelMark.objects.bulk_create(marks, batch_size=5000)


def _seed_bookings(start: datetime, count: int, pool: list, service, pros: list, rng: random.Random,
                   now: datetime) -> None:
    from agenda.models import Appointment, AppointmentEvent, FollowUp

    sources = ("chat", "chat", "admin", "api")
    rows = []
    for j in range(count):
        created = start + timedelta(minutes=30 * j + 1)
        visit = datetime.combine(start.date() + timedelta(days=2), dtime(8), tzinfo=start.tzinfo) + \
            timedelta(minutes=30 * j)
        past = visit + timedelta(hours=1) < now
        status = ("attended" if rng.random() < 0.8 else "no_show") if past else "pending"
        rows.append(Appointment(contact=pool[rng.randrange(len(pool))], service=service, professional=pros[j % 2],
                                start=visit, end=visit + timedelta(minutes=30), status=status,
                                source=sources[j % len(sources)], created_at=created))
    Appointment.objects.bulk_create(rows, batch_size=2000)
    AppointmentEvent.objects.bulk_create([AppointmentEvent(appointment=a, kind="created", created_at=a.created_at)
                                          for a in rows], batch_size=2000)
    FollowUp.objects.bulk_create([FollowUp(appointment=a, due_at=a.end + timedelta(hours=2), state="answered",
                                           sent_at=a.end + timedelta(hours=2), answered_at=a.end + timedelta(hours=3),
                                           score=rng.randint(5, 10)) for a in rows if a.status == "attended"])


# --- backfill and the nightly run ------------------------------------------------------

def backfill(companies: list, options: AnalyticsOptions) -> float:
    """The seeded days computed in this process; the year before them copied from one of them."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from analytics.reports.compute import company_timezone
    from analytics.reports.models import Report
    from analytics.reports.services import reports_compute_range

    started = time.perf_counter()
    for company in companies:
        with tenant_context(company):
            yesterday = timezone.localdate(timezone=ZoneInfo(company_timezone())) - timedelta(days=1)
            reports_compute_range(date_from=yesterday - timedelta(days=options.days - 1), date_to=yesterday)
    elapsed = time.perf_counter() - started
    say(f"backfill of {options.days} days x {len(companies)} companies: {elapsed:.1f}s "
        f"({elapsed / max(1, len(companies) * options.days) * 1000:.0f} ms per company-day)")
    for company in companies:
        with tenant_context(company):
            model = Report.objects.filter(granularity="day").order_by("start").first()
            if model is None:
                continue
            older = [model.start - timedelta(days=n) for n in range(1, 366 - options.days)]
            Report.objects.bulk_create([Report(granularity="day", start=d, end=d, timezone=model.timezone,
                                               figures=model.figures, parts=model.parts,
                                               computed_at=model.computed_at) for d in older],
                                       ignore_conflicts=True, batch_size=1000)
    return elapsed


def nightly_run(companies: list, options: AnalyticsOptions) -> dict:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from analytics.reports.models import Report
    from analytics.reports.services import company_yesterday
    from tenants.dispatch import periodic_dispatch

    yesterdays = {}
    for company in companies:
        with tenant_context(company):
            yesterdays[company.schema_name] = company_yesterday()
            Report.objects.filter(granularity="day", start=yesterdays[company.schema_name]).delete()
    table_name = Report._meta.db_table
    sql = " UNION ALL ".join(
        f"SELECT max(computed_at) FROM \"{schema}\".{table_name} WHERE granularity = 'day' AND start = %s"
        for schema in yesterdays)
    params = list(yesterdays.values())
    say(f"one nightly run: periodic_dispatch(cadence='hourly') to {len(companies)} companies ({TASK})")
    connection.set_schema_to_public()
    t0 = time.time()
    periodic_dispatch(cadence="hourly")
    done, stamps = 0, []
    while time.time() - t0 < options.cycle_max:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            stamps = [row[0] for row in cursor.fetchall() if row[0] is not None]
        done = len(stamps)
        if done == len(companies):
            break
        time.sleep(0.5)
    seconds = (max(stamps).timestamp() - t0) if done == len(companies) else None
    return {"companies_done": done, "seconds": round(seconds, 2) if seconds is not None else None}


def todays_rows_wait(companies: list, timeout: float = 180.0) -> dict:
    """Until every company has today's row, stored by the minute run (analytics.report_today), which the
    bench dispatches once as beat does every minute (beat is off here: see bench/__init__.py)."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from analytics.reports.models import Report
    from analytics.reports.services import company_yesterday
    from tenants.dispatch import periodic_dispatch

    todays = {}
    for company in companies:
        with tenant_context(company):
            todays[company.schema_name] = company_yesterday() + timedelta(days=1)
    sql = " UNION ALL ".join(
        f"SELECT count(*) FROM \"{schema}\".{Report._meta.db_table} WHERE granularity = 'day' AND start = %s"
        for schema in todays)
    connection.set_schema_to_public()
    say(f"today's rows: periodic_dispatch(cadence='minute') to {len(companies)} companies, as beat does")
    t0, done = time.time(), 0
    periodic_dispatch(cadence="minute")
    while time.time() - t0 < timeout:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(todays.values()))
            done = sum(row[0] for row in cursor.fetchall())
        if done == len(companies):
            break
        time.sleep(1)
    return {"companies_with_row": done, "waited_s": round(time.time() - t0, 1)}


# --- the API ---------------------------------------------------------------------------

def api_latency(stack: BenchStack, companies: list, options: AnalyticsOptions) -> dict:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from accounts.tokens import tokens_for_user

    tokens = {}
    for company in companies:
        with tenant_context(company):
            owner = User.objects.get(email=f"dono@{company.slug}.localhost")
            tokens[company.slug] = tokens_for_user(owner)["access"]
    today = timezone.localdate()
    paths = {
        "summary": f"/api/analytics/summary?period=month&date={today - timedelta(days=1)}",
        "history": f"/api/analytics/history?from={today - timedelta(days=365)}&to={today - timedelta(days=1)}"
                   f"&granularity=day",
    }
    connection = http.client.HTTPConnection("127.0.0.1", stack.options.port, timeout=30)
    figures = {}
    for name, path in paths.items():
        latencies, errors = [], 0
        for n in range(options.requests + 5):
            slug = companies[n % len(companies)].slug
            started = time.perf_counter()
            connection.request("GET", path, headers={"Host": f"{slug}.localhost",
                                                     "Authorization": f"Bearer {tokens[slug]}"})
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors += 1
            if n >= 5:  # the first few warm the connection and the workers
                latencies.append(elapsed)
        figures[name] = {"requests": len(latencies), "errors": errors, "p50_ms": round(percentile(latencies, 50), 1),
                         "p95_ms": round(percentile(latencies, 95), 1), "max_ms": round(max(latencies), 1)}
    connection.close()
    return figures


def report(figures: dict) -> str:
    nightly, api = figures["nightly"], figures["api"]
    rows = [
        ("history", f"{figures['companies']} companies x {figures['days']} days x {figures['messages_per_day']} "
                    f"messages and {figures['bookings_per_day']} bookings a day"),
        ("seed", f"{fmt(figures['seed_s'], ' s')} (not measured)"),
        ("backfill (in process)", fmt(figures["backfill_s"], " s")),
        ("nightly run, all companies", f"{fmt(nightly['seconds'], ' s')} "
                                       f"({nightly['companies_done']}/{figures['companies']} companies)"),
        ("today's rows (one minute cycle)", f"{figures['today']['companies_with_row']}/{figures['companies']} "
                                              f"companies after {fmt(figures['today']['waited_s'], ' s')}"),
    ]
    for name in ("summary", "history"):
        f = api[name]
        rows.append((f"/api/analytics/{name}", f"p50 {fmt(f['p50_ms'], ' ms')}  p95 {fmt(f['p95_ms'], ' ms')}  "
                                               f"max {fmt(f['max_ms'], ' ms')}  ({f['requests']} requests, "
                                               f"{f['errors']} errors)"))
    rows += [(name, f"{'PASS' if ok else 'FAIL'} ({value})") for name, ok, value in figures["pass"]]
    return table(rows, "Analytics: nightly reports and the reports API")
