"""Headers a browser obeys (issue 16, finding 11): a Content-Security-Policy on the pages (the admin and
the API docs still work under it), no caching of token responses, and HSTS with secure cookies when
BEHIND_TLS_PROXY says a TLS proxy is in front."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)


def csp_of(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/"])
def test_pages_carry_a_policy_that_allows_no_inline_script_and_need_none(acme, path):
    response = Client(HTTP_HOST="acme.localhost").get(path)

    assert response.status_code == 200
    policy = csp_of(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'" and policy["object-src"] == "object-src 'none'"
    assert not INLINE_SCRIPT.search(response.content.decode())  # nothing the policy would block


def test_the_api_docs_start_up_script_is_served_as_a_file(acme):
    page = Client(HTTP_HOST="acme.localhost").get("/api/docs/").content.decode()
    script_url = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page).group(1).replace("&amp;", "&")

    script = Client(HTTP_HOST="acme.localhost").get(script_url)

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_the_admin_logs_in_under_the_policy(acme):
    browser = Client(HTTP_HOST="acme.localhost")

    response = browser.post("/admin/login/?next=/admin/", {"username": "owner@acme.test", "password": PASSWORD},
                            follow=True)

    assert response.status_code == 200 and "Content-Security-Policy" in response
    assert not INLINE_SCRIPT.search(response.content.decode())


def test_token_responses_are_never_cached(api, acme):
    obtained = api(acme).post("/api/auth/token", {"email": "owner@acme.test", "password": PASSWORD}, format="json")
    refreshed = api(acme).post("/api/auth/token/refresh", {"refresh": obtained.json()["refresh"]}, format="json")

    for response in (obtained, refreshed):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_behind_a_tls_proxy_https_requests_get_hsts(acme, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000

    secure = Client(HTTP_HOST="acme.localhost", HTTP_X_FORWARDED_PROTO="https").get("/admin/login/")
    plain = Client(HTTP_HOST="acme.localhost").get("/admin/login/")

    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in plain


@pytest.mark.parametrize("behind_tls, expected", [
    ("1", {"proxy_header": ["HTTP_X_FORWARDED_PROTO", "https"], "hsts": 31536000, "session": True, "csrf": True}),
    ("0", {"proxy_header": None, "hsts": 0, "session": False, "csrf": False}),
])
def test_behind_tls_proxy_turns_on_hsts_secure_cookies_and_the_proxy_header(behind_tls, expected):
    """The settings module itself, read from a fresh environment (as the container reads it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SESSION_COOKIE", "CSRF_COOKIE", "SECURE_"))}
    env.update(BEHIND_TLS_PROXY=behind_tls, DJANGO_SETTINGS_MODULE="secretaria.settings")
    code = ("import json; from django.conf import settings as s; print(json.dumps({'proxy_header': "
            "s.SECURE_PROXY_SSL_HEADER, 'hsts': s.SECURE_HSTS_SECONDS, 'session': s.SESSION_COOKIE_SECURE, "
            "'csrf': s.CSRF_COOKIE_SECURE}))")

    output = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                            text=True, check=True).stdout

    assert json.loads(output.strip().splitlines()[-1]) == expected
