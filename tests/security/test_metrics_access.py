"""/metrics names every company's schema (issue 16, finding 10): it answers only the configured bearer
token (METRICS_TOKEN) or callers inside METRICS_ALLOWED_NETS (loopback by default), on any host."""

import pytest
from django.test import Client

TOKEN = "token-do-prometheus-de-teste"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(*, ip: str = "127.0.0.1", host: str = "localhost", **headers):
    return Client(HTTP_HOST=host, REMOTE_ADDR=ip).get("/metrics", **headers)


@pytest.mark.parametrize("host", ["localhost", "acme.localhost"])
def test_a_stranger_without_the_token_is_refused_on_every_host(db, metrics_token, host):
    response = scrape(ip="203.0.113.7", host=host)

    assert response.status_code == 403
    assert b"acme" not in response.content and b"secretaria_" not in response.content


def test_the_bearer_token_is_served_from_anywhere(db, metrics_token):
    response = scrape(ip="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert b"secretaria_http_requests_total" in response.content


def test_a_wrong_token_is_refused_even_from_an_allowed_network(db, metrics_token):
    assert scrape(HTTP_AUTHORIZATION="Bearer outro").status_code == 403


def test_loopback_is_allowed_by_default_and_other_networks_only_when_listed(db, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(ip="127.0.0.1").status_code == 200
    assert scrape(ip="10.0.0.5").status_code == 403
    settings.METRICS_ALLOWED_NETS = ["10.0.0.0/8"]
    assert scrape(ip="10.0.0.5").status_code == 200


def test_behind_our_proxy_the_forwarded_client_counts_not_the_proxy(db, settings):
    """A proxy on the same machine connects from loopback: the client it names is who asks."""
    settings.METRICS_TOKEN = ""
    settings.TRUST_X_FORWARDED_FOR = True

    assert scrape(ip="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 403
    assert scrape(ip="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200
