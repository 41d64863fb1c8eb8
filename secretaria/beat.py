"""Celery beat scheduler that leaves a heartbeat in Redis, read by /readyz."""

import time

from celery.beat import PersistentScheduler

from secretaria.redis_client import get_redis

HEARTBEAT_KEY = "secretaria:beat:heartbeat"
HEARTBEAT_EVERY = 10  # seconds


class HeartbeatScheduler(PersistentScheduler):
    """PersistentScheduler whose every tick (at most every 10 s) stamps the time in Redis."""

    def tick(self, *args, **kwargs):
        self._beat()
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY)

    def _beat(self) -> None:
        now = time.time()
        if now - getattr(self, "_last_beat", 0) < HEARTBEAT_EVERY / 2:
            return
        try:
            get_redis().set(HEARTBEAT_KEY, str(now), ex=3600)
            self._last_beat = now
        except Exception:  # noqa: BLE001 - a Redis hiccup must not kill beat; /readyz will say so
            pass
