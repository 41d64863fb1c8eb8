"""The worker's wake-up dispatcher: a Celery bootstep that answers contacts whose debounce ended.

Added to the worker by ConversationsConfig.ready() (Django is set up before Celery builds
the worker's steps), so the Celery app itself knows nothing of conversations.
"""

import threading

import structlog
from celery import bootsteps
from django.conf import settings

from conversations.core.wakeups import WakeupPool

log = structlog.get_logger("secretaria.wakeups")


class WakeupDispatcher(bootsteps.StartStopStep):
    """A thread in each worker that answers the contacts whose debounce window has ended.

    Webhooks put contacts in a Redis sorted set (conversations/core/wakeups.py); this
    loop pops the due ones and answers them on the worker's reply threads
    (settings.REPLY_THREADS), never popping more than it has free threads for.
    """

    requires = {"celery.worker.components:Pool"}
    IDLE_SECONDS = 0.05
    ERROR_SECONDS = 1.0

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: WakeupPool | None = None

    def start(self, worker):
        self._pool = WakeupPool(threads=settings.REPLY_THREADS)
        self._thread = threading.Thread(target=self._run, name="wakeup-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, worker):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._pool is not None:
            self._pool.shutdown()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                started = self._pool.dispatch()
            except Exception:  # noqa: BLE001 - Redis away: try again shortly; the sweeper is the safety net
                log.warning("wakeup_dispatch_failed", exc_info=True)
                self._stop.wait(self.ERROR_SECONDS)
                continue
            if not started:
                self._stop.wait(self.IDLE_SECONDS)


def dispatcher_install() -> None:
    """Run the dispatcher in every worker this process starts (unless WAKEUP_DISPATCHER is off)."""
    from celery_app import app

    if settings.WAKEUP_DISPATCHER:
        app.steps["worker"].add(WakeupDispatcher)
