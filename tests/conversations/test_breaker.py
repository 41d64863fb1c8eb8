"""The circuit breaker against the real Redis, on a fake clock, and under threads."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django_tenants.utils import schema_context

from conversations.assistant.breaker import CircuitBreaker
from secretaria.redis_client import get_redis


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(clock):
    """make(**options) -> a breaker in acme with a name of this test's own; its keys are removed after."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    made: list[CircuitBreaker] = []

    def build(schema: str = "acme", **options) -> CircuitBreaker:
        options = {"failure_threshold": 3, "window_seconds": 60, "open_seconds": 30, "clock": clock, **options}
        with schema_context(schema):
            breaker = CircuitBreaker(name, **options)
        made.append(breaker)
        return breaker

    yield build
    for breaker in made:
        breaker.reset()


def fail(breaker: CircuitBreaker, times: int) -> list[bool]:
    return [breaker.record_failure() for _ in range(times)]


def test_a_new_breaker_is_closed_and_lets_calls_through(make):
    breaker = make()
    assert breaker.state() == "closed"
    assert breaker.allow() and breaker.allow()


def test_it_opens_at_the_threshold_and_then_refuses_calls(make):
    breaker = make()
    assert fail(breaker, 3) == [False, False, True]  # only the third failure opens it
    assert breaker.state() == "open"
    assert not breaker.allow()


def test_failures_older_than_the_window_are_forgotten(make, clock):
    breaker = make()
    fail(breaker, 2)
    clock.advance(61)
    assert fail(breaker, 2) == [False, False]
    assert breaker.state() == "closed"


def test_after_open_seconds_exactly_one_probe_goes_through(make, clock):
    breaker = make()
    fail(breaker, 3)
    clock.advance(29.9)
    assert breaker.state() == "open" and not breaker.allow()
    clock.advance(0.1)
    assert breaker.state() == "half_open"
    assert breaker.allow() is True
    assert breaker.allow() is False  # the probe is still out


def test_a_successful_probe_closes_the_breaker_with_a_clean_slate(make, clock):
    breaker = make()
    fail(breaker, 3)
    clock.advance(30)
    assert breaker.allow()
    assert breaker.record_success() is True
    assert breaker.state() == "closed"
    assert breaker.allow() and breaker.allow()
    assert fail(breaker, 2) == [False, False]  # the old failures do not count any more


def test_a_failed_probe_opens_the_breaker_for_another_period(make, clock):
    breaker = make()
    fail(breaker, 3)
    clock.advance(30)
    assert breaker.allow()
    assert breaker.record_failure() is True
    assert breaker.state() == "open" and not breaker.allow()
    clock.advance(29)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()  # a new probe after the second period


def test_late_failures_while_open_do_not_push_the_probe_back(make, clock):
    breaker = make()
    fail(breaker, 3)
    clock.advance(20)
    assert fail(breaker, 5) == [False] * 5
    clock.advance(10)
    assert breaker.state() == "half_open"


def test_a_success_while_closed_keeps_the_failure_window(make):
    breaker = make()
    fail(breaker, 2)
    assert breaker.record_success() is False
    assert fail(breaker, 1) == [True]


def test_a_probe_whose_worker_died_is_freed_after_the_probe_timeout(make, clock):
    breaker = make(probe_timeout_seconds=0.05)
    fail(breaker, 3)
    clock.advance(30)
    assert breaker.allow()
    assert not breaker.allow()
    time.sleep(0.1)  # the probe slot's real TTL
    assert breaker.allow()


def test_each_company_has_its_own_breaker(make):
    acme, globex = make("acme"), make("globex")
    fail(acme, 3)
    assert acme.state() == "open"
    assert globex.state() == "closed" and globex.allow()
    assert all(":acme:" in key for key in acme.keys) and all(":globex:" in key for key in globex.keys)


def test_its_keys_live_in_redis_under_the_company(make):
    breaker = make()
    fail(breaker, 1)
    assert get_redis().exists(breaker.keys[2]) == 1
    assert breaker.keys[2].startswith(f"secretaria:acme:breaker:{breaker.name}:")


def _together(workers: int, action) -> list:
    """Run action(index) in `workers` threads released at the same instant."""
    barrier = threading.Barrier(workers)

    def run(index):
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(workers)))


def test_concurrent_failures_open_the_breaker_exactly_once(make):
    breaker = make(failure_threshold=5)
    opened = _together(40, lambda _: breaker.record_failure())
    assert opened.count(True) == 1
    assert breaker.state() == "open"


def test_threads_hammering_allow_in_half_open_get_exactly_one_probe(make, clock):
    breaker = make()
    fail(breaker, 3)
    clock.advance(30)
    allowed = _together(32, lambda _: sum(breaker.allow() for _ in range(25)))
    assert sum(allowed) == 1


def test_failures_racing_the_probe_never_let_a_second_one_out(make, clock):
    """Half the threads ask to call, half report failures (which re-open a half-open breaker)."""
    breaker = make()
    for _ in range(5):
        fail(breaker, 3)
        clock.advance(30)
        results = _together(32, lambda i: breaker.allow() if i % 2 else breaker.record_failure())
        probes = sum(ok for i, ok in enumerate(results) if i % 2)
        assert probes <= 1
        assert breaker.state() == "open"  # some failure landed in half-open and re-opened it
        breaker.reset()
