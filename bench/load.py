"""Load generation and measurement: signed Whaticket webhooks, process sampling, figures.

The load is open-loop: message i is due at t0 + i/rate whatever the server does, and its
ack latency is measured from that due time, so a slow server cannot hide its queueing by
slowing the generator down (no coordinated omission). Requests go over a pool of
keep-alive connections with a minimal HTTP/1.1 client on asyncio streams: much cheaper
per request than a full-featured client, which matters when the generator shares the
machine's two cores with the stack it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

from conversations.channels.whaticket import sign

REQUEST_TIMEOUT = 30.0
# Texts a customer might send that the engine answers without handing the conversation to
# a person (a handoff would silence the bot and make the replies uncountable).
TEXTS = (
    "Olá, bom dia!",
    "Vocês atendem aos sábados?",
    "Quero marcar um horário para amanhã",
    "Quanto custa a limpeza de pele?",
    "Onde fica a clínica?",
    "Obrigado!",
)


# --- a small HTTP/1.1 client ------------------------------------------------------------

class HttpError(Exception):
    pass


class HttpPool:
    """Keep-alive connections to one server; at most `size` requests in flight."""

    def __init__(self, host: str, port: int, size: int):
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(size)
        self.opened = 0

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        async with self.slots:
            reused = bool(self.idle)
            conn = self.idle.pop() if reused else await self._open()
            try:
                status, payload, keep = await asyncio.wait_for(
                    self._exchange(conn, method, path, headers, body), REQUEST_TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, HttpError, TimeoutError) as exc:
                conn[1].close()
                if not reused or isinstance(exc, TimeoutError):
                    raise
                # The server closed an idle keep-alive connection under us: what any client
                # does is retry once on a fresh connection (the message id makes it safe).
                conn = await self._open()
                status, payload, keep = await asyncio.wait_for(
                    self._exchange(conn, method, path, headers, body), REQUEST_TIMEOUT)
            if keep:
                self.idle.append(conn)
            else:
                conn[1].close()
            return status, payload

    async def _open(self):
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def _exchange(self, conn, method, path, headers, body) -> tuple[int, bytes, bool]:
        reader, writer = conn
        head = [f"{method} {path} HTTP/1.1", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        line = await reader.readline()
        if not line:
            raise HttpError("connection closed before the status line")
        parts = line.split(b" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"bad status line {line[:60]!r}")
        status = int(parts[1])
        response_headers: dict[str, str] = {}
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n"):
                break
            if not raw:
                raise HttpError("connection closed in the headers")
            name, _, value = raw.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        if response_headers.get("transfer-encoding", "").lower() == "chunked":
            payload = await _read_chunked(reader)
        elif "content-length" in response_headers:
            payload = await reader.readexactly(int(response_headers["content-length"]))
        else:
            payload = await reader.read()
            return status, payload, False
        keep = response_headers.get("connection", "").lower() != "close"
        return status, payload, keep

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readline()


# --- the webhook load -----------------------------------------------------------------

@dataclass
class Sent:
    """One message as the simulated provider saw it."""

    seq: int
    message_id: str
    phone: str
    due: float  # wall-clock time the message was due (Unix seconds)
    first_status: int = 0  # 0: transport error or timeout
    first_latency: float = math.nan  # seconds from due time to the first answer
    # Seconds from the moment the first request was handed to the connection pool to its answer:
    # what the generator's own lateness (a busy event loop on a shared CPU) does not inflate.
    first_latency_from_send: float = math.nan
    acked_at: float = 0.0  # wall-clock time of the first 2xx (0: never)
    attempts: int = 0


def phone_for(index: int) -> str:
    return f"55119{index:08d}"


def webhook_body(*, message_id: str, phone: str, text: str, name: str, at: float, from_me: bool = False) -> bytes:
    """A raw Baileys WebMessageInfo, the shape Whaticket's webhook integrations post."""
    info = {
        "key": {"remoteJid": f"{phone}@s.whatsapp.net", "fromMe": from_me, "id": message_id},
        "messageTimestamp": int(at),
        "pushName": name,
        "message": {"conversation": text},
    }
    return json.dumps(info, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class LoadPlan:
    rate: float
    seconds: float
    contacts: int
    run_id: str
    host: str  # Host header (the company's domain)
    port: int
    secret: str
    connections: int = 256
    retries: int = 5  # like a provider: retry non-2xx and errors with backoff
    warmup_seconds: float = 3.0  # see _warm_up
    sent: list[Sent] = field(default_factory=list)
    late: list[float] = field(default_factory=list)  # how late the generator itself fired

    @property
    def total(self) -> int:
        return int(self.rate * self.seconds)

    def contact_of(self, seq: int) -> int:
        # Round-robin: a contact speaks every `contacts / rate` seconds, one message per burst.
        return seq % self.contacts


async def run_load(plan: LoadPlan, *, stop_after: Callable[[], bool] | None = None) -> list[Sent]:
    """Send `plan.total` signed webhooks at `plan.rate`/s and wait for every answer (and retry)."""
    pool = HttpPool("127.0.0.1", plan.port, plan.connections)
    tasks: list[asyncio.Task] = []
    loop = asyncio.get_running_loop()
    await _warm_up(pool, plan)
    start_mono = loop.time() + 0.2
    start_wall = time.time() + 0.2
    rng = random.Random(plan.run_id)
    for seq in range(plan.total):
        if stop_after is not None and stop_after():
            break
        due_mono = start_mono + seq / plan.rate
        delay = due_mono - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            plan.late.append(-delay)
        index = plan.contact_of(seq)
        sent = Sent(seq=seq, message_id=f"BENCH{plan.run_id}{seq:09d}", phone=phone_for(index),
                    due=start_wall + seq / plan.rate)
        plan.sent.append(sent)
        body = webhook_body(message_id=sent.message_id, phone=sent.phone, text=rng.choice(TEXTS),
                            name=f"Cliente {index:05d}", at=sent.due)
        tasks.append(asyncio.create_task(_deliver(pool, plan, sent, body, due_mono)))
    await asyncio.gather(*tasks)
    pool.close()
    return plan.sent


async def _warm_up(pool: HttpPool, plan: LoadPlan) -> None:
    """Before the measured load, `warmup_seconds` at the same rate of webhooks that the server
    answers (200, "ignored") but stores nothing for: our own outgoing messages (`fromMe`).

    They open the keep-alive connections and start gunicorn's threads, their Redis
    connections and the code paths, as on a server that has been up for a while: the first
    second of a cold start otherwise held most of a run's slowest acks. Nothing about them is
    counted, and no message, reply or contact comes of them.
    """
    loop = asyncio.get_running_loop()
    start, count = loop.time(), int(plan.rate * plan.warmup_seconds)
    tasks = []
    for seq in range(count):
        delay = start + seq / plan.rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        body = webhook_body(message_id=f"WARMUP{plan.run_id}{seq:09d}", phone=phone_for(seq % plan.contacts),
                            text="(aquecimento)", name="Secretaria", at=time.time(), from_me=True)
        tasks.append(asyncio.create_task(_warm_up_one(pool, plan, body)))
    await asyncio.gather(*tasks)


async def _warm_up_one(pool: HttpPool, plan: LoadPlan, body: bytes) -> None:
    timestamp = str(int(time.time()))
    headers = {"Host": plan.host, "Content-Type": "application/json", "X-Secretaria-Timestamp": timestamp,
               "X-Secretaria-Signature": sign(plan.secret, timestamp, body)}
    with contextlib.suppress(OSError, asyncio.IncompleteReadError, HttpError, TimeoutError):
        await pool.request("POST", "/webhook/whaticket", headers, body)  # its fate is not measured


async def _deliver(pool: HttpPool, plan: LoadPlan, sent: Sent, body: bytes, due_mono: float) -> None:
    loop = asyncio.get_running_loop()
    for attempt in range(plan.retries + 1):
        sent.attempts += 1
        timestamp = str(int(time.time()))
        headers = {
            "Host": plan.host,
            "Content-Type": "application/json",
            "X-Secretaria-Timestamp": timestamp,
            "X-Secretaria-Signature": sign(plan.secret, timestamp, body),
        }
        send_mono = loop.time()
        try:
            status, _ = await pool.request("POST", "/webhook/whaticket", headers, body)
        except (OSError, asyncio.IncompleteReadError, HttpError, TimeoutError):
            status = 0
        if attempt == 0:
            sent.first_status = status
            sent.first_latency = loop.time() - due_mono
            sent.first_latency_from_send = loop.time() - send_mono
        if 200 <= status < 300:
            sent.acked_at = time.time()
            return
        if attempt < plan.retries:
            await asyncio.sleep(min(30.0, 2.0**attempt) * random.uniform(0.5, 1.0))


# --- the fakes' side -------------------------------------------------------------------

def get_json(url: str, *, timeout: float = 10.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
        return json.loads(response.read())


def post_json(url: str, payload: dict | None = None, *, timeout: float = 10.0) -> dict:
    data = json.dumps(payload or {}).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
        return json.loads(response.read())


def channel_records(channel_url: str) -> list[tuple[str, str, float]]:
    """Every message the fake channel received: (number, body, arrival time)."""
    records: list[tuple[str, str, float]] = []
    for _ in range(10_000):  # bounded paging
        page = get_json(f"{channel_url}/records?since={len(records)}", timeout=60)
        records += [tuple(r) for r in page["records"]]
        if not page["records"] or page["next"] <= len(records):
            break
    return records


# --- process sampling ------------------------------------------------------------------

@dataclass
class ProcStat:
    group: str
    name: str
    base_cpu: float | None  # CPU seconds when sampling started (None: born later)
    last_cpu: float = 0.0
    max_rss: int = 0
    last_rss: int = 0
    alive: bool = True


class Sampler:
    """Samples RSS and CPU time of named process groups once a second, in a thread.

    `groups` maps a name to a callable listing that group's processes *now* (workers
    restart in R1, so membership is re-read at every sample). A process that dies keeps
    its last sample, so its CPU still counts.
    """

    def __init__(self, groups: dict[str, Callable[[], Iterable[psutil.Process]]], interval: float = 1.0):
        self.groups = groups
        self.interval = interval
        self.procs: dict[int, ProcStat] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started_at = 0.0
        self.stopped_at = 0.0
        self._sys_start = None
        self._sys_end = None
        self._first = True

    def start(self) -> None:
        self.started_at = time.time()
        self._sys_start = psutil.cpu_times()
        self.sample()
        self._first = False
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.sample()
        self._sys_end = psutil.cpu_times()
        self.stopped_at = time.time()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        seen = set()
        for group, members in self.groups.items():
            try:
                procs = list(members())
            except (psutil.Error, OSError):
                procs = []
            for proc in procs:
                try:
                    with proc.oneshot():
                        times = proc.cpu_times()
                        cpu = times.user + times.system
                        rss = proc.memory_info().rss
                        name = proc.name()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                stat = self.procs.get(proc.pid)
                if stat is None or stat.group != group:
                    stat = self.procs[proc.pid] = ProcStat(group=group, name=name,
                                                           base_cpu=cpu if self._first else None)
                stat.last_cpu, stat.last_rss = cpu, rss
                stat.max_rss = max(stat.max_rss, rss)
                seen.add(proc.pid)
        for pid, stat in self.procs.items():
            stat.alive = pid in seen

    def cpu_seconds(self, group: str) -> float:
        return sum(s.last_cpu - (s.base_cpu or 0.0) for s in self.procs.values() if s.group == group)

    def max_rss_mib(self, group: str) -> float:
        return max((s.max_rss for s in self.procs.values() if s.group == group), default=0) / 2**20

    def processes(self, group: str) -> int:
        return sum(1 for s in self.procs.values() if s.group == group)

    def machine_cpu_seconds(self) -> float:
        """Busy CPU seconds of the whole machine while sampling (every process, ours or not)."""
        if self._sys_start is None or self._sys_end is None:
            return 0.0
        busy = ("user", "nice", "system", "irq", "softirq", "steal")
        return sum(getattr(self._sys_end, f, 0.0) - getattr(self._sys_start, f, 0.0) for f in busy)


def tree(pid: int | None) -> list[psutil.Process]:
    """A process and all its descendants (empty when it is gone)."""
    if not pid:
        return []
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


# --- figures --------------------------------------------------------------------------

def figures_save(figures: dict, path) -> object:
    """Write a run's figures as JSON (for comparing runs later); answers the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2, default=str))
    return path


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    data = sorted(v for v in values if not math.isnan(v))
    if not data:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(data)))
    return data[min(rank, len(data)) - 1]


def fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}"


def table(rows: list[tuple[str, str]], title: str = "") -> str:
    width = max((len(k) for k, _ in rows), default=10)
    lines = [title, "-" * max(len(title), width + 24)] if title else []
    lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
    return "\n".join(lines)
