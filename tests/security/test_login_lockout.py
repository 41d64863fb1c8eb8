"""Login brute force (issue 16, finding 4): django-axes on the API's token view and the admin's login,
by account and by IP, per company; 429 with a pt-BR message, the right password refused during the
lockout, let in again after the cool-off; one LoginFailuresBurst per lockout for the audit trail."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from secretaria.events import LoginFailuresBurst
from tests.conftest import host_of
from tests.factories import PASSWORD
from tests.security.events import heard

ATTACKER, OFFICE, HOME = "203.0.113.66", "198.51.100.10", "192.0.2.44"
WRONG = "senha-errada-123"
MESSAGE = f"Muitas tentativas de login. Tente novamente em {settings.AXES_COOLOFF_TIME.seconds // 60} minutos."


def api_login(company, email: str, password: str, ip: str):
    client = APIClient(HTTP_HOST=host_of(company), REMOTE_ADDR=ip)
    return client.post("/api/auth/token", {"email": email, "password": password}, format="json")


def admin_login(company, email: str, password: str, ip: str):
    client = Client(HTTP_HOST=host_of(company), REMOTE_ADDR=ip)
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


def hammer(login, company, email: str, ip: str, times: int = 50) -> list[int]:
    return [login(company, email, WRONG, ip).status_code for _ in range(times)]


def test_fifty_wrong_passwords_on_the_api_then_the_right_one_is_refused_with_429(acme):
    statuses = hammer(api_login, acme, "owner@acme.test", ATTACKER)
    right = api_login(acme, "owner@acme.test", PASSWORD, ATTACKER)

    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[:limit - 1] == [401] * (limit - 1) and set(statuses[limit - 1:]) == {429}
    assert right.status_code == 429
    assert right.json()["detail"] == MESSAGE
    assert int(right["Retry-After"]) == settings.AXES_COOLOFF_TIME.seconds
    assert "access" not in right.json()


def test_the_account_is_locked_from_any_address_and_the_address_for_any_account(acme):
    hammer(api_login, acme, "owner@acme.test", ATTACKER)

    assert api_login(acme, "owner@acme.test", PASSWORD, HOME).status_code == 429  # by account
    assert api_login(acme, "manager@acme.test", PASSWORD, ATTACKER).status_code == 429  # by address


def test_another_account_from_another_address_still_logs_in(acme):
    hammer(api_login, acme, "owner@acme.test", ATTACKER)

    assert api_login(acme, "manager@acme.test", PASSWORD, OFFICE).status_code == 200


def test_after_the_cool_off_the_right_password_works_again(acme):
    hammer(api_login, acme, "owner@acme.test", ATTACKER)

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5), tick=False):
        assert api_login(acme, "owner@acme.test", PASSWORD, ATTACKER).status_code == 200


def test_the_lockout_stays_in_its_company(acme, globex):
    hammer(api_login, acme, "owner@acme.test", ATTACKER)

    assert api_login(globex, "owner@globex.test", PASSWORD, ATTACKER).status_code == 200


def test_the_email_case_does_not_buy_more_attempts(acme):
    for i in range(settings.AXES_FAILURE_LIMIT):
        email = "owner@acme.test" if i % 2 else "OWNER@ACME.test"
        api_login(acme, email, WRONG, [ATTACKER, HOME, OFFICE][i % 3])

    assert api_login(acme, "owner@acme.test", PASSWORD, "192.0.2.99").status_code == 429


def test_fifty_wrong_passwords_on_the_admin_then_the_right_one_gets_the_lockout_page(acme):
    statuses = hammer(admin_login, acme, "owner@acme.test", ATTACKER)
    right = admin_login(acme, "owner@acme.test", PASSWORD, ATTACKER)

    assert statuses[0] == 200 and statuses[-1] == 429  # the form again, then the lockout page
    assert right.status_code == 429
    page = right.content.decode()
    assert "Acesso bloqueado temporariamente" in page and MESSAGE in page
    assert "sessionid" not in right.cookies
    assert admin_login(acme, "manager@acme.test", PASSWORD, OFFICE).status_code == 302  # logged in


def test_the_platform_admin_login_is_protected_too(db):
    from tests.conftest import ADMIN_EMAIL

    hammer(admin_login, None, ADMIN_EMAIL, ATTACKER, times=settings.AXES_FAILURE_LIMIT)

    assert admin_login(None, ADMIN_EMAIL, PASSWORD, ATTACKER).status_code == 429


@pytest.mark.parametrize("login, surface", [(api_login, "api"), (admin_login, "admin")])
def test_each_lockout_is_published_once_for_the_audit_trail(acme, django_capture_on_commit_callbacks, login, surface):
    with heard(LoginFailuresBurst) as events, django_capture_on_commit_callbacks(execute=True):
        hammer(login, acme, "owner@acme.test", ATTACKER, times=30)
        login(acme, "owner@acme.test", PASSWORD, ATTACKER)

    assert len(events) == 1
    event = events[0]
    assert (event.username, event.ip, event.surface) == ("owner@acme.test", ATTACKER, surface)
    assert event.failures == settings.AXES_FAILURE_LIMIT


@pytest.mark.parametrize("email", ["x" * 300 + "@acme.test", "nul\x00@acme.test"], ids=["too-long", "nul"])
def test_whatever_is_typed_as_the_email_is_counted_without_a_500(acme, email):
    assert api_login(acme, email, WRONG, ATTACKER).status_code in (400, 401)
