"""Rate limits against the real Redis (S6): a flooding contact is held, the others are not."""

import secrets

import pytest
from django.test import RequestFactory
from django_tenants.utils import schema_context
from prometheus_client import REGISTRY

from conversations.core import limits
from conversations.core.limits import ip_allow, llm_budget_allow, sender_allow, webhook_allow
from secretaria.client_ip import client_ip
from secretaria.redis_client import get_redis
from secretaria.settings_cache import settings_version_key

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def clock(monkeypatch):
    """A fake clock for the limiter: `clock.now` is what it reads; move it forward at will."""

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(limits, "_now", lambda: Clock.now)
    return Clock


@pytest.fixture
def phone() -> str:
    return "55119" + str(secrets.randbelow(10**8)).zfill(8)


@pytest.fixture
def net() -> str:
    """A random /24 of this test's own: its addresses are `net.1`, `net.2`..."""
    return "10." + ".".join(str(secrets.randbelow(256)) for _ in range(2))


@pytest.fixture
def ip(net) -> str:
    return f"{net}.1"


@pytest.fixture(autouse=True)
def _forget_rate_limit_keys(phone, net):
    """Delete this test's counters afterwards (only its own: others may share this Redis)."""
    yield
    redis = get_redis()
    for pattern in (f"secretaria:*:rl:*:{phone}*", f"secretaria:*:rl:ip:{net}.*"):
        keys = list(redis.scan_iter(pattern, count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture
def redis_down(settings):
    get_redis.cache_clear()
    settings.REDIS_URL = CLOSED_PORT_REDIS
    yield
    get_redis.cache_clear()


def allowed(check, n: int, **kwargs) -> list[bool]:
    return [check(**kwargs) for _ in range(n)]


def limited_count(company: str, scope: str) -> float:
    """The fleet's count (the metric has no company label; the tests here run one company at a time)."""
    value = REGISTRY.get_sample_value("secretaria_messages_limited_total", {"scope": scope})
    return value or 0.0


def test_a_flood_of_1000_messages_lets_only_the_first_20_through(phone):
    with schema_context("acme"):
        results = allowed(sender_allow, 1000, phone=phone)
    assert results == [True] * 20 + [False] * 980


def test_another_contact_is_unaffected_by_the_flood(phone):
    with schema_context("acme"):
        allowed(sender_allow, 1000, phone=phone)
        assert allowed(sender_allow, 20, phone=phone + "1") == [True] * 20


def test_the_sender_limit_comes_from_settings(settings, phone):
    settings.RATE_LIMIT_SENDER_PER_MINUTE = 3
    with schema_context("acme"):
        assert allowed(sender_allow, 5, phone=phone) == [True, True, True, False, False]


def test_the_window_slides(settings, clock, phone):
    settings.RATE_LIMIT_SENDER_PER_MINUTE = 2
    with schema_context("acme"):
        assert sender_allow(phone=phone)  # t = 0
        clock.now += 30
        assert sender_allow(phone=phone)  # t = 30
        clock.now += 20
        assert not sender_allow(phone=phone)  # t = 50: two in the last minute
        clock.now += 10.5
        assert sender_allow(phone=phone)  # t = 60.5: the first one left the window
        clock.now += 0.5
        assert not sender_allow(phone=phone)  # t = 61: hits at 30 and 60.5 still count


def test_a_denied_message_does_not_extend_the_ban(settings, clock, phone):
    settings.RATE_LIMIT_SENDER_PER_MINUTE = 1
    with schema_context("acme"):
        assert sender_allow(phone=phone)
        for _ in range(59):
            clock.now += 1
            assert not sender_allow(phone=phone)
        clock.now += 1.001
        assert sender_allow(phone=phone)


def test_counters_expire_with_their_window(phone):
    with schema_context("acme"):
        sender_allow(phone=phone)
        llm_budget_allow(phone=phone)
        redis = get_redis()
        assert 0 < redis.pttl(f"secretaria:acme:rl:sender:{phone}") <= 60_000
        assert 60_000 < redis.pttl(f"secretaria:acme:rl:llm:{phone}") <= 3_600_000


def test_one_companys_counter_does_not_touch_anothers(phone):
    with schema_context("acme"):
        allowed(sender_allow, 100, phone=phone)
        assert not sender_allow(phone=phone)
    with schema_context("globex"):
        assert allowed(sender_allow, 20, phone=phone) == [True] * 20


def test_refusals_are_counted_per_company_and_scope(settings, phone):
    settings.RATE_LIMIT_SENDER_PER_MINUTE = 1
    before = limited_count("acme", "sender")
    with schema_context("acme"):
        allowed(sender_allow, 4, phone=phone)
    assert limited_count("acme", "sender") == before + 3


def test_the_llm_budget_caps_a_contact_per_hour(clock, phone):
    with schema_context("acme"):
        assert allowed(llm_budget_allow, 31, phone=phone) == [True] * 30 + [False]
        assert llm_budget_allow(phone=phone + "1")
        clock.now += 3599
        assert not llm_budget_allow(phone=phone)
        clock.now += 1.001
        assert llm_budget_allow(phone=phone)


def test_the_llm_budget_comes_from_settings(settings, phone):
    settings.RATE_LIMIT_LLM_PER_CONTACT_HOUR = 2
    with schema_context("acme"):
        assert allowed(llm_budget_allow, 3, phone=phone) == [True, True, False]


def test_the_ip_limit_holds_a_flooding_source(ip, net, settings):
    settings.RATE_LIMIT_IP_PER_MINUTE = 600
    assert allowed(ip_allow, 700, ip=ip) == [True] * 600 + [False] * 100
    assert ip_allow(ip=f"{net}.2")


def test_the_ip_limit_comes_from_settings(settings, ip):
    settings.RATE_LIMIT_IP_PER_MINUTE = 2
    assert allowed(ip_allow, 3, ip=ip) == [True, True, False]


def test_on_the_public_host_the_ip_counter_is_global_and_on_company_hosts_per_company(settings, ip):
    settings.RATE_LIMIT_IP_PER_MINUTE = 1
    assert ip_allow(ip=ip)
    assert not ip_allow(ip=ip)
    assert get_redis().exists(f"secretaria:global:rl:ip:{ip}")
    with schema_context("acme"):
        assert ip_allow(ip=ip)
        assert not ip_allow(ip=ip)
    with schema_context("globex"):
        assert ip_allow(ip=ip)


def test_with_redis_down_sender_and_ip_fail_open_and_the_llm_budget_fails_closed(redis_down, phone, ip):
    before = limited_count("acme", "llm")
    with schema_context("acme"):
        assert sender_allow(phone=phone)
        assert ip_allow(ip=ip)
        assert not llm_budget_allow(phone=phone)
    assert limited_count("acme", "llm") == before + 1


# --- webhook_allow: the IP and sender limits (and the settings version) in one round trip ----------

def allow(ip: str, sender: str | None) -> tuple[bool, bool]:
    answer = webhook_allow(ip=ip, sender=sender, settings_version_key=settings_version_key())
    return answer.ip, answer.sender


def test_the_webhook_check_answers_as_the_two_separate_limits_would(settings, ip, phone):
    settings.RATE_LIMIT_IP_PER_MINUTE, settings.RATE_LIMIT_SENDER_PER_MINUTE = 5, 2
    with schema_context("acme"):
        answers = [allow(ip, phone) for _ in range(3)]
        assert answers == [(True, True), (True, True), (True, False)]  # the sender's third is held
        assert not sender_allow(phone=phone)  # same counter as the separate check
        assert ip_allow(ip=ip) and ip_allow(ip=ip) and not ip_allow(ip=ip)  # 3 used above + 2


def test_a_request_refused_by_its_ip_does_not_use_up_its_senders_allowance(settings, ip, phone):
    settings.RATE_LIMIT_IP_PER_MINUTE, settings.RATE_LIMIT_SENDER_PER_MINUTE = 1, 1
    before = limited_count("acme", "sender")
    with schema_context("acme"):
        assert allow(ip, None) == (True, True)  # a silent message: the IP only
        assert allow(ip, phone) == (False, False)
        assert sender_allow(phone=phone)  # untouched by the refused request
    assert limited_count("acme", "sender") == before


def test_the_webhook_check_reads_the_settings_version_in_the_same_round_trip(ip, phone):
    with schema_context("acme"):
        get_redis().set(settings_version_key(), "v-123")
        assert webhook_allow(ip=ip, sender=phone, settings_version_key=settings_version_key()).settings_version \
            == "v-123"
        get_redis().delete(settings_version_key())
        assert webhook_allow(ip=ip, sender=None, settings_version_key=settings_version_key()).settings_version == ""


def test_the_webhook_check_fails_open_with_redis_down(redis_down, ip, phone):
    with schema_context("acme"):
        answer = webhook_allow(ip=ip, sender=phone, settings_version_key=settings_version_key())
        assert (answer.ip, answer.sender, answer.settings_version) == (True, True, None)


# --- client_ip ---------------------------------------------------------------

def request_from(remote: str = "203.0.113.9", forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().post("/webhook/meta", REMOTE_ADDR=remote, **extra)


def test_x_forwarded_for_is_ignored_unless_trusted(settings):
    settings.TRUST_X_FORWARDED_FOR = False
    assert client_ip(request_from(forwarded="198.51.100.7")) == "203.0.113.9"


def test_behind_our_proxy_the_hop_it_appended_is_the_client(settings):
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_ip(request_from(forwarded="1.1.1.1, 198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize(("environment", "trusted"), [
    ({"BEHIND_TLS_PROXY": "1"}, "True"),
    ({"BEHIND_TLS_PROXY": "1", "TRUST_X_FORWARDED_FOR": "0"}, "False"),
    ({}, "False"),
])
def test_behind_tls_proxy_implies_trust_when_not_said_otherwise(environment, trusted):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("BEHIND_TLS_PROXY", "TRUST_X_FORWARDED_FOR")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUST_X_FORWARDED_FOR)"
    result = subprocess.run([sys.executable, "-c", code], env={**env, **environment, "SECRET_KEY": "x"},
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == trusted


def test_two_trusted_hops_read_the_second_from_the_right(settings):
    settings.TRUST_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(request_from(forwarded="6.6.6.6, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    assert client_ip(request_from(forwarded="10.0.0.2")) == "203.0.113.9"


def test_a_forged_non_ip_header_falls_back_to_the_socket_address(settings):
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_ip(request_from(forwarded="evil:key*")) == "203.0.113.9"
    assert client_ip(request_from(forwarded="2001:DB8::1")) == "2001:db8::1"
