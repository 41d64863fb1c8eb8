"""Base URLs a company types in: format always; on a hosted platform, public addresses only."""

import socket

import pytest

from secretaria.url_check import INTERNAL, UNRESOLVED, base_url_problem


@pytest.fixture
def hosted(settings):
    settings.ALLOW_PRIVATE_BASE_URLS = False


@pytest.mark.parametrize("url", ["http://ollama:11434/v1", "http://localhost:11434/v1", "http://10.0.0.5/v1",
                                 "https://api.openai.com/v1"])
def test_a_self_hosted_install_takes_any_well_formed_url(settings, url):
    settings.ALLOW_PRIVATE_BASE_URLS = True
    assert base_url_problem(url) is None


@pytest.mark.parametrize("url", [
    "http://localhost:11434/v1",          # loopback by name
    "http://127.0.0.1:8080",
    "http://10.1.2.3/api",                # private ranges
    "http://172.16.0.10",
    "http://192.168.0.1",
    "http://169.254.169.254/latest",      # cloud metadata (link-local)
    "http://100.64.0.1",                  # carrier-grade NAT, not private yet not public
    "http://0.0.0.0:8000",
    "http://[::1]:8000",
    "http://[fd00::1]",
    "http://[::ffff:127.0.0.1]",          # IPv4-mapped loopback
])
def test_a_hosted_platform_refuses_internal_addresses(hosted, url):
    assert base_url_problem(url) == INTERNAL


def test_a_hosted_platform_takes_a_public_address(hosted):
    assert base_url_problem("https://8.8.8.8/v1") is None
    assert base_url_problem("https://[2001:4860:4860::8888]/v1") is None


def test_a_name_with_one_internal_address_among_public_ones_is_refused(hosted, monkeypatch):
    answers = {"llm.example.com": ["8.8.8.8", "1.1.1.1"], "mixed.example.com": ["8.8.4.4", "10.0.0.7"]}

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 0)) for ip in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    assert base_url_problem("https://mixed.example.com/v1") == INTERNAL
    assert base_url_problem("https://llm.example.com/v1") is None


def test_a_name_that_does_not_resolve_is_refused_when_hosted(hosted):
    assert base_url_problem("https://nao-existe.invalid/v1") == UNRESOLVED


def test_the_format_is_checked_before_any_lookup(hosted, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("looked up a malformed URL"))
    assert base_url_problem("ftp://files.example.com") is not None
    assert base_url_problem("http://user:pw@example.com") is not None
