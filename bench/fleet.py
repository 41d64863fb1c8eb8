"""The fleet scenario: what happens to everything that loops over companies when there are a thousand.

Issue 14's goals on this machine, each figure printed with the machine's load beside it
(other people's test runs share the two cores; read the load before comparing runs):

1. **Provisioning**: companies `fbench-0001`... are created one by one through the real service,
   `tenants.services.company_provision`, and kept for the next runs (`--fresh` drops the
   database and starts over). The time of each one is stored with the load at that moment
   (`.data/bench/fleet-provisioning-<database>.json`), so a rerun reports the 10th, 100th, 500th
   and 1,000th as measured, and p50/p95 per decile. Every run also provisions one company more
   (`fbench-probe`) with all the others in place, times it and removes it: today's code on
   today's catalogue, without provisioning a thousand again. Goal: the 1,000th <= 1 s.
2. **Migrations**: one new tenant migration (the throwaway app `bench/fleet_app`, installed only
   in the bench's migration processes by BENCH_FLEET_APP=1) applied to every schema as a deploy
   applies it (deploy/entrypoint.sh): `migrate_template`, `schema_template_refresh`, `migrate_lagging`
   (its fast path replays the plan's SQL in each schema; `--executor` is the executor of the groups
   it leaves to django-tenants), timed as a whole (goal: <= 5 min) and per command; then removed by
   SQL (its table, migration rows, content types and permissions, the schemas' markers: timed, no
   goal), so the database is left as it was.
3. **Traffic**: one signed webhook per company through gunicorn, then until each reply reached the
   fake channel: every company has messages, replies, Redis keys and metric samples of its own.
4. **One dispatcher cycle**: beat's task `tenants.dispatch_periodic("minute")` sent to the real
   workers (beat itself is not run: it would fire on its own clock), which fan every per-minute
   job out to every active company. The workers load `bench.fleet_probe`, which records when each
   task started and ended, for which schema and with which ETA. Figures: the cycle's span from the
   dispatch to the last company job finished (goal: within its minute, <= 60 s), the slowest
   company's start delay, how late jobs started after their ETA, job runtimes.
5. **/metrics** on the real gunicorn in multiprocess mode: bytes, series, series with a company
   label, p50/p95 of 20 GETs. Goals: <= 2 MB, p95 <= 200 ms.
6. **Redis per idle company**: once the queue is empty and no task has run for a few seconds,
   SCAN `secretaria:<schema>:*` with MEMORY USAGE per key, and INFO used_memory against the value
   at the start of the run. Goal: <= 10 KiB per company (the keys' figure; the used_memory delta,
   which includes the broker's own structures, is shown beside it).

The exit code is 0 when every goal holds, else 1. Figures go to .data/bench/last.json.
Every loop is bounded (`--drain-max`, `--cycle-max`, `--stall`); the stack stops on exit.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.load import HttpPool, figures_save, fmt, percentile, table, webhook_body
from bench.stack import CHANNEL_TOKEN, PYTHON, ROOT, BenchStack, say

SLUG_PREFIX = "fbench-"
PROBE_SLUG = "fbench-probe"
DATABASE = "secretaria_fleet"
# A company's periodic work as the workers see it: each per-minute task as its own message (the
# dispatcher of main before issue 14), or one message per company running them all (RUN_TASK).
RUN_TASK = "tenants.periodic_run"
STEPS = ("provision", "traffic", "dispatch", "metrics", "redis", "migrate")
CHECKPOINTS = (10, 100, 500, 1000)
GOAL_PROVISION_S = 1.0
GOAL_CYCLE_S = 60.0
GOAL_MIGRATE_S = 300.0
GOAL_METRICS_BYTES = 2 * 1024 * 1024
GOAL_METRICS_P95_MS = 200.0
GOAL_REDIS_PER_COMPANY = 10 * 1024
METRICS_GETS = 20
PROBE_APP_TABLE = "fleet_app_fleetprobe"


@dataclass
class FleetOptions:
    companies: int = 1000
    fresh: bool = False
    steps: tuple[str, ...] = STEPS
    rate: float = 20.0  # webhooks per second in the traffic step
    executor: str | None = None  # migrate_schemas --executor; None: as the settings say
    drain_max: float = 600.0
    cycle_max: float = 600.0
    stall: float = 120.0
    probe_dir: Path = Path()
    json_path: Path | None = None
    figures: dict = field(default_factory=dict)


def load_now() -> dict:
    """The machine's load, printed beside every figure (two cores shared with other people's runs)."""
    one, five, fifteen = os.getloadavg()
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)], "cpus": os.cpu_count()}


def _with_load(text: str, load: dict) -> str:
    one, five, fifteen = load["loadavg"]
    return f"{text}   [load {one:.2f} {five:.2f} {fifteen:.2f}, {load['cpus']} CPUs]"


def run(stack: BenchStack, options: FleetOptions) -> dict:
    from django.db import connection

    redis_before = stack.redis().info("memory")["used_memory"]
    figures: dict = {"scenario": "fleet", "when": _utc(), "commit": _commit(),
                     "companies": options.companies, "steps": list(options.steps), "load_at_start": load_now(),
                     "redis_used_memory_at_start": redis_before}
    json_path = options.json_path or stack.options.bench_dir / "last.json"
    companies = companies_ensure(stack, options, figures)
    connection.set_schema_to_public()
    # The migration last: it is the longest at a thousand schemas, and the others are measured on a
    # system that has just run (its traffic, its cycle), not on one a migration has just walked over.
    steps = {
        "traffic": lambda: traffic_step(stack, options, companies),
        "dispatch": lambda: dispatch_step(stack, options, {c.schema_name for c in companies}),
        "metrics": lambda: metrics_step(stack),
        "redis": lambda: redis_step(stack, options, companies, redis_before),
        "migrate": lambda: migrate_step(stack, options, len(companies)),
    }
    for name, step in steps.items():
        if name in options.steps:
            figures[name] = step()
            figures_save(figures, json_path)  # a run stopped later keeps what it measured
    figures["load_at_end"] = load_now()
    figures["pass"] = pass_lines(figures)
    print(report(figures), flush=True)
    say(f"figures written to {figures_save(figures, json_path)}")
    return figures


def _utc() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# --- 1. provisioning ---------------------------------------------------------------------

def slug_for(index: int) -> str:
    return f"{SLUG_PREFIX}{index:04d}"


def companies_ensure(stack: BenchStack, options: FleetOptions, figures: dict) -> list:
    """`fbench-0001`..`fbench-<N>` provisioned and active (the others suspended), each one timed once."""
    from tenants.models import Company
    from tenants.services import company_set_status

    timings_path = stack.options.bench_dir / f"fleet-provisioning-{stack.options.database}.json"
    existing = {c.slug: c for c in Company.objects.filter(slug__startswith=SLUG_PREFIX).exclude(slug=PROBE_SLUG)}
    stored = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    stored = {slug: t for slug, t in stored.items() if slug in existing}  # a dropped database forgets them
    _probe_remove()
    wanted = [slug_for(i) for i in range(1, options.companies + 1)]
    missing = [slug for slug in wanted if slug not in existing]
    if missing and "provision" not in options.steps:
        raise SystemExit(f"{len(missing)} companies are not provisioned yet: run the provision step first")
    if missing:
        say(f"provisioning {len(missing)} companies one by one (kept for the next runs; --fresh starts over)")
        started = time.perf_counter()
        for n, slug in enumerate(missing, 1):
            index = int(slug.removeprefix(SLUG_PREFIX))
            before = Company.objects.count()
            company, seconds, parts = _provision(slug)
            existing[slug] = company
            stored[slug] = {"index": index, "seconds": round(seconds, 4), "companies_before": before, **parts,
                            "at": _utc(), "load": load_now()["loadavg"]}
            if n % 10 == 0 or n == len(missing):
                timings_path.write_text(json.dumps(stored, indent=1))  # an interrupted run keeps its figures
            if n % 50 == 0 or n == len(missing):
                say(f"  {n}/{len(missing)} provisioned in {time.perf_counter() - started:.0f}s; "
                    f"{slug}: {seconds:.2f}s  (load {os.getloadavg()[0]:.2f})")
    existing = {c.slug: c for c in Company.objects.filter(slug__startswith=SLUG_PREFIX)}
    extra = [c for slug, c in existing.items() if slug not in wanted and c.status == Company.Status.ACTIVE]
    if extra:
        company_set_status(companies=extra, status=Company.Status.SUSPENDED)
    inactive = [existing[slug] for slug in wanted if existing[slug].status != Company.Status.ACTIVE]
    if inactive:
        company_set_status(companies=inactive, status=Company.Status.ACTIVE)
    if "provision" in options.steps:
        figures["provision"] = provision_figures(stored, wanted, provisioned_now=len(missing))
        figures["provision"]["probe"] = probe_provision()
    return list(Company.objects.filter(slug__in=wanted).order_by("slug"))


def _provision(slug: str):
    from django.db import close_old_connections

    from tenants.services import company_provision

    # As in the API's request: Django closes a connection older than CONN_MAX_AGE around each request.
    # (One connection that made a hundred schemas gets slower and slower: not what the web does.)
    close_old_connections()
    started = time.perf_counter()
    result = company_provision(
        name=f"Clínica Frota {slug.removeprefix(SLUG_PREFIX)}", slug=slug, domain=f"{slug}.localhost", plan="pro",
        owner_email=f"dono@{slug}.localhost", owner_password=secrets.token_urlsafe(18),
    )
    close_old_connections()
    # The service's own split, where it reports one: the schema step, and the owner's password hash
    # (computed beside the schema: its own time, and what was still waited for after the schema).
    parts = {key: getattr(result, key, None) for key in ("schema_seconds", "hash_seconds", "hash_wait_seconds")}
    return result.company, time.perf_counter() - started, {
        key: round(value, 4) if value is not None else None for key, value in parts.items()}


def probe_provision() -> dict:
    """One company more, with every other one in place, timed and removed: today's code on today's catalogue."""
    from tenants.models import Company

    before = Company.objects.count()
    load = load_now()
    _company, seconds, parts = _provision(PROBE_SLUG)
    removed = _probe_remove()
    say(f"one more company (the {before + 1}th row of tenants_company): {seconds:.3f}s; removed: {removed}")
    return {"seconds": round(seconds, 4), **parts, "companies_before": before,
            "load": load, "removed": removed}


def _probe_remove() -> bool:
    from django.db import connection

    from tenants.models import Company

    company = Company.objects.filter(slug=PROBE_SLUG).first()
    if company is None:
        return False
    company.delete(force_drop=True)  # auto_drop_schema: the schema goes with the row
    connection.set_schema_to_public()
    return True


def provision_figures(stored: dict, wanted: list[str], *, provisioned_now: int) -> dict:
    rows = sorted((t for slug, t in stored.items() if slug in set(wanted)), key=lambda t: t["index"])
    by_index = {t["index"]: t for t in rows}
    checkpoints = {str(n): by_index.get(n) for n in CHECKPOINTS if n <= len(wanted)}
    if len(wanted) not in CHECKPOINTS:
        checkpoints[str(len(wanted))] = by_index.get(len(wanted))  # the last one, whatever N is
    deciles = []
    step = max(1, len(wanted) // 10)
    for start in range(1, len(wanted) + 1, step):
        chunk = [by_index[i]["seconds"] for i in range(start, min(start + step, len(wanted) + 1)) if i in by_index]
        schema = [by_index[i].get("schema_seconds") for i in range(start, min(start + step, len(wanted) + 1))
                  if i in by_index and by_index[i].get("schema_seconds") is not None]
        loads = [by_index[i]["load"][0] for i in range(start, min(start + step, len(wanted) + 1)) if i in by_index]
        if chunk:
            deciles.append({"from": start, "to": min(start + step - 1, len(wanted)), "count": len(chunk),
                            "p50_s": percentile(chunk, 50), "p95_s": percentile(chunk, 95), "max_s": max(chunk),
                            "schema_p50_s": percentile(schema, 50) if schema else None,
                            "load1_mean": round(sum(loads) / len(loads), 2)})
    return {"timed": len(rows), "provisioned_now": provisioned_now, "checkpoints": checkpoints,
            "deciles": deciles, "first": by_index.get(1), "last": rows[-1] if rows else None,
            "total_s": round(sum(t["seconds"] for t in rows), 1)}


# --- 2. one migration across every schema -----------------------------------------------

def migrate_step(stack: BenchStack, options: FleetOptions, companies: int) -> dict:
    """Apply bench/fleet_app's migration to every tenant schema as a deploy does, time it, roll it back."""
    env = {**stack.env, "BENCH_FLEET_APP": "1"}
    executor = _executor(options)
    args = ["--executor", executor] if executor else []
    if _schemas_with_probe_table() or _probe_migration_rows():
        say("a previous run left bench/fleet_app applied somewhere: removing it first (not timed)")
        _probe_app_remove()
    schemas = _tenant_schema_count()
    say(f"the deploy's migrate step: bench/fleet_app's migration into {schemas} schemas "
        f"(migrate_lagging's executor for what it cannot replay: {executor or 'multiprocessing'})")
    load = load_now()
    steps = {}
    for command, *extra in DEPLOY_MIGRATE_COMMANDS:
        extra = [*extra, *args] if command == "migrate_lagging" else extra
        steps[command] = round(_manage(stack, env, f"migrate-forward-{command}", command, *extra), 2)
        say(f"  {command}: {steps[command]:.1f}s")
    forward = sum(steps.values())
    applied = _schemas_with_probe_table()
    say(f"  applied in {forward:.1f}s to {applied} schemas; rolling back")
    started = time.perf_counter()
    _probe_app_remove()
    backward = time.perf_counter() - started
    # The forward refresh pruned the template's DDL of the state without the app: made again now (not
    # timed), or the next run's first provisioning would pay for it.
    _manage(stack, stack.env, "migrate-template-refresh", "schema_template_refresh")
    left = _schemas_with_probe_table() + _probe_migration_rows()
    say(f"  rolled back in {backward:.1f}s; left behind: {left}")
    return {"executor": executor or "multiprocessing", "schemas": schemas, "companies": companies,
            "forward_s": round(forward, 2), "forward_steps_s": steps, "schemas_applied": applied,
            "backward_s": round(backward, 2), "left_behind": left, "load": load, "load_after": load_now(),
            "processes": _setting("TENANT_MULTIPROCESSING_MAX_PROCESSES")}


# What deploy/entrypoint.sh runs for the company schemas, in its order (public has nothing to migrate here).
DEPLOY_MIGRATE_COMMANDS = (("migrate_template",), ("schema_template_refresh",), ("migrate_lagging",))


def _setting(name: str):
    """A setting another part of issue 14 may or may not have declared yet (the bench runs on either)."""
    from django.conf import settings

    return getattr(settings, name, None)


def _executor(options: FleetOptions) -> str | None:
    """--executor, else the EXECUTOR variable, else multiprocessing when the settings size its pool."""
    if options.executor:
        return options.executor
    if os.environ.get("EXECUTOR"):
        return os.environ["EXECUTOR"]
    return "multiprocessing" if _setting("TENANT_MULTIPROCESSING_MAX_PROCESSES") else None


def _manage(stack: BenchStack, env: dict, log_name: str, *args: str) -> float:
    log = stack.log_dir / f"fleet-{log_name}.log"
    started = time.perf_counter()
    with open(log, "ab") as out:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT, timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({done.returncode}); see {log}")
    return seconds


def _query(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _tenant_schemas() -> list[str]:
    from tenants.models import Company

    existing = {row[0] for row in _query("SELECT nspname FROM pg_namespace")}
    return [s for s in Company.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
            if s in existing]


def _tenant_schema_count() -> int:
    return len(_tenant_schemas())


def _schemas_with_probe_table() -> int:
    return _query("SELECT count(*) FROM pg_tables WHERE tablename = %s", [PROBE_APP_TABLE])[0][0]


def _probe_migration_rows() -> int:
    schemas = _tenant_schemas()
    if not schemas:
        return 0
    sql = " UNION ALL ".join(f"SELECT count(*) FROM \"{s}\".django_migrations WHERE app = 'fleet_app'"
                             for s in schemas)
    return sum(row[0] for row in _query(sql))


def _probe_app_remove() -> None:
    """Take bench/fleet_app out of every schema by SQL (its table, its migration row, its content types
    and permissions, the schema's migration marker). The bench's own cleanup, not a product path:
    `migrate_schemas fleet_app zero` would walk 1,000 schemas the slow way (~10 min) to drop one table."""
    from django.db import connection, transaction

    from tenants.migration_state import migration_marker_clear

    schemas = _tenant_schemas()
    for start in range(0, len(schemas), 100):
        with transaction.atomic(), connection.cursor() as cursor:
            for schema in schemas[start:start + 100]:
                cursor.execute(f'DROP TABLE IF EXISTS "{schema}".{PROBE_APP_TABLE};'
                               f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'fleet_app'")
                migration_marker_clear(schema_name=schema)
    _content_types_forget()


def _content_types_forget() -> None:
    """Migrating to zero leaves the app's content types and permissions (post_migrate made them): gone too."""
    from django.db import connection, transaction

    schemas = [s for s in _tenant_schemas()
               if _query("SELECT to_regclass(%s)", [f'"{s}".django_content_type'])[0][0]]
    with transaction.atomic(), connection.cursor() as cursor:
        for s in schemas:
            cursor.execute(
                f'DELETE FROM "{s}".auth_group_permissions WHERE permission_id IN (SELECT p.id FROM '
                f'"{s}".auth_permission p JOIN "{s}".django_content_type c ON c.id = p.content_type_id '
                f"WHERE c.app_label = 'fleet_app');"
                f'DELETE FROM "{s}".auth_permission WHERE content_type_id IN (SELECT id FROM '
                f"\"{s}\".django_content_type WHERE app_label = 'fleet_app');"
                f"DELETE FROM \"{s}\".django_content_type WHERE app_label = 'fleet_app'")


# --- 3. traffic: one webhook per company ---------------------------------------------------

def traffic_step(stack: BenchStack, options: FleetOptions, companies: list) -> dict:
    """One signed webhook per company, then until each company's reply reached the fake channel."""
    from bench.load import get_json

    secrets_by_domain = channels_ensure(stack, companies)
    before = get_json(stack.urls["channel"] + "/stats?brief=1")["total"]
    load = load_now()
    started = time.time()
    statuses = asyncio.run(_send_webhooks(stack, secrets_by_domain, options.rate))
    sent_s = time.time() - started
    acked = sum(1 for s in statuses if 200 <= s < 300)
    say(f"  {len(statuses)} webhooks in {sent_s:.1f}s, {acked} acked; waiting for the replies")
    arrived, stop = _wait_replies(stack, before, acked, options)
    return {"webhooks": len(statuses), "acked": acked, "non_2xx": len(statuses) - acked, "rate": options.rate,
            "send_s": round(sent_s, 1), "replies": arrived, "replies_s": round(time.time() - started, 1),
            "stop": stop, "load": load}


def channels_ensure(stack: BenchStack, companies: list) -> dict[str, str]:
    """Each company's default channel is Whaticket at the fake channel; answers domain -> inbound secret."""
    from django_tenants.utils import tenant_context

    from conversations.channels.models import Channel
    from conversations.channels.services import channel_configure
    from tenants.models import Domain

    domains = dict(Domain.objects.filter(tenant__in=companies, is_primary=True).values_list("tenant_id", "domain"))
    found, configured = {}, 0
    for company in companies:
        with tenant_context(company):
            channel = Channel.objects.filter(is_default=True).first()
            if channel is None or channel.kind != "whaticket" or channel.value("base_url") != stack.urls["channel"]:
                channel = channel_configure(kind="whaticket", base_url=stack.urls["channel"],
                                            access_token=CHANNEL_TOKEN)
                configured += 1
            found[domains[company.pk]] = channel.inbound_secret
    if configured:
        say(f"  {configured} channels pointed at the fake channel")
    return found


async def _send_webhooks(stack: BenchStack, secrets_by_domain: dict[str, str], rate: float) -> list[int]:
    from conversations.channels.whaticket import sign

    pool = HttpPool("127.0.0.1", stack.options.port, 32)
    loop = asyncio.get_running_loop()
    run_id = secrets.token_hex(3)
    start = loop.time()

    async def one(n: int, domain: str, secret: str) -> int:
        body = webhook_body(message_id=f"FLEET{run_id}{n:06d}", phone=f"55119{n:08d}", text="Olá, bom dia!",
                            name=f"Cliente {n}", at=time.time())
        for attempt in range(4):
            timestamp = str(int(time.time()))
            headers = {"Host": domain, "Content-Type": "application/json", "X-Secretaria-Timestamp": timestamp,
                       "X-Secretaria-Signature": sign(secret, timestamp, body)}
            try:
                status, _ = await pool.request("POST", "/webhook/whaticket", headers, body)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, Exception):  # noqa: BLE001 - counted
                status = 0
            if 200 <= status < 300:
                return status
            await asyncio.sleep(0.5 * 2**attempt)
        return status

    tasks = []
    for n, (domain, secret) in enumerate(sorted(secrets_by_domain.items())):
        delay = start + n / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n, domain, secret)))
    statuses = await asyncio.gather(*tasks)
    pool.close()
    return list(statuses)


def _wait_replies(stack: BenchStack, before: int, expected: int, options: FleetOptions) -> tuple[int, str]:
    from bench.load import get_json

    deadline = time.monotonic() + options.drain_max
    last, last_change, next_line = -1, time.monotonic(), 0.0
    while time.monotonic() < deadline:
        arrived = get_json(stack.urls["channel"] + "/stats?brief=1")["total"] - before
        if arrived >= expected:
            return arrived, "complete"
        if arrived != last:
            last, last_change = arrived, time.monotonic()
        elif time.monotonic() - last_change > options.stall:
            return arrived, f"no progress for {options.stall:.0f}s"
        if time.monotonic() >= next_line:
            say(f"  replies at the channel {arrived}/{expected}")
            next_line = time.monotonic() + 10
        time.sleep(1.0)
    return last, f"--drain-max {options.drain_max:.0f}s reached"


# --- 4. one dispatcher cycle ------------------------------------------------------------

def dispatch_step(stack: BenchStack, options: FleetOptions, fleet_schemas: set[str]) -> dict:
    """Beat's task for the minute cadence, sent to the real workers; watch every company's job finish."""
    from django.conf import settings

    from celery_app import app

    minute_tasks = set(settings.TENANT_PERIODIC_TASKS.get("minute", []))
    dispatched_before = _dispatched()
    latency_before = _metric_sum("secretaria_task_latency_seconds_count", tasks=minute_tasks | {RUN_TASK})
    load = load_now()
    say(f"one dispatcher cycle: tenants.dispatch_periodic('minute') to the workers ({len(minute_tasks)} jobs "
        f"per company, {len(fleet_schemas)} fleet companies)")
    t0 = time.time()
    app.send_task("tenants.dispatch_periodic", args=["minute"])
    stop, runs, last_count, last_change, next_line = "timeout", [], -1, time.monotonic(), 0.0
    while time.time() - t0 < options.cycle_max:
        runs = probe_runs(options.probe_dir, since=t0)
        dispatcher_done = any(r["schema"] == "public" and r["task"] == "tenants.dispatch_periodic" for r in runs)
        done = companies_done(runs, minute_tasks)
        # Done: the dispatcher ran and every fleet company ran all its per-minute work (a dispatcher
        # that spreads the companies over the minute is not done when the first ones are).
        if dispatcher_done and fleet_schemas <= set(done):
            stop = "complete"
            break
        if len(runs) != last_count:
            last_count, last_change = len(runs), time.monotonic()
        elif time.monotonic() - last_change > options.stall:
            stop = f"no progress for {options.stall:.0f}s"
            break
        if time.monotonic() >= next_line:
            say(f"  t={time.time() - t0:5.1f}s  companies done {len(set(done) & fleet_schemas)}/{len(fleet_schemas)}"
                f", task runs {len(runs)}")
            next_line = time.monotonic() + 5
        time.sleep(1.0)
    runs = probe_runs(options.probe_dir, since=t0)
    latency_count = _metric_sum("secretaria_task_latency_seconds_count", tasks=minute_tasks | {RUN_TASK}) \
        - latency_before
    return cycle_figures(runs, t0=t0, fleet_schemas=fleet_schemas, minute_tasks=minute_tasks, stop=stop,
                         dispatched=_dispatched() - dispatched_before, latency_count=latency_count, load=load)


def companies_done(runs: list[dict], minute_tasks: set[str]) -> dict[str, tuple[float, float]]:
    """schema -> (start, end) of its per-minute work, for the companies whose work is finished.

    One message per task: every per-minute task ended (start: the first one's, end: the last one's).
    One message per company (RUN_TASK): the run that did the work (not one that found every slot
    taken and was retried, nor a duplicate).
    """
    by_schema: dict[str, list[dict]] = {}
    for r in runs:
        if r["schema"] != "public":
            by_schema.setdefault(r["schema"], []).append(r)
    done = {}
    for schema, rs in by_schema.items():
        ran = [r for r in rs if r["task"] == RUN_TASK and r.get("state") == "SUCCESS" and r.get("retval") == "ran"]
        tasks = [r for r in rs if r["task"] in minute_tasks]
        if ran:
            done[schema] = (ran[0]["start"], ran[0]["end"])
        elif len({r["task"] for r in tasks}) >= len(minute_tasks):
            done[schema] = (min(r["start"] for r in tasks), max(r["end"] for r in tasks))
    return done


def _dispatched() -> float:
    """What the dispatcher says it sent, from its counter: per task before issue 14
    (secretaria_periodic_dispatch_total), per company after (..._dispatched_total{outcome="sent"})."""
    return sum(_metric_sum(name, labels=labels) for name, labels in (
        ("secretaria_periodic_dispatch_total", None),
        ("secretaria_periodic_dispatched_total", {"outcome": "sent"})))


def probe_runs(probe_dir: Path, *, since: float) -> list[dict]:
    """Every task run the workers' probe recorded that started at `since` or later."""
    runs = []
    for path in probe_dir.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            try:
                run = json.loads(line)
            except ValueError:
                continue  # a line being written
            if run["start"] >= since:
                runs.append(run)
    return runs


def cycle_figures(runs: list[dict], *, t0: float, fleet_schemas: set[str], minute_tasks: set[str], stop: str,
                  dispatched: float, latency_count: float, load: dict) -> dict:
    dispatchers = [r for r in runs if r["schema"] == "public" and r["task"] == "tenants.dispatch_periodic"]
    jobs = [r for r in runs if r["schema"] != "public" and (r["task"] in minute_tasks or r["task"] == RUN_TASK)]
    done = companies_done(runs, minute_tasks)
    late = [r["start"] - datetime.fromisoformat(r["eta"]).timestamp() for r in jobs if r.get("eta")]
    runtimes = [end - start for start, end in done.values()]
    slowest = max(done, key=lambda s: done[s][0]) if done else None
    last = max(done, key=lambda s: done[s][1]) if done else None
    starts = [start - t0 for start, _end in done.values()]
    return {
        "stop": stop, "dispatched": int(dispatched), "task_runs": len(jobs),
        "task_runs_by_name": dict(Counter(r["task"] for r in jobs)),
        "retried": sum(1 for r in jobs if r.get("state") == "RETRY"),
        "failed": sum(1 for r in jobs if r.get("state") not in ("SUCCESS", "RETRY")),
        "companies_done": len(done), "fleet_companies_done": len(set(done) & fleet_schemas),
        "fleet_companies": len(fleet_schemas), "worker_metric_count": int(latency_count),
        "dispatcher_s": round(max(r["end"] for r in dispatchers) - t0, 2) if dispatchers else None,
        "dispatcher_tasks": len(dispatchers),
        "span_s": round(done[last][1] - t0, 2) if last else None, "last_company": last,
        "slowest_start_s": round(done[slowest][0] - t0, 2) if slowest else None, "slowest_company": slowest,
        "start_p50_s": percentile(starts, 50), "start_p95_s": percentile(starts, 95),
        "late_after_eta_p50_s": percentile(late, 50), "late_after_eta_p99_s": percentile(late, 99),
        "late_after_eta_max_s": max(late) if late else None, "with_eta": len(late),
        "runtime_p50_s": percentile(runtimes, 50), "runtime_p95_s": percentile(runtimes, 95),
        "runtime_max_s": max(runtimes) if runtimes else None, "runtime_sum_s": round(sum(runtimes), 1),
        "load": load, "load_after": load_now(),
    }


def _metric_sum(name: str, *, tasks: set[str] | None = None, labels: dict | None = None) -> float:
    """The sum of one metric's samples over every process's files (PROMETHEUS_MULTIPROC_DIR)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return 0.0
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=path)
    total = 0.0
    for metric in registry.collect():
        for sample in metric.samples:
            if sample.name == name and (tasks is None or sample.labels.get("task") in tasks) \
                    and all(sample.labels.get(k) == v for k, v in (labels or {}).items()):
                total += sample.value
    return total


# --- 5. /metrics ----------------------------------------------------------------------

def metrics_step(stack: BenchStack) -> dict:
    """20 GETs of /metrics on gunicorn (multiprocess mode): size, series, time."""
    url = f"http://127.0.0.1:{stack.options.port}/metrics"
    load = load_now()
    times, body, errors = [], b"", {}
    for _ in range(METRICS_GETS):
        request = urllib.request.Request(url, headers={"Host": "localhost"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1 only
                body = response.read()
        except (urllib.error.URLError, OSError) as exc:  # counted: a scrape that fails is a figure too
            status = str(getattr(exc, "code", type(exc).__name__))
            errors[status] = errors.get(status, 0) + 1
            continue
        times.append((time.perf_counter() - started) * 1000)
    if not times:
        return {"bytes": 0, "series": 0, "series_with_company": 0, "companies_labelled": 0, "families": 0,
                "biggest_families": [], "first_ms": None, "p50_ms": float("nan"), "p95_ms": float("nan"),
                "max_ms": None, "errors": errors, "load": load}
    lines = [line for line in body.decode().splitlines() if line and not line.startswith("#")]
    with_company = [line for line in lines if 'company="' in line]
    companies = {line.split('company="', 1)[1].split('"', 1)[0] for line in with_company}
    families = {line.split("{", 1)[0].split(" ", 1)[0] for line in lines}
    per_family: dict[str, int] = {}
    for line in lines:
        family = line.split("{", 1)[0].split(" ", 1)[0]
        per_family[family] = per_family.get(family, 0) + 1
    biggest = sorted(per_family.items(), key=lambda kv: -kv[1])[:5]
    return {"bytes": len(body), "series": len(lines), "series_with_company": len(with_company),
            "companies_labelled": len(companies), "families": len(families), "biggest_families": biggest,
            "first_ms": round(times[0], 1), "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
            "max_ms": max(times), "errors": errors, "load": load}


# --- 6. Redis per idle company ------------------------------------------------------------

def redis_step(stack: BenchStack, options: FleetOptions, companies: list, used_before: int) -> dict:
    """Once idle: each company's keys (secretaria:<schema>:* and its cache keys, MEMORY USAGE) and used_memory."""
    client = stack.redis()
    idle = _wait_idle(stack, options, client)
    load = load_now()
    schemas = {c.schema_name for c in companies}
    per_company: dict[str, int] = dict.fromkeys(schemas, 0)
    keys_per_company: dict[str, int] = dict.fromkeys(schemas, 0)
    other_bytes, other_keys, no_ttl, kinds = 0, 0, 0, {}
    for key in client.scan_iter(count=1000):  # one pass over the keyspace, each key given to its owner
        schema, kind = _key_owner(key.decode(errors="replace"), schemas)
        size = client.memory_usage(key) or 0
        if schema is not None:
            per_company[schema] += size
            keys_per_company[schema] += 1
            kinds[kind] = kinds.get(kind, 0) + size
            if client.ttl(key) == -1:
                no_ttl += 1
        else:
            other_bytes += size
            other_keys += 1
    used_after = client.info("memory")["used_memory"]
    sizes = list(per_company.values())
    footprint = _footprint_module(client, schemas)
    return {
        "idle": idle, "companies": len(schemas), "bytes_per_company_mean": sum(sizes) / max(1, len(sizes)),
        "bytes_per_company_p50": percentile(sizes, 50), "bytes_per_company_max": max(sizes, default=0),
        "keys_per_company_mean": sum(keys_per_company.values()) / max(1, len(schemas)),
        "company_keys_without_ttl": no_ttl, "bytes_by_kind": kinds, "other_keys": other_keys,
        "other_bytes": other_bytes, "used_memory_before": used_before, "used_memory_after": used_after,
        "used_memory_delta_per_company": (used_after - used_before) / max(1, len(schemas)),
        "footprint_module": footprint, "load": load,
    }


def _key_owner(key: str, schemas: set[str]) -> tuple[str | None, str]:
    """(schema, kind) of a company's key: `secretaria:<schema>:<kind>:...` (ours) or `<schema>:...`
    (Django's cache: django_tenants.cache.make_key puts the schema first); (None, "") otherwise."""
    parts = key.split(":")
    if len(parts) > 2 and parts[0] == "secretaria" and parts[1] in schemas:
        return parts[1], parts[2]
    if len(parts) > 1 and parts[0] in schemas:
        return parts[0], "cache"
    return None, ""


def _footprint_module(client, schemas: set[str]) -> dict | None:
    """What secretaria/observability/redis_footprint.py says, when the code has it (issue 14)."""
    try:
        from secretaria.observability.redis_footprint import fleet_redis_footprint
    except ImportError:
        return None
    fleet = fleet_redis_footprint(sorted(schemas), client=client)
    biggest = fleet.max
    return {"companies": fleet.count, "mean_bytes": round(fleet.mean_bytes, 1), "total_keys": fleet.total_keys,
            "max": {"schema": biggest.schema, "bytes": biggest.bytes} if biggest else None,
            "keys_without_ttl": len(fleet.without_ttl)}


def _wait_idle(stack: BenchStack, options: FleetOptions, client, quiet: float = 5.0) -> dict:
    """Until the broker's queue is empty and no task has started for `quiet` seconds (bounded)."""
    from django.conf import settings

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    started = time.time()
    while time.time() - started < options.stall:
        runs = probe_runs(options.probe_dir, since=time.time() - quiet)
        if client.llen(queue) == 0 and not runs:
            return {"waited_s": round(time.time() - started, 1), "idle": True}
        time.sleep(1.0)
    return {"waited_s": round(time.time() - started, 1), "idle": False}


# --- pass lines and the report -------------------------------------------------------------

def pass_lines(f: dict) -> list[tuple[str, bool, str]]:
    lines = []
    full = f["companies"] >= 1000
    suffix = "" if full else f" (at {f['companies']} companies, not 1,000)"
    p = f.get("provision")
    if p:
        nth = max((int(n) for n, t in p["checkpoints"].items() if t), default=None)
        probe = p.get("probe")
        seconds = [t["seconds"] for t in ([p["checkpoints"][str(nth)]] if nth else [])] + \
                  ([probe["seconds"]] if probe else [])
        worst = max(seconds) if seconds else None
        lines.append((f"provisioning the {nth or '?'}th company" + (" and one more" if probe else "")
                      + f" <= {GOAL_PROVISION_S:g} s" + suffix,
                      worst is not None and worst <= GOAL_PROVISION_S, fmt(worst, " s", 3)))
    m = f.get("migrate")
    if m:
        lines.append((f"one migration across {m['schemas']} schemas <= {GOAL_MIGRATE_S:.0f} s" + suffix,
                      m["forward_s"] <= GOAL_MIGRATE_S and m["schemas_applied"] >= m["schemas"]
                      and not m["left_behind"],
                      f"{m['forward_s']:.1f} s ({m['schemas_applied']} applied, {m['left_behind']} left behind)"))
    d = f.get("dispatch")
    if d:
        complete = d["stop"] == "complete" and d["failed"] == 0 and d["fleet_companies_done"] == d["fleet_companies"]
        lines.append((f"one dispatcher cycle done within {GOAL_CYCLE_S:.0f} s" + suffix,
                      complete and d["span_s"] is not None and d["span_s"] <= GOAL_CYCLE_S,
                      f"{fmt(d['span_s'], ' s', 1)} ({d['stop']}, {d['failed']} failed)"))
    t = f.get("traffic")
    if t:
        lines.append(("every webhook acked and answered", t["non_2xx"] == 0 and t["replies"] >= t["acked"],
                      f"{t['acked']}/{t['webhooks']} acked, {t['replies']} replies"))
    mt = f.get("metrics")
    if mt:
        lines.append((f"/metrics <= {GOAL_METRICS_BYTES // 2**20} MB" + suffix, 0 < mt["bytes"] <= GOAL_METRICS_BYTES,
                      f"{mt['bytes'] / 2**20:.2f} MB"))
        lines.append((f"/metrics p95 <= {GOAL_METRICS_P95_MS:.0f} ms" + suffix,
                      not mt.get("errors") and mt["p95_ms"] <= GOAL_METRICS_P95_MS,
                      fmt(mt["p95_ms"], " ms")))
    r = f.get("redis")
    if r:
        lines.append((f"Redis <= {GOAL_REDIS_PER_COMPANY // 1024} KiB per idle company",
                      r["idle"]["idle"] and r["bytes_per_company_mean"] <= GOAL_REDIS_PER_COMPANY,
                      f"{r['bytes_per_company_mean'] / 1024:.2f} KiB"))
    return lines


def _fmt_each(figures: dict, *keys: str, unit: str = " s", digits: int = 1) -> str:
    """Several figures of one kind, "a / b / c" (p50 / p95 / max...)."""
    return " / ".join(fmt(figures[key], unit, digits) for key in keys)


def report(f: dict) -> str:
    parts = ["", table([
        ("scenario", f"fleet: {f['companies']:,} companies; steps {', '.join(f['steps'])}"),
        ("code", f["commit"]),
        ("machine at the start", _with_load("", f["load_at_start"]).strip()),
    ], "Secretaria bench: " + f["when"])]
    p = f.get("provision")
    if p:
        rows = [("timed so far", f"{p['timed']:,} companies ({p['provisioned_now']:,} in this run), "
                                 f"{p['total_s']:,} s in all")]
        for n, t in p["checkpoints"].items():
            rows.append((f"the {int(n):,}th", _with_load(f"{t['seconds']:.3f} s ({t['at']})",
                                                        {"loadavg": t["load"], "cpus": os.cpu_count()})
                         if t else "n/a"))
        probe = p.get("probe")
        if probe:
            schema = f", schema step {probe['schema_seconds']:.3f} s" if probe.get("schema_seconds") else ""
            rows.append((f"one more now (row {probe['companies_before'] + 1:,})",
                         _with_load(f"{probe['seconds']:.3f} s{schema} (then removed)", probe["load"])))
        for d in p["deciles"]:
            schema = f"; schema step p50 {d['schema_p50_s']:.3f} s" if d.get("schema_p50_s") is not None else ""
            rows.append((f"  #{d['from']:,}-{d['to']:,} p50 / p95 / max",
                         f"{d['p50_s']:.3f} / {d['p95_s']:.3f} / {d['max_s']:.3f} s{schema}   "
                         f"[mean load {d['load1_mean']}]"))
        parts += ["", table(rows, "1. Provisioning (tenants.services.company_provision, one at a time)")]
    m = f.get("migrate")
    if m:
        parts += ["", table([
            ("executor", f"{m['executor']} (TENANT_MULTIPROCESSING_MAX_PROCESSES: {m['processes']})"),
            ("apply one migration (the deploy's steps)",
             _with_load(f"{m['forward_s']:.1f} s into {m['schemas_applied']:,} of {m['schemas']:,} schemas",
                        m["load"])),
            *((f"  {command}", f"{seconds:.1f} s") for command, seconds in m.get("forward_steps_s", {}).items()),
            ("remove it again (SQL, no goal)", _with_load(f"{m['backward_s']:.1f} s; left behind {m['left_behind']}",
                                                  m["load_after"])),
        ], "2. The deploy's migrate step: bench/fleet_app 0001 across every schema")]
    t = f.get("traffic")
    if t:
        parts += ["", table([
            ("webhooks", _with_load(f"{t['webhooks']:,} at {t['rate']:g}/s in {t['send_s']} s: {t['acked']:,} "
                                    f"acked, {t['non_2xx']} not", t["load"])),
            ("replies at the channel", f"{t['replies']:,} after {t['replies_s']} s ({t['stop']})"),
        ], "3. Traffic: one webhook per company")]
    d = f.get("dispatch")
    if d:
        parts += ["", table([
            ("dispatched", _with_load(f"{d['dispatched']:,} jobs by {d['dispatcher_tasks']} dispatcher task(s), "
                                      f"done {fmt(d['dispatcher_s'], ' s', 2)} after the send", d["load"])),
            ("task runs", f"{d['task_runs']:,} ({d['retried']} retried, {d['failed']} failed): "
                          f"{d['task_runs_by_name']}; the workers' latency metric counted "
                          f"{d['worker_metric_count']:,}"),
            ("fleet companies done", f"{d['fleet_companies_done']:,} of {d['fleet_companies']:,} ({d['stop']})"),
            ("cycle span: dispatch to last company done", _with_load(
                f"{fmt(d['span_s'], ' s', 1)} (last: {d['last_company']})", d["load_after"])),
            ("company start delay p50 / p95 / slowest",
             f"{_fmt_each(d, 'start_p50_s', 'start_p95_s', 'slowest_start_s')} ({d['slowest_company']})"),
            ("job start after its ETA p50 / p99 / max",
             f"{_fmt_each(d, 'late_after_eta_p50_s', 'late_after_eta_p99_s', 'late_after_eta_max_s', digits=2)} "
             f"({d['with_eta']:,} jobs with an ETA)"),
            ("company's work p50 / p95 / max, sum",
             f"{_fmt_each(d, 'runtime_p50_s', 'runtime_p95_s', 'runtime_max_s', digits=3)}, {d['runtime_sum_s']} s"),
        ], "4. One dispatcher cycle (tenants.dispatch_periodic 'minute', seconds from the send)")]
    mt = f.get("metrics")
    if mt:
        parts += ["", table([
            ("size", _with_load(f"{mt['bytes']:,} bytes ({mt['bytes'] / 2**20:.2f} MB), {mt['series']:,} series "
                                f"in {mt['families']} families", mt["load"])),
            ("series with a company label", f"{mt['series_with_company']:,} ({mt['companies_labelled']:,} companies)"),
            ("biggest families", ", ".join(f"{k} {v:,}" for k, v in mt["biggest_families"])),
            (f"GET time p50 / p95 / max ({METRICS_GETS})", f"{fmt(mt['p50_ms'])} / {fmt(mt['p95_ms'])} / "
                                                            f"{fmt(mt['max_ms'])} ms (first {mt['first_ms']} ms); "
                                                            f"failed: {mt.get('errors') or 0}"),
        ], "5. /metrics (gunicorn, multiprocess mode)")]
    r = f.get("redis")
    if r:
        parts += ["", table([
            ("idle", f"{'yes' if r['idle']['idle'] else 'NO'} after {r['idle']['waited_s']} s"),
            ("per company (its keys) mean / p50 / max", _with_load(
                f"{r['bytes_per_company_mean']:,.0f} / {r['bytes_per_company_p50']:,.0f} / "
                f"{r['bytes_per_company_max']:,} bytes, {r['keys_per_company_mean']:.1f} keys", r["load"])),
            ("by kind (all companies)", ", ".join(f"{k} {v:,}" for k, v in sorted(r["bytes_by_kind"].items()))),
            ("company keys without a TTL", f"{r['company_keys_without_ttl']:,}"),
            ("other keys (broker, shared)", f"{r['other_keys']:,} keys, {r['other_bytes']:,} bytes"),
            ("used_memory start -> idle", f"{r['used_memory_before']:,} -> {r['used_memory_after']:,} bytes: "
                                          f"{r['used_memory_delta_per_company']:,.0f} per company (broker included)"),
            ("redis_footprint (the app's own figure)", str(r["footprint_module"])),
        ], "6. Redis per idle company")]
    parts += ["", table([(name, f"{'PASS' if ok else 'FAIL'}  {value}") for name, ok, value in f["pass"]],
                        "Pass lines " + _with_load("", f["load_at_end"]).strip())]
    return "\n".join(parts) + "\n"


def stack_options(options: FleetOptions) -> dict:
    """What the fleet scenario changes in the stack: the probe in every worker, --fresh, no needless migrate."""
    return {"worker_args": ["--include", "bench.fleet_probe"], "fresh_database": options.fresh,
            "tenant_migrate_if_lagging": True}
