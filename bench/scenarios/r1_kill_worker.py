"""R1: `kill -9` the Celery workers (their pool, pulse and threads too) repeatedly while traffic flows.

Every `every` seconds, while webhooks keep arriving, every worker process group gets
SIGKILL: whatever it was doing (composing a reply, waiting on the LLM, posting to the
channel, committing) stops dead, and the tasks it had reserved stay unacknowledged in
Redis. After `down` seconds the workers are started again. The restarted workers find the
dead ones' heartbeats silent and take back what they held (conversations/core/claims.py):
messages `processing`, replies `sending`, sends whose task died with them; beat's per-minute
sweeper is only the backstop.

Per kill, the report gives what was in flight at that moment (read from PostgreSQL right
after the SIGKILL, before any worker is started again), the sends retried because their
outcome was truly unknown, and the replies that reached a customer twice. Pass
(docs/reliability.md R1): 0 lost; the drain done within 30 s of the last restart; reply
latency p99 <= 30 s; duplicates <= the sends in flight at the moments of the kills (a send in
flight may have reached the channel before the kill: the one duplicate we tolerate, counted).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.load import channel_records, figures_save, fmt, get_json, table
from bench.replies import RunOptions, run
from bench.stack import SLUG, BenchStack, say

DEFAULTS = {"rate": 50.0, "seconds": 60.0, "stall": 240.0, "drain_max": 900.0}
PASS_DRAIN_S = 30.0
PASS_LATENCY_P99_S = 30.0


@dataclass
class Kill:
    number: int
    at: float  # epoch seconds, just before the SIGKILL
    restarted_at: float = 0.0
    processing: int = 0  # inbound messages being answered
    sending_ids: list[int] = field(default_factory=list)  # outbox rows in flight (request maybe at the channel)
    llm_in_flight: int = 0
    resent_before: float = 0.0  # OUTBOX_RESENT (all processes) just before the kill


def chaos(*, kills: int, every: float, down: float, record: list[Kill]):
    def act(stack: BenchStack, stop: threading.Event) -> None:
        for number in range(1, kills + 1):
            if stop.wait(every):
                return
            kill = Kill(number=number, at=time.time(), resent_before=resent_total(stack),
                        llm_in_flight=_llm_in_flight(stack))
            pids = [w.pid for w in stack.workers]
            stack.kill_workers()
            _in_work(kill)
            record.append(kill)
            stack.note(f"R1 kill -9 #{number}: worker process groups {pids}; at that moment "
                       f"{kill.processing} messages processing, {len(kill.sending_ids)} replies sending, "
                       f"{kill.llm_in_flight} LLM calls in flight")
            time.sleep(down)  # not interruptible: the worker must always come back
            stack.start_workers()
            kill.restarted_at = time.time()
            stack.note(f"R1 worker started again after {down:g}s")

    return act


def _llm_in_flight(stack: BenchStack) -> int:
    try:
        return get_json(stack.urls["llm"] + "/stats")["in_flight"]
    except Exception:  # noqa: BLE001 - evidence only
        return -1


def _in_work(kill: Kill) -> None:
    """What the kill left in flight, read right after it: with every worker dead and none started
    yet, nothing moves these rows, so this is exactly what the kill interrupted."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from conversations.models import Message, Outbox

    try:
        with schema_context(SLUG):
            kill.processing = Message.objects.filter(state=Message.State.PROCESSING).count()
            kill.sending_ids = list(Outbox.objects.filter(state=Outbox.State.SENDING).values_list("pk", flat=True))
    except Exception as exc:  # noqa: BLE001 - evidence only
        say(f"R1: could not tell what was in flight: {exc}")
    finally:
        connection.close()


def resent_total(stack: BenchStack) -> float:
    """secretaria_outbox_resent_total, summed over every worker that ever ran (the multiprocess
    files of killed workers stay, as Prometheus would have scraped them) and over any labels."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=stack.env["PROMETHEUS_MULTIPROC_DIR"])
    return sum(sample.value for metric in registry.collect() for sample in metric.samples
               if sample.name == "secretaria_outbox_resent_total")


def scenario(stack: BenchStack, options: RunOptions, *, kills: int, every: float, down: float) -> dict:
    options.label = "R1 kill -9 worker"
    record: list[Kill] = []
    figures = run(stack, options, chaos=chaos(kills=kills, every=every, down=down, record=record))
    figures["r1"] = per_kill(stack, record, figures)
    print(r1_report(figures), flush=True)
    say(f"figures written to {figures_save(figures, options.json_path or stack.options.bench_dir / 'last.json')}")
    return figures


def per_kill(stack: BenchStack, record: list[Kill], figures: dict) -> dict:
    """Each kill's sends in flight, the truly-unknown retries they caused and the duplicates they left."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from conversations.models import Outbox

    with schema_context(SLUG):
        rows = {pk: (attempts, phone) for pk, attempts, phone in
                Outbox.objects.values_list("pk", "attempts", "message__contact__phone")}
    connection.close()
    arrivals = Counter(number for number, _body, _at in channel_records(stack.urls["channel"]))
    rows_per_phone = Counter(phone for _attempts, phone in rows.values())
    # More arrivals than rows: a row that reached the customer twice.
    extra = {phone: n - rows_per_phone[phone] for phone, n in arrivals.items() if n > rows_per_phone[phone]}
    resent_end = resent_total(stack)
    kills, attributed = [], set()
    for index, kill in enumerate(record):
        in_flight = [rows[pk] for pk in kill.sending_ids if pk in rows]
        phones = {phone for _attempts, phone in in_flight} - attributed
        attributed |= phones
        # The metric between this kill and the next: the take-over of this kill's workers.
        until = record[index + 1].resent_before if index + 1 < len(record) else resent_end
        kills.append({
            "number": kill.number, "at": kill.at, "restarted_at": kill.restarted_at,
            "processing": kill.processing, "llm_in_flight": kill.llm_in_flight,
            "sends_in_flight": len(kill.sending_ids),
            "unknown_retries": until - kill.resent_before,
            "in_flight_sent_again": sum(1 for attempts, _phone in in_flight if attempts > 1),
            "duplicates": sum(extra.get(phone, 0) for phone in phones),
        })
    duplicates = sum(extra.values())
    last_restart = max((k.restarted_at for k in record), default=0.0)
    drain = figures["integrity"]["drain"]
    ended = drain.get("ended_at")
    return {
        "kills": kills,
        # Distinct rows: workers that never got going between two kills leave the same sends in flight.
        "sends_in_flight": len({pk for kill in record for pk in kill.sending_ids}),
        "unknown_retries": resent_end - (record[0].resent_before if record else resent_end),
        "duplicates": duplicates,
        "duplicates_not_from_a_kill": duplicates - sum(k["duplicates"] for k in kills),
        "drain_after_last_restart_s": (ended - last_restart) if ended and last_restart and drain.get("complete")
        else None,
    }


def r1_pass_lines(f: dict) -> list[tuple[str, bool, str]]:
    r1 = f["r1"]
    after = r1["drain_after_last_restart_s"]
    return [
        ("lost = 0", f["integrity"]["lost"] == 0, str(f["integrity"]["lost"])),
        (f"drain <= {PASS_DRAIN_S:g} s after the last restart", after is not None and after <= PASS_DRAIN_S,
         "did not complete" if after is None else fmt(after, " s", 1)),
        (f"reply latency p99 <= {PASS_LATENCY_P99_S:g} s", f["replies"]["latency_p99_s"] <= PASS_LATENCY_P99_S,
         fmt(f["replies"]["latency_p99_s"], " s", 1)),
        ("duplicates <= sends in flight at the kills", r1["duplicates"] <= r1["sends_in_flight"],
         f"{r1['duplicates']} <= {r1['sends_in_flight']}"),
    ]


def r1_report(f: dict) -> str:
    r1 = f["r1"]
    rows = [(f"kill #{k['number']}",
             f"{k['sends_in_flight']} sends in flight, {fmt(k['unknown_retries'], digits=0)} truly-unknown retries "
             f"({k['in_flight_sent_again']} of those in flight sent again), {k['duplicates']} duplicates; "
             f"{k['processing']} messages processing, {k['llm_in_flight']} LLM calls")
            for k in r1["kills"]]
    rows += [
        ("all kills", f"{r1['sends_in_flight']} sends in flight, {fmt(r1['unknown_retries'], digits=0)} truly-unknown "
                      f"retries, {r1['duplicates']} duplicates ({r1['duplicates_not_from_a_kill']} not from a "
                      "send in flight)"),
    ]
    passes = [(name, f"{'PASS' if ok else 'FAIL'}  {value}") for name, ok, value in r1_pass_lines(f)]
    return "\n" + table(rows, "R1: per kill") + "\n\n" + table(passes, "R1 pass lines") + "\n"
