"""No webhook secret reaches a log line (issue 16, finding 3): Django's `django.request` logs every
4xx/5xx with the path ("Bad Request: /webhook/whaticket/<secret>") and the request object; our request
log, gunicorn's own loggers and any `?token=` are redacted too."""

import io
import json
import logging

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure, channel_default_ensure, channel_update
from secretaria import gunicorn_conf

ACME = Client(HTTP_HOST="acme.localhost")


@pytest.fixture
def log_output():
    """Everything the root handler writes (its own filters and formatter), as one string."""
    handler = logging.getLogger().handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def whaticket_secret(acme) -> str:
    with schema_context("acme"):
        channel_configure(kind="whaticket", base_url="http://whaticket.test", access_token="tok")
        return channel_default_ensure().inbound_secret


def test_a_400_on_an_authenticated_webhook_logs_no_secret(whaticket_secret, log_output):
    response = ACME.post(f"/webhook/whaticket/{whaticket_secret}", data=b"{not json",
                         content_type="application/json")

    assert response.status_code == 400
    written = log_output.getvalue()
    assert "Bad Request: /webhook/whaticket/***" in written  # django.request's line is there, redacted
    assert whaticket_secret not in written


def test_a_404_of_a_disabled_channel_logs_no_secret(whaticket_secret, log_output, django_capture_on_commit_callbacks):
    with schema_context("acme"), django_capture_on_commit_callbacks(execute=True):
        channel_update(channel=channel_default_ensure(), enabled=False)

    response = ACME.post(f"/webhook/whaticket/{whaticket_secret}", data=b"{}", content_type="application/json")

    assert response.status_code == 404
    assert "/webhook/whaticket/***" in log_output.getvalue()
    assert whaticket_secret not in log_output.getvalue()


def test_a_token_in_the_query_string_is_redacted(whaticket_secret, log_output):
    logging.getLogger("django.request").warning("Bad Request: %s", f"/webhook/whaticket?token={whaticket_secret}")

    assert whaticket_secret not in log_output.getvalue()
    assert "token=***" in log_output.getvalue()


def test_the_repr_of_a_request_passed_to_a_log_call_is_redacted(whaticket_secret, log_output):
    request = ACME.post(f"/webhook/sandbox/{whaticket_secret}/replies", data=b"{}",
                        content_type="application/json").wsgi_request

    logging.getLogger("django.request").error("Internal Server Error: %s", request.path,
                                              extra={"request": request, "status_code": 500})

    lines = [json.loads(line) for line in log_output.getvalue().splitlines() if line.strip()]
    assert any(line.get("event") == "Internal Server Error: /webhook/sandbox/***/replies" for line in lines)
    assert whaticket_secret not in log_output.getvalue()


def test_gunicorns_own_loggers_redact_the_secret(whaticket_secret):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    error_log = logging.getLogger("gunicorn.error")
    error_log.addHandler(handler)
    try:
        gunicorn_conf.on_starting(server=None)
        error_log.error("Error handling request %s", f"/webhook/whaticket/{whaticket_secret}")
    finally:
        error_log.removeHandler(handler)

    assert stream.getvalue().strip() == "Error handling request /webhook/whaticket/***"
