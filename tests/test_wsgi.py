"""The WSGI application: webhooks on their lean middleware stack, everything else on the full one."""

import io
import json
from contextlib import contextmanager

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django_tenants.utils import schema_context

from conversations.models import Message
from secretaria.wsgi import application
from tests.conversations.conftest import sandbox_secret  # noqa: F401 - fixture


@contextmanager
def inside_the_test_transaction():
    # As Django's test client does: a real request would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(method: str, path: str, body: bytes = b"", host: str = "acme.localhost") -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": host,
        "SERVER_PORT": "80", "HTTP_HOST": host, "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(), "SERVER_PROTOCOL": "HTTP/1.1",
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    with inside_the_test_transaction():
        chunks = application(environ, start_response)
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], content


def test_a_webhook_goes_through_the_lean_stack_and_is_stored(sandbox_secret):  # noqa: F811
    body = json.dumps({"from": "5511912345678", "text": "Oi!", "id": "wsgi-1", "name": "Maria"}).encode()

    status, headers, _ = call("POST", f"/webhook/sandbox/{sandbox_secret}", body)

    assert status.startswith("200")
    assert "X-Request-ID" in headers  # request context and logging still apply
    assert "X-Frame-Options" not in headers  # the admin's middleware does not
    with schema_context("acme"):
        assert Message.objects.filter(provider_message_id="wsgi-1").count() == 1


@pytest.mark.django_db
def test_other_paths_keep_the_full_middleware_stack():
    status, headers, _ = call("GET", "/healthz", host="localhost")

    assert status.startswith("200")
    assert headers.get("X-Frame-Options") == "DENY"
    assert "X-Request-ID" in headers


def test_a_webhook_whose_connection_died_since_the_last_one_still_stores(django_db_setup, django_db_blocker):
    # The lean handler skips Django's SELECT 1 health check; the store reconnects instead.
    # In a thread of its own, outside the test transaction (its connection is killed).
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    import psycopg
    from django.db import connection

    from conversations.channels.services import channel_configure, channel_default_ensure

    def sandbox_secret_committed():
        with schema_context("acme"):
            channel_configure(kind="sandbox")
            return channel_default_ensure().inbound_secret

    def webhook(message_id: str):
        body = json.dumps({"from": "5511912340000", "text": "Oi", "id": message_id, "name": "Ana"}).encode()
        status, _, _ = call("POST", f"/webhook/sandbox/{secret}", body)
        return status, connection.connection.info.backend_pid

    first, second = f"wsgi-{uuid.uuid4().hex}", f"wsgi-{uuid.uuid4().hex}"
    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=1) as web_thread:
        secret = web_thread.submit(sandbox_secret_committed).result()
        status, backend = web_thread.submit(webhook, first).result()
        assert status.startswith("200")
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [backend])
        status, new_backend = web_thread.submit(webhook, second).result()
        web_thread.submit(lambda: connection.close()).result()
        with schema_context("acme"):
            stored = Message.objects.filter(provider_message_id__in=[first, second]).count()
            Message.objects.filter(provider_message_id__in=[first, second]).delete()

    assert status.startswith("200") and new_backend != backend
    assert stored == 2
