"""The main scenario: many contacts, signed webhooks at a fixed rate, every reply counted.

One run = reset the data, start sampling, send `rate x seconds` webhooks from `contacts`
phones in round-robin (so a contact speaks once every `contacts / rate` seconds: one
message per debounce window, one expected reply each), then drain: wait until PostgreSQL
has nothing left to answer or send and the fake channel has every reply, or until no
progress is made for `--stall` seconds. Then the figures, from three sources:

- the generator: ack status and latency of every webhook (from its due time);
- the fake channel: every reply with its arrival time (replies/min, reply latency);
- PostgreSQL: which inbound message each reply answered (the outbox idempotency key
  `reply:<first id>:<last id>`), what is still unanswered or unsent (lost), and how many
  outbox rows each contact has — more arrivals at the channel than rows is a duplicate.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.load import (
    LoadPlan,
    Sampler,
    channel_records,
    figures_save,
    fmt,
    get_json,
    percentile,
    run_load,
    table,
)
from bench.stack import DOMAIN, SLUG, BenchStack, say
from secretaria import gunicorn_conf

REPLY_KEY = re.compile(r"^reply:(\d+):(\d+)$")
PASS_REPLIES_PER_MIN = 3000
PASS_ACK_P99_MS = 50
PASS_RSS_MIB = 200


@dataclass
class RunOptions:
    rate: float = 200
    seconds: float = 60
    contacts: int = 2000
    connections: int = 256
    retries: int = 5
    drain_max: float = 1800
    stall: float = 120
    json_path: Path | None = None
    label: str = "replies"


# Runs in a thread during the load; records what it does with stack.note().
Chaos = Callable[[BenchStack, threading.Event], None]


def run(stack: BenchStack, options: RunOptions, *, chaos: Chaos | None = None) -> dict:
    """One measured run on a prepared stack (data already reset). Returns the figures."""
    from django.conf import settings

    debounce = float(settings.DEBOUNCE_SECONDS)
    spacing = options.contacts / options.rate
    if spacing < 3 * debounce:
        say(f"warning: a contact speaks every {spacing:.1f}s, close to the {debounce}s debounce: "
            "messages will be grouped and replies will be fewer than messages")
    plan = LoadPlan(rate=options.rate, seconds=options.seconds, contacts=options.contacts,
                    run_id=f"{int(time.time()):x}", host=DOMAIN, port=stack.options.port, secret=stack.secret,
                    connections=options.connections, retries=options.retries)
    say(f"{options.label}: {plan.total:,} webhooks at {options.rate:g}/s for {options.seconds:g}s from "
        f"{options.contacts:,} contacts; workers {stack.worker_config.label()}; engine {stack.engine}")
    sampler = Sampler(stack.process_groups())
    sampler.start()
    stop = threading.Event()
    first_event = len(stack.events)
    chaos_thread = None
    if chaos is not None:
        chaos_thread = threading.Thread(target=chaos, args=(stack, stop), name="chaos", daemon=True)
        chaos_thread.start()
    progress = threading.Thread(target=_progress, args=(stack, plan, stop), name="progress", daemon=True)
    progress.start()
    watchdog = threading.Thread(target=_watchdog, args=(stack, stop), name="watchdog", daemon=True)
    watchdog.start()
    started = time.time()
    try:
        asyncio.run(run_load(plan))
        load_ended = time.time()
        if stack.worker_config.processes:
            drained = _drain(stack, plan, options, stop)
        else:  # --workers 0: the webhook path alone (P1), nothing will be answered
            drained = {"skipped": "no workers (--workers 0): ingest only"}
    finally:
        stop.set()
        if chaos_thread is not None:
            chaos_thread.join(timeout=120)
        progress.join(timeout=15)
        watchdog.join(timeout=15)
        sampler.stop()
    figures = analyse(stack=stack, plan=plan, sampler=sampler, started=started, load_ended=load_ended,
                      drained=drained, debounce=debounce, options=options)
    figures["events"] = stack.events[first_event:]
    print(report(figures), flush=True)
    say(f"figures written to {figures_save(figures, options.json_path or stack.options.bench_dir / 'last.json')}")
    return figures


def _progress(stack: BenchStack, plan: LoadPlan, stop: threading.Event) -> None:
    """A line every 10 s while the load runs, so a long run shows it is alive."""
    while not stop.wait(10):
        if len(plan.sent) >= plan.total:
            return
        acked = sum(1 for s in plan.sent if s.acked_at)
        try:
            replies = get_json(stack.urls["channel"] + "/stats?brief=1")["total"]
        except OSError:
            replies = "?"
        say(f"  sent {len(plan.sent):,}/{plan.total:,}, acked {acked:,}, replies at the channel {replies:,}"
            if isinstance(replies, int) else f"  sent {len(plan.sent):,}/{plan.total:,}, acked {acked:,}")


def _watchdog(stack: BenchStack, stop: threading.Event) -> None:
    while not stop.wait(1):
        stack.restart_crashed()


def _drain(stack: BenchStack, plan: LoadPlan, options: RunOptions, stop: threading.Event) -> dict:
    """Wait until everything acked is answered and every reply reached the channel."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from conversations.models import Message, Outbox

    started = time.monotonic()
    last_change, last_state, state = started, None, {}
    acked = sum(1 for s in plan.sent if s.acked_at)
    next_line = started
    while time.monotonic() - started < options.drain_max:
        with schema_context(SLUG):
            inbound = _states(Message.objects.filter(direction=Message.Direction.IN))
            outbox = _states(Outbox.objects.all())
        channel = get_json(stack.urls["channel"] + "/stats?brief=1")["total"]
        open_in = inbound.get("received", 0) + inbound.get("processing", 0)
        open_out = outbox.get("pending", 0) + outbox.get("sending", 0)
        stored = sum(inbound.values())
        state = {"stored": stored, "open_inbound": open_in, "open_outbox": open_out,
                 "outbox_sent": outbox.get("sent", 0), "channel": channel, "inbound": dict(inbound),
                 "outbox": dict(outbox)}
        if stored >= acked and open_in == 0 and open_out == 0 and channel >= outbox.get("sent", 0):
            state["complete"] = True
            break
        snapshot = (open_in, open_out, channel, outbox.get("sent", 0))
        if snapshot != last_state:
            last_state, last_change = snapshot, time.monotonic()
        elif time.monotonic() - last_change > options.stall:
            say(f"drain: no progress for {options.stall:.0f}s; giving up")
            break
        if time.monotonic() >= next_line:
            say(f"  drain: {open_in:,} inbound waiting, {open_out:,} replies unsent, "
                f"{channel:,} replies at the channel")
            next_line = time.monotonic() + 10
        time.sleep(1)
    connection.close()
    state["seconds"] = round(time.monotonic() - started, 1)
    state["ended_at"] = time.time()  # R1 measures the drain from the last worker restart
    return state


def _states(queryset) -> Counter:
    from django.db.models import Count

    return Counter({row["state"]: row["n"] for row in queryset.values("state").annotate(n=Count("id"))})


# --- analysis -------------------------------------------------------------------------

def analyse(*, stack: BenchStack, plan: LoadPlan, sampler: Sampler, started: float, load_ended: float,
            drained: dict, debounce: float, options: RunOptions) -> dict:
    from django.conf import settings
    from django_tenants.utils import schema_context

    from conversations.models import DeadLetter, LLMCall, Message, Outbox

    sent = plan.sent
    records = channel_records(stack.urls["channel"])
    llm_stats = get_json(stack.urls["llm"] + "/stats")
    with schema_context(SLUG):
        inbound = list(Message.objects.filter(direction=Message.Direction.IN)
                       .values_list("pk", "provider_message_id", "state", "contact__phone"))
        outbox = list(Outbox.objects.values_list("idempotency_key", "state", "sent_at", "attempts",
                                                 "message__contact__phone"))
        dead_letters = DeadLetter.objects.count()
        llm_calls = Counter(LLMCall.objects.values_list("provider", flat=True))

    acked = [s for s in sent if s.acked_at]
    by_id = {s.message_id: s for s in sent}
    row_of = {mid: (pk, state, phone) for pk, mid, state, phone in inbound}
    arrivals: dict[str, list[float]] = defaultdict(list)
    for number, _body, at in records:
        arrivals[number].append(at)
    # Which inbound rows each reply answered, from its idempotency key.
    covered: dict[int, str] = {}  # inbound pk -> the idempotency key of its reply
    key_state: dict[str, str] = {}
    rows_per_phone: Counter = Counter()
    sent_per_phone: Counter = Counter()
    unsent_per_phone: dict[str, list[str]] = defaultdict(list)
    replies_db: dict[str, list[tuple[float, list[int]]]] = defaultdict(list)
    pks_by_phone: dict[str, list[int]] = defaultdict(list)
    for pk, _mid, _state, phone in inbound:
        pks_by_phone[phone].append(pk)
    retried_per_phone: Counter = Counter()
    for key, state, sent_at, attempts, phone in outbox:
        rows_per_phone[phone] += 1
        retried_per_phone[phone] += attempts > 1
        key_state[key] = state
        if state == "sent":
            sent_per_phone[phone] += 1
        elif state in ("pending", "sending"):
            unsent_per_phone[phone].append(key)
        match = REPLY_KEY.match(key or "")
        if not match:
            continue
        first, last = int(match.group(1)), int(match.group(2))
        pks = [pk for pk in pks_by_phone[phone] if first <= pk <= last]
        for pk in pks:
            covered[pk] = key
        if state == "sent" and sent_at is not None:
            replies_db[phone].append((sent_at.timestamp(), pks))
    # A row stuck in `sending` may have reached the channel before the crash (the channel said
    # 200, we never committed): when a contact has more arrivals than sent rows, that many of
    # its unsent rows (`sending` first) were delivered, just not recorded.
    delivered_unrecorded: set[str] = set()
    for phone, keys in unsent_per_phone.items():
        extra = max(0, len(arrivals.get(phone, [])) - sent_per_phone.get(phone, 0))
        keys.sort(key=lambda k: key_state[k] != "sending")
        delivered_unrecorded.update(keys[:extra])

    # Lost: acked by the webhook but never answered, or answered but never delivered.
    # Not answered on purpose (handoff, flood control, dead letter) is reported apart.
    lost, by_design = Counter(), Counter()
    for s in acked:
        row = row_of.get(s.message_id)
        if row is None:
            lost["acked but not stored"] += 1
            continue
        pk, state, _phone = row
        if state in ("received", "processing"):
            if stack.worker_config.processes:  # ingest only: waiting is expected
                lost[f"still {state}"] += 1
        elif state == "answered":
            key = covered.get(pk)
            reply_state = key_state.get(key, "missing")
            if reply_state not in ("sent", "failed") and key not in delivered_unrecorded:
                lost[f"answered, reply {reply_state}"] += 1
        else:
            by_design[state] += 1
    # More arrivals than outbox rows: a row sent twice. When the row was attempted again (its worker
    # was killed between the channel's 200 and our commit, and the sweeper took it back), that is
    # the one duplicate docs/reliability.md tolerates, counted apart; any other is a real duplicate.
    duplicated, resent_after_crash = 0, 0
    for phone, times in arrivals.items():
        extra = max(0, len(times) - rows_per_phone.get(phone, 0))
        tolerated = min(extra, retried_per_phone.get(phone, 0))
        resent_after_crash += tolerated
        duplicated += extra - tolerated
    never_arrived = sum(max(0, n - len(arrivals.get(phone, []))) for phone, n in sent_per_phone.items())
    if never_arrived:
        lost["sent per the database, never reached the channel"] += never_arrived
    outbox_failed = sum(1 for _k, state, *_r in outbox if state == "failed")

    # Reply latency: channel arrival minus the last answered message's due time, minus the debounce.
    # A contact's k-th reply sent (by the database's clock) is its k-th arrival at the channel.
    mid_of = {pk: mid for pk, mid, _state, _phone in inbound}
    latencies = []
    for phone, replies in replies_db.items():
        times = sorted(arrivals.get(phone, []))
        for index, (sent_at, pks) in enumerate(sorted(replies)):
            arrived = times[index] if index < len(times) else sent_at
            dues = [by_id[mid_of[pk]].due for pk in pks if mid_of.get(pk) in by_id]
            if dues:
                latencies.append(arrived - max(dues) - debounce)

    reply_times = sorted(at for _n, _b, at in records)
    per_min_overall = (len(reply_times) - 1) / (reply_times[-1] - reply_times[0]) * 60 \
        if len(reply_times) > 1 and reply_times[-1] > reply_times[0] else float("nan")
    peak = _peak_window(reply_times, 60.0)
    span = reply_times[-1] - reply_times[0] if len(reply_times) > 1 else 0.0
    during = sum(1 for t in reply_times if started <= t <= load_ended)
    per_min_during = during / max(1e-9, load_ended - started) * 60

    ack_ms = [s.first_latency * 1000 for s in sent]
    from_send_ms = [s.first_latency_from_send * 1000 for s in sent]
    statuses = Counter(s.first_status for s in sent)
    non_2xx = sum(n for status, n in statuses.items() if not 200 <= status < 300)
    answered = sum(1 for s in acked if (row := row_of.get(s.message_id)) and row[1] == "answered")
    worker_cpu, web_cpu = sampler.cpu_seconds("worker"), sampler.cpu_seconds("web")
    pg_cpu = sampler.cpu_seconds("postgres")
    messages = max(1, len(acked))
    ours = sum(sampler.cpu_seconds(g) for g in sampler.groups)
    rss_worker = sampler.max_rss_mib("worker")
    config = stack.worker_config
    figures = {
        "scenario": options.label,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "config": {
            "rate": options.rate, "seconds": options.seconds, "contacts": options.contacts,
            "workers": config.processes, "pool": config.effective()[0], "concurrency": config.effective()[1],
            "prefetch_multiplier": settings.CELERY_WORKER_PREFETCH_MULTIPLIER,
            "web_workers": stack.env.get("GUNICORN_WORKERS", f"{gunicorn_conf.workers} (gunicorn_conf default)"),
            "web_threads": stack.env.get("GUNICORN_THREADS", f"{gunicorn_conf.threads} (gunicorn_conf default)"),
            "debounce_s": debounce, "beat": stack.options.beat, "engine": stack.engine, "warmup_s": plan.warmup_seconds,
            "llm_delay_s": stack.options.llm_delay, "send_delay_s": stack.options.send_delay,
        },
        "webhooks": {
            "sent": len(sent), "acked": len(acked), "never_acked": len(sent) - len(acked),
            "non_2xx_first_attempt": non_2xx, "first_attempt_status": {str(k): v for k, v in statuses.items()},
            "retried": sum(1 for s in sent if s.attempts > 1),
            "ack_p50_ms": percentile(ack_ms, 50), "ack_p90_ms": percentile(ack_ms, 90),
            "ack_p99_ms": percentile(ack_ms, 99), "ack_max_ms": percentile(ack_ms, 100),
            "ack_from_send_p50_ms": percentile(from_send_ms, 50), "ack_from_send_p99_ms": percentile(from_send_ms, 99),
            "generator_late_p99_ms": percentile([x * 1000 for x in plan.late], 99) if plan.late else 0.0,
            "generator_late_count": len(plan.late),
            "achieved_rate": len(sent) / max(1e-9, (sent[-1].due - sent[0].due)) if len(sent) > 1 else 0.0,
        },
        "replies": {
            "at_channel": len(records), "answered_messages": answered,
            "grouped_messages": max(0, answered - sum(len(v) for v in replies_db.values())),
            "per_min": per_min_overall, "per_min_peak_60s": peak, "per_min_during_load": per_min_during,
            "messages_answered_per_min": answered / span * 60 if span else float("nan"),
            "latency_p50_s": percentile(latencies, 50), "latency_p99_s": percentile(latencies, 99),
            "latency_max_s": percentile(latencies, 100),
            "first_at_s": (reply_times[0] - started) if reply_times else None,
            "last_at_s": (reply_times[-1] - started) if reply_times else None,
        },
        "integrity": {
            "lost": sum(lost.values()), "lost_detail": dict(lost), "duplicated": duplicated,
            "resent_after_crash": resent_after_crash,
            "not_answered_by_design": dict(by_design),
            "channel_duplicates_within_5s": get_json(stack.urls["channel"] + "/stats")["duplicates_within_window"],
            "outbox_failed_dead_lettered": outbox_failed, "dead_letters": dead_letters,
            "outbox_retried": sum(1 for _k, _s, _t, attempts, _p in outbox if attempts > 1),
            "delivered_but_not_recorded": len(delivered_unrecorded),
            "outbox_states": dict(Counter(state for _k, state, *_r in outbox)),
            "drain": drained,
        },
        "resources": {
            "worker_processes": sampler.processes("worker"), "worker_rss_max_mib": rss_worker,
            "web_processes": sampler.processes("web"), "web_rss_max_mib": sampler.max_rss_mib("web"),
            "beat_rss_max_mib": sampler.max_rss_mib("beat"),
            "cpu_s": {g: round(sampler.cpu_seconds(g), 2) for g in sampler.groups},
            "cpu_s_machine": round(sampler.machine_cpu_seconds(), 2),
            "cpu_s_not_ours": round(max(0.0, sampler.machine_cpu_seconds() - ours), 2),
            "window_s": round(sampler.stopped_at - sampler.started_at, 1),
            "cpu_ms_per_message_worker_web": (worker_cpu + web_cpu) * 1000 / messages,
            "cpu_ms_per_message_worker": worker_cpu * 1000 / messages,
            "cpu_ms_per_message_web": web_cpu * 1000 / messages,
            "cpu_ms_per_message_postgres": pg_cpu * 1000 / messages,
        },
        "llm": {"fake_calls": llm_stats["calls"], "fake_max_in_flight": llm_stats["max_in_flight"],
                "llm_call_rows": dict(llm_calls),
                "engine_used": "fake OpenAI-compatible server" if llm_stats["calls"] else "local offline engine"},
    }
    figures["pass"] = pass_lines(figures)
    return figures


def _peak_window(times: list[float], window: float) -> float:
    """The most replies in any `window` seconds, as a per-minute rate."""
    best, left = 0, 0
    for right, t in enumerate(times):
        while t - times[left] > window:
            left += 1
        best = max(best, right - left + 1)
    return best * 60.0 / window


def pass_lines(f: dict) -> list[tuple[str, bool, str]]:
    rate_ok = f["config"]["rate"] >= 200
    ingest_only = f["config"]["workers"] == 0
    return [
        ("replies/min >= 3,000" + (" (n/a: --workers 0, ingest only)" if ingest_only else ""),
         ingest_only or f["replies"]["per_min"] >= PASS_REPLIES_PER_MIN, fmt(f["replies"]["per_min"], digits=0)),
        ("lost = 0", f["integrity"]["lost"] == 0, str(f["integrity"]["lost"])),
        ("duplicated = 0", f["integrity"]["duplicated"] == 0, str(f["integrity"]["duplicated"])),
        ("0 non-2xx webhooks", f["webhooks"]["non_2xx_first_attempt"] == 0,
         str(f["webhooks"]["non_2xx_first_attempt"])),
        ("ack p99 <= 50 ms" + ("" if rate_ok else f" (at {f['config']['rate']:g}/s, not 200/s)"),
         f["webhooks"]["ack_p99_ms"] <= PASS_ACK_P99_MS, fmt(f["webhooks"]["ack_p99_ms"], " ms")),
        ("<= 200 MiB per worker process", ingest_only or f["resources"]["worker_rss_max_mib"] <= PASS_RSS_MIB,
         fmt(f["resources"]["worker_rss_max_mib"], " MiB")),
    ]


def report(f: dict) -> str:
    c, w, r, i, res = f["config"], f["webhooks"], f["replies"], f["integrity"], f["resources"]
    parts = [
        "",
        table([
            ("scenario", f["scenario"]),
            ("offered load", f"{c['rate']:g} webhooks/s for {c['seconds']:g}s, {c['contacts']:,} contacts"),
            ("workers", f"{c['workers']} x {c['pool']} -c {c['concurrency']} (prefetch x{c['prefetch_multiplier']})"),
            ("web", f"gunicorn {c['web_workers']} workers x {c['web_threads']} threads"),
            ("engine configured", c["engine"]),
            ("engine used", f"{f['llm']['engine_used']} (fake LLM calls: {f['llm']['fake_calls']:,})"),
            ("debounce", f"{c['debounce_s']:g}s (subtracted from reply latency)"),
            ("warm-up", f"{c['warmup_s']:g}s at the same rate of webhooks that store nothing (fromMe), not counted"),
        ], "Secretaria bench: " + f["when"]),
        "",
        table([
            ("webhooks sent / acked", f"{w['sent']:,} / {w['acked']:,} (achieved {w['achieved_rate']:.1f}/s)"),
            ("non-2xx (first attempt)", f"{w['non_2xx_first_attempt']:,}  statuses {w['first_attempt_status']}"),
            ("ack latency p50 / p90 / p99 / max",
             f"{fmt(w['ack_p50_ms'], ' ms')} / {fmt(w['ack_p90_ms'], ' ms')} / {fmt(w['ack_p99_ms'], ' ms')}"
             f" / {fmt(w['ack_max_ms'], ' ms')}"),
            ("generator late (p99)", f"{fmt(w['generator_late_p99_ms'], ' ms')} ({w['generator_late_count']:,} late)"),
            ("ack from send p50 / p99 (info)",
             f"{fmt(w['ack_from_send_p50_ms'], ' ms')} / {fmt(w['ack_from_send_p99_ms'], ' ms')}"
             " (the generator's lateness left out; the pass line uses the due time)"),
        ], "Webhooks"),
        "",
        table([
            ("replies at the channel", f"{r['at_channel']:,} (answering {r['answered_messages']:,} messages, "
                                       f"{r['grouped_messages']:,} grouped by debounce)"),
            ("replies/min (first to last reply)", fmt(r["per_min"], digits=0)),
            ("replies/min (best 60 s)", fmt(r["per_min_peak_60s"], digits=0)),
            ("messages answered/min (same span)", fmt(r["messages_answered_per_min"], digits=0)),
            ("replies/min (while sending)", fmt(r["per_min_during_load"], digits=0)),
            ("reply latency p50 / p99 / max", f"{fmt(r['latency_p50_s'], ' s', 2)} / "
                                              f"{fmt(r['latency_p99_s'], ' s', 2)} / "
                                              f"{fmt(r['latency_max_s'], ' s', 2)}"),
            ("lost", f"{i['lost']:,} {i['lost_detail'] or ''}"),
            ("not answered by design", f"{sum(i['not_answered_by_design'].values()):,} "
                                       f"{i['not_answered_by_design'] or '(handoff, flood control)'}"),
            ("duplicated", f"{i['duplicated']:,} (same text within 5 s at the channel: "
                           f"{i['channel_duplicates_within_5s']:,})"),
            ("resent after a crash", f"{i.get('resent_after_crash', 0):,} (the tolerated duplicate: a worker killed "
                                     "mid-send, the outcome unknown, the row sent again by the worker that took "
                                     "over)"),
            ("outbox rows by state", f"{i['outbox_states']} (retried {i['outbox_retried']:,})"),
            ("delivered, never recorded", f"{i['delivered_but_not_recorded']:,} (crash between the channel's "
                                          "200 and our commit)"),
            ("drain", i["drain"].get("skipped")
             or f"{i['drain'].get('seconds')}s, complete: {bool(i['drain'].get('complete'))}"),
        ], "Replies"),
        "",
        table([
            ("worker RSS max per process", f"{fmt(res['worker_rss_max_mib'], ' MiB')} "
                                           f"({res['worker_processes']} processes seen)"),
            ("web RSS max per process", f"{fmt(res['web_rss_max_mib'], ' MiB')} ({res['web_processes']} processes)"),
            ("CPU-ms per message (worker + web)", fmt(res["cpu_ms_per_message_worker_web"], digits=1)),
            ("  worker / web / postgres", f"{fmt(res['cpu_ms_per_message_worker'])} / "
                                          f"{fmt(res['cpu_ms_per_message_web'])} / "
                                          f"{fmt(res['cpu_ms_per_message_postgres'])}"),
            ("CPU seconds by group", ", ".join(f"{k} {v}" for k, v in res["cpu_s"].items())),
            ("CPU seconds, whole machine", f"{res['cpu_s_machine']} in {res['window_s']}s "
                                           f"(not ours: {res['cpu_s_not_ours']})"),
        ], "Resources"),
        "",
        table([(name, f"{'PASS' if ok else 'FAIL'}  {value}") for name, ok, value in f["pass"]], "Pass lines"),
    ]
    if f.get("events"):
        parts += ["", table([(str(n + 1), e) for n, e in enumerate(f["events"])], "Events")]
    return "\n".join(parts) + "\n"
