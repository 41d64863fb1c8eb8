"""Usage metering in the bench: the bench company never hits a quota, counters start from zero with
the rows, and the figures state the drift between the Redis counters and the PostgreSQL rows.

`make bench ARGS="metering"` runs the main scenario twice in one sitting, with metering on and then
off (`BILLING_METERING=0` in every app process), and prints both side by side with the differences in
replies/min, ack p99 and CPU-ms per message (issue 10's goal: within 5 %), and the drift after the
metered run (goal 0).
"""

from __future__ import annotations

import json

from bench.load import fmt, table
from bench.stack import SLUG, Proc, say

BENCH_PLAN = "bench-sem-limites"
KINDS = ("messages", "ai_tokens", "outreach", "handoffs")


def metering_prepare(company) -> None:
    """Put the bench company on a plan without limits (0 = unlimited): metering counts, never blocks.

    A run sends more messages than any sold plan allows; a paused reply would read as a lost one.
    """
    from billing.models import Plan, Subscription

    plan, _ = Plan.objects.update_or_create(code=BENCH_PLAN, defaults={
        "name": "Bench (sem limites)", "price_cents": 0, "monthly_messages": 0, "monthly_llm_tokens": 0,
        "monthly_outreach": 0, "is_active": False})
    Subscription.objects.filter(company=company).update(plan=plan)


def metering_reset(redis_client) -> None:
    """Called with the bench's data reset: the usage counters and roll-up go with the rows they count."""
    from billing.metering.models import UsageDaily

    for key in redis_client.scan_iter(match=f"secretaria:{SLUG}:usage:*"):
        redis_client.delete(key)
    UsageDaily.objects.filter(company__slug=SLUG).delete()


def metering_figures(*, metering: bool = True) -> dict:
    """Per kind: the Redis counter, the roll-up (recomputed now) and the rows; drift = Redis - rows."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from billing.metering import counters
    from billing.metering.models import UsageDaily
    from billing.metering.periods import period_bounds, period_of
    from billing.metering.services import usage_rollup
    from billing.metering.sources import facts_totals
    from secretaria.redis_client import get_redis
    from tenants.models import Company

    company = Company.objects.get(slug=SLUG)
    period = period_of()
    with schema_context(SLUG):
        live = counters.as_dict(get_redis().hgetall(counters.usage_key(period=period)))
        rows = facts_totals(*period_bounds(period))
        usage_rollup(company=company, first_day=period, last_day=timezone.localdate())
    rolled: dict[str, int] = {}
    for kind, quantity in UsageDaily.objects.filter(company=company, day__gte=period).values_list("kind", "quantity"):
        rolled[kind] = rolled.get(kind, 0) + quantity
    built = metering and counters.BUILT in live
    figures = {kind: {"redis": counters.used_of(live, kind) if built else None, "rollup": rolled.get(kind, 0),
                      "rows": rows.get(kind, 0)} for kind in KINDS}
    for values in figures.values():
        values["drift"] = None if values["redis"] is None else values["redis"] - values["rows"]
    return figures


def metering_report(figures: dict) -> str:
    rows = [(kind, f"Redis {fmt(v['redis'], digits=0) if v['redis'] is not None else '—':>8}  "
                   f"UsageDaily {v['rollup']:>8}  rows {v['rows']:>8}  drift "
                   f"{v['drift'] if v['drift'] is not None else '— (metering off)'}")
            for kind, v in figures.items()]
    return table(rows, "Usage metering: Redis counters vs PostgreSQL rows")


def _restart_app(stack, metering: bool) -> None:
    stack.env["BILLING_METERING"] = "1" if metering else "0"
    stack.web.stop()
    stack.web = Proc("web", stack.web.cmd, stack.env, stack.log_dir)
    stack.reset(stack.worker_config)
    if not stack._wait_web_ready():
        raise SystemExit(f"the stack did not become ready; see {stack.log_dir}")


def scenario(stack, options, *, rounds: int = 3) -> dict:
    """The main scenario with metering on and off, in one sitting; the order alternates per round
    (on/off, then off/on) so that neither side always gets the warmer stack. The comparison takes the
    median of the rounds (one noisy run on a shared 2-core box moves a mean by several per cent) and
    shows every run beside it."""
    from bench import replies

    results: dict[str, list[dict]] = {"metering on": [], "metering off": []}
    for round_no in range(rounds):
        for metering in ((True, False) if round_no % 2 == 0 else (False, True)):
            label = "metering on" if metering else "metering off"
            say(f"{label} (round {round_no + 1}): restarting web and workers with BILLING_METERING={int(metering)}")
            _restart_app(stack, metering)
            path = stack.options.bench_dir / f"metering-{int(metering)}-{round_no + 1}.json"
            figures = replies.run(stack, replies.RunOptions(**{**vars(options), "label": label, "json_path": path}))
            figures["metering"] = metering_figures(metering=metering)
            print(metering_report(figures["metering"]), flush=True)
            results[label].append(figures)
    print(comparison(results["metering on"], results["metering off"]), flush=True)
    (stack.options.bench_dir / "metering.json").write_text(json.dumps(results, indent=2, default=str))
    return results


def _delta(on: float | None, off: float | None) -> str:
    if not on or not off:
        return "—"
    return f"{(on - off) * 100 / off:+.1f} %"


def _median(runs: list[dict], get) -> float | None:
    values = sorted(get(f) for f in runs if get(f) is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def comparison(on: list[dict], off: list[dict]) -> str:
    pick = {
        "replies/min": lambda f: f["replies"]["per_min"],
        "ack p99 (ms)": lambda f: f["webhooks"]["ack_p99_ms"],
        "CPU-ms per message (worker + web)": lambda f: f["resources"]["cpu_ms_per_message_worker_web"],
    }
    rows = []
    for name, get in pick.items():
        a, b = _median(on, get), _median(off, get)
        each = "  runs on " + " ".join(fmt(get(f)) for f in on) + " / off " + " ".join(fmt(get(f)) for f in off)
        rows.append((f"{name} (median of {len(on)})", f"on {fmt(a)}  off {fmt(b)}  difference {_delta(a, b)}{each}"))
    for n, run in enumerate(on, start=1):
        drift = {kind: v["drift"] for kind, v in run["metering"].items()}
        rows.append((f"drift after metered run {n} (Redis - rows)", json.dumps(drift)))
    return table(rows, "Metering on vs off (goal: within 5 %; drift 0)")
