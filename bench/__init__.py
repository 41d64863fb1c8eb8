"""`make bench`: load benchmarks and reliability scenarios against the real stack.

    make bench                                  # the main scenario (replies), default sizes
    make bench ARGS="--rate 50 --seconds 20"    # smaller
    make bench ARGS="r1"                        # kill -9 the worker repeatedly (docs/reliability.md R1)
    make bench ARGS="r3"                        # Redis restarted empty (R3)
    make bench ARGS="reminders"                 # one beat cycle over 100 companies x 1,000 appointments
    make bench ARGS="reminders --companies 5 --appointments 200 --due 50"
    make bench ARGS="compare --configs prefork:2:1,threads:32:1"
    make bench ARGS="metering"                  # the main scenario with usage metering on, then off
    make bench ARGS="analytics"                 # one nightly report run over 200 companies, and the API's p95
    make bench ARGS="analytics --companies 5 --days 3"
    make bench ARGS="analytics --api-only"      # the API's p95 again on the history a previous run seeded
    make bench ARGS="fleet --companies 1000"    # provisioning, migrations, dispatcher, /metrics, Redis at 1,000
    make bench ARGS="fleet --companies 50 --steps dispatch,migrate"

Never part of `make test`. See bench/README.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SCENARIOS = ("replies", "r1", "r3", "compare", "reminders", "metering", "analytics", "fleet")
DEFAULT_CONFIGS = "prefork:2:1,threads:16:1,threads:32:1,threads:64:1,threads:32:2"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog='make bench ARGS="..."', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", nargs="?", default="replies", choices=SCENARIOS)
    load = p.add_argument_group("load")
    load.add_argument("--rate", type=float, help="webhooks per second (replies/compare: 200; r1/r3: 50)")
    load.add_argument("--seconds", type=float, help="seconds of load (default 60)")
    load.add_argument("--contacts", type=int, default=2000, help="distinct phones, round-robin (default 2000)")
    load.add_argument("--connections", type=int, default=256, help="keep-alive connections at most")
    load.add_argument("--retries", type=int, default=5, help="provider-like retries of a failed webhook")
    load.add_argument("--drain-max", type=float, help="seconds to wait for the backlog at most (default 1800)")
    load.add_argument("--stall", type=float, help="stop draining after this long without progress "
                                                  "(replies: 120; r1/r3: 240)")
    load.add_argument("--json", type=Path, help="where to write the figures (default .data/bench/last.json)")
    stack = p.add_argument_group("stack")
    stack.add_argument("--workers", type=int, default=2,
                       help="Celery worker processes, one per core by default (2); 0: the webhook path alone "
                            "(P1), no replies")
    stack.add_argument("--pool", choices=("prefork", "threads", "solo"), help="Celery pool (default: prefork)")
    stack.add_argument("--concurrency", type=int, help="Celery -c (default: CELERY_WORKER_CONCURRENCY)")
    stack.add_argument("--web-workers", type=int, help="gunicorn workers (default: gunicorn_conf)")
    stack.add_argument("--web-threads", type=int, help="gunicorn threads per worker (default: gunicorn_conf)")
    stack.add_argument("--no-beat", action="store_true", help="do not run beat (not allowed for r3)")
    stack.add_argument("--debounce", type=float, help="DEBOUNCE_SECONDS for the app (default: settings)")
    stack.add_argument("--llm", choices=("fake", "local"), default="fake",
                       help="fake: the fake OpenAI-compatible server (when the code can be configured for it)")
    stack.add_argument("--llm-delay", type=float, default=0.3, help="fake LLM answer time in seconds")
    stack.add_argument("--send-delay", type=float, default=0.0, help="fake channel answer time in seconds")
    stack.add_argument("--port", type=int, default=8100, help="web port; the fakes use the next two")
    stack.add_argument("--database", help="database name on the PostgreSQL server (default secretaria_bench): "
                                          "with --bench-dir and --port, runs beside another bench")
    stack.add_argument("--bench-dir", type=Path, help="logs, metrics and figures (default .data/bench)")
    stack.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                       help="extra environment for the app processes (repeatable)")
    chaos = p.add_argument_group("r1 / r3 / compare")
    chaos.add_argument("--kills", type=int, default=4, help="r1: how many kill -9 rounds")
    chaos.add_argument("--kill-every", type=float, default=12.0, help="r1: seconds between kills")
    chaos.add_argument("--down", type=float, help="r1: seconds the worker stays dead (1); r3: Valkey down (3)")
    chaos.add_argument("--at", type=float, default=20.0, help="r3: seconds into the load to restart Valkey")
    chaos.add_argument("--configs", default=DEFAULT_CONFIGS,
                       help="compare: pool:concurrency:processes, comma-separated")
    met = p.add_argument_group("metering")
    met.add_argument("--rounds", type=int, default=3,
                     help="metering: rounds of (on, off) runs, alternating which goes first (default 3)")
    rem = p.add_argument_group("reminders")
    rem.add_argument("--companies", type=int,
                     help="companies rbench-001... (default 100); analytics: abench-001... (default 200); "
                          "fleet: fbench-0001... (default 1000)")
    rem.add_argument("--appointments", type=int, default=1000, help="appointments per company (default 1000)")
    rem.add_argument("--due", type=int, default=100,
                     help="reminders due in the measured cycle, per company (default 100)")
    rem.add_argument("--backlog", type=float, default=10.0,
                     help="the due reminders fell due over the last this many minutes (default 10)")
    rem.add_argument("--professionals", type=int, default=2, help="professionals per company (default 2)")
    rem.add_argument("--cycle-max", type=float, default=900.0,
                     help="seconds to watch the cycle at most (default 900)")
    rem.add_argument("--seed-only", action="store_true", help="provision and seed, check the seed, measure nothing")
    ana = p.add_argument_group("analytics")
    ana.add_argument("--days", type=int, default=30, help="days of history per company (default 30)")
    ana.add_argument("--messages", type=int, default=500, help="messages per company per day (default 500)")
    ana.add_argument("--bookings", type=int, default=20, help="bookings per company per day (default 20)")
    ana.add_argument("--requests", type=int, default=200, help="API requests per endpoint (default 200)")
    ana.add_argument("--skip-seed", action="store_true",
                     help="analytics: keep the history a previous run seeded (same day), then backfill, nightly, API")
    ana.add_argument("--api-only", action="store_true",
                     help="analytics: measure the API again on the companies a previous run seeded (no seed, "
                          "backfill or nightly run)")
    fleet = p.add_argument_group("fleet")
    fleet.add_argument("--fresh", action="store_true",
                       help="fleet: drop the database (secretaria_fleet) and provision every company again")
    fleet.add_argument("--steps", default="all",
                       help="fleet: comma-separated steps among provision,traffic,dispatch,metrics,redis,migrate "
                            "(default all; the companies must exist unless provision is one of them)")
    fleet.add_argument("--executor", choices=("standard", "multiprocessing"),
                       help="fleet: migrate_schemas --executor (default: multiprocessing when the settings size "
                            "its pool, else standard)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    from bench import analytics, fleet, metering, reminders, replies
    from bench.metering import metering_figures, metering_report
    from bench.scenarios import r1_kill_worker, r3_redis_restart
    from bench.stack import DEFAULT_BENCH_DIR, DEFAULT_DATABASE, BenchStack, StackOptions, WorkerConfig, say

    defaults = {"rate": 200.0, "seconds": 60.0, "stall": 120.0, "drain_max": 1800.0}
    if args.scenario == "r1":
        defaults.update(r1_kill_worker.DEFAULTS)
    elif args.scenario == "r3":
        defaults.update(r3_redis_restart.DEFAULTS)
    options = replies.RunOptions(
        rate=args.rate or defaults["rate"], seconds=args.seconds or defaults["seconds"], contacts=args.contacts,
        connections=args.connections, retries=args.retries, drain_max=args.drain_max or defaults["drain_max"],
        stall=args.stall or defaults["stall"], json_path=args.json,
    )
    extra_env = dict(item.split("=", 1) for item in args.env if "=" in item)
    bench_dir = args.bench_dir.resolve() if args.bench_dir else DEFAULT_BENCH_DIR
    fleet_options = _fleet_options(args, bench_dir, extra_env) if args.scenario == "fleet" else None
    if args.scenario in ("reminders", "analytics", "fleet"):
        # Beat would fire at an arbitrary moment of the seed: the bench dispatches the one measured cycle.
        args.no_beat = True
        # ...and times the work itself: the dispatcher's spread over the period (tenants/dispatch.py) would
        # only add its own waiting (40 s a minute, 30 min an hour).
        for cadence in ("MINUTE", "HOURLY"):
            extra_env.setdefault(f"PERIODIC_{cadence}_SPREAD", "0")
    stack_options = StackOptions(
        port=args.port, workers=WorkerConfig(args.workers, args.pool, args.concurrency), beat=not args.no_beat,
        web_workers=args.web_workers, web_threads=args.web_threads, debounce=args.debounce, llm=args.llm,
        llm_delay=args.llm_delay, send_delay=args.send_delay, extra_env=extra_env,
        database=args.database or (fleet.DATABASE if fleet_options else DEFAULT_DATABASE), bench_dir=bench_dir,
        **(fleet.stack_options(fleet_options) if fleet_options else {}),
    )
    try:
        with BenchStack(stack_options) as stack:
            if args.scenario == "r1":
                figures = r1_kill_worker.scenario(stack, options, kills=args.kills, every=args.kill_every,
                                                  down=args.down if args.down is not None else 1.0)
                return 0 if figures["integrity"]["lost"] == 0 else 1
            if args.scenario == "r3":
                figures = r3_redis_restart.scenario(stack, options, at=args.at,
                                                    down=args.down if args.down is not None else 3.0)
                return 0 if figures["integrity"]["lost"] == 0 else 1
            if args.scenario == "reminders":
                figures = reminders.run(stack, reminders.ReminderOptions(
                    companies=args.companies or 100, appointments=args.appointments, due=args.due,
                    backlog_minutes=args.backlog, professionals=args.professionals, cycle_max=args.cycle_max,
                    stall=args.stall or defaults["stall"], seed_only=args.seed_only, json_path=args.json))
                return 0 if all(ok for _name, ok, _value in figures.get("pass", [])) else 1
            if args.scenario == "analytics":
                figures = analytics.run(stack, analytics.AnalyticsOptions(
                    companies=args.companies or 200, days=args.days, messages=args.messages, bookings=args.bookings,
                    requests=args.requests, cycle_max=args.cycle_max, api_only=args.api_only, skip_seed=args.skip_seed,
                    json_path=args.json))
                return 0 if all(ok for _name, ok, _value in figures["pass"]) else 1
            if args.scenario == "fleet":
                figures = fleet.run(stack, fleet_options)
                return 0 if all(ok for _name, ok, _value in figures["pass"]) else 1
            if args.scenario == "compare":
                compare(stack, options, args.configs)
                return 0
            if args.scenario == "metering":
                runs = metering.scenario(stack, options, rounds=args.rounds)
                return 0 if all(ok for fs in runs.values() for f in fs for _name, ok, _value in f["pass"]) else 1
            figures = replies.run(stack, options)
            metered = extra_env.get("BILLING_METERING", "1") not in ("0", "false")
            figures["metering"] = metering_figures(metering=metered)
            print(metering_report(figures["metering"]), flush=True)
            return 0 if all(ok for _name, ok, _value in figures["pass"]) else 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130


def _fleet_options(args, bench_dir: Path, extra_env: dict[str, str]):
    """The fleet scenario's options; its workers' probe writes under `bench_dir` (emptied now, before they start)."""
    import shutil

    from bench import fleet

    steps = fleet.STEPS if args.steps == "all" else tuple(s.strip() for s in args.steps.split(",") if s.strip())
    unknown = [s for s in steps if s not in fleet.STEPS]
    if unknown:
        raise SystemExit(f"unknown fleet steps: {', '.join(unknown)} (choose among {', '.join(fleet.STEPS)})")
    probe_dir = bench_dir / "fleet-probe"
    shutil.rmtree(probe_dir, ignore_errors=True)
    probe_dir.mkdir(parents=True)
    extra_env["BENCH_FLEET_PROBE_DIR"] = str(probe_dir)
    return fleet.FleetOptions(
        companies=args.companies or 1000, fresh=args.fresh, steps=steps, rate=args.rate or 20.0,
        executor=args.executor, drain_max=args.drain_max or 600.0, cycle_max=args.cycle_max,
        stall=args.stall or 120.0, probe_dir=probe_dir, json_path=args.json)


def compare(stack, options, configs: str) -> None:
    """The main scenario once per worker configuration, then one table side by side."""
    import json

    from bench import replies
    from bench.load import fmt, table
    from bench.stack import WorkerConfig

    rows, results = [], []
    for spec in configs.split(","):
        pool, concurrency, processes = (spec.strip().split(":") + ["1"])[:3]
        config = WorkerConfig(int(processes), pool, int(concurrency))
        stack.reset(config)
        json_path = stack.options.bench_dir / f"compare-{pool}-{concurrency}x{processes}.json"
        run_options = replies.RunOptions(**{**vars(options), "label": f"compare {config.label()}",
                                            "json_path": json_path})
        figures = replies.run(stack, run_options)
        results.append(figures)
        w, r, i, res = figures["webhooks"], figures["replies"], figures["integrity"], figures["resources"]
        rows.append((config.label(), f"{fmt(r['per_min'], digits=0):>7} replies/min"
                     f" ({fmt(r['messages_answered_per_min'], digits=0)} msgs/min)"
                     f"  peak {fmt(r['per_min_peak_60s'], digits=0):>7}"
                     f"  ack p99 {fmt(w['ack_p99_ms'], ' ms'):>10}  reply p50/p99 {fmt(r['latency_p50_s'], 's')}"
                     f"/{fmt(r['latency_p99_s'], 's')}  lost {i['lost']}  dup {i['duplicated']}"
                     f"  RSS {fmt(res['worker_rss_max_mib'], ' MiB')}  CPU-ms/msg "
                     f"{fmt(res['cpu_ms_per_message_worker_web'])}"))
    print(table(rows, "Worker configurations compared"), flush=True)
    (stack.options.bench_dir / "compare.json").write_text(json.dumps(results, indent=2, default=str))
