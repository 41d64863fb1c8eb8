"""The periodic dispatcher's tests share a cadence of their own per test and the probe's counters."""

import threading

import pytest
from django.db import connection

from secretaria.redis_client import get_redis
from tenants.migration_state import migration_lag_forget
from tests.tenants.periodic_probe import RUN_KEY, probe_key


@pytest.fixture
def cadence(settings, unique):
    """A cadence of this test's own (its claims and slots are new), sending the probe to a queue of its own."""
    name = f"test-{unique}"
    settings.TENANT_PERIODIC_CADENCES = {**settings.TENANT_PERIODIC_CADENCES,
                                         name: {"period": 60, "spread": 10, "concurrency": 4, "budget": 5}}
    settings.TENANT_PERIODIC_TASKS = {**settings.TENANT_PERIODIC_TASKS, name: ["tests.periodic_probe"]}
    settings.TENANT_PERIODIC_QUEUE = f"test-periodic-{unique}"
    migration_lag_forget()
    yield name
    client = get_redis()
    client.delete(settings.TENANT_PERIODIC_QUEUE)
    for key in client.scan_iter(match=f"secretaria:periodic:*:{name}:*", count=1000):
        client.delete(key)
    migration_lag_forget()


@pytest.fixture
def probe(unique):
    """The probe's run id; count(schema) says how often it ran there, peak() how many ran at once."""
    client = get_redis()
    client.set(RUN_KEY, unique, ex=600)

    class Probe:
        def count(self, schema: str) -> int:
            return int(client.get(probe_key(unique, "count", schema)) or 0)

        def running(self) -> int:
            return int(client.get(probe_key(unique, "running")) or 0)

        def peak(self) -> int:
            return int(client.get(probe_key(unique, "max")) or 0)

        def hold(self, seconds: float) -> None:
            client.set(probe_key(unique, "hold"), seconds, ex=600)

    yield Probe()
    for key in client.scan_iter(match=probe_key(unique, "*"), count=1000):
        client.delete(key)


def race(n: int, target) -> list:
    """Run target() in n threads released at the same instant; their results."""
    barrier, results, errors = threading.Barrier(n), [None] * n, []

    def run(index):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


