"""Access tokens do not outlive what should end them (issue 16, finding 9): a logout refuses the
session's access tokens at once (they used to work for up to 10 minutes), and a password change or a
deactivation refuses every token of the user, access and refresh."""

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_deactivate
from tests.accounts.conftest import newcomer  # noqa: F401 - fixture
from tests.factories import PASSWORD

REFRESH = "/api/auth/token/refresh"


@pytest.fixture
def person(acme, newcomer):  # noqa: F811
    return newcomer(acme, "manager")


def login(api, company, user) -> dict:
    response = api(company).post("/api/auth/token", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def me(api, company, access: str):
    return api(company, token=access).get("/api/me")


def test_a_logged_out_access_token_is_refused_at_once(api, acme, person):
    session = login(api, acme, person)
    assert me(api, acme, session["access"]).status_code == 200

    logout = api(acme).post("/api/auth/logout", {"refresh": session["refresh"]}, format="json")

    assert logout.status_code == 205
    refused = me(api, acme, session["access"])
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Sessão encerrada: entre novamente."
    assert api(acme).post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401


def test_access_tokens_minted_by_a_refresh_end_with_their_session(api, acme, person):
    session = login(api, acme, person)
    rotated = api(acme).post(REFRESH, {"refresh": session["refresh"]}, format="json").json()

    api(acme).post("/api/auth/logout", {"refresh": rotated["refresh"]}, format="json")

    assert me(api, acme, rotated["access"]).status_code == 401
    assert me(api, acme, session["access"]).status_code == 401


def test_logging_out_one_session_leaves_the_users_other_sessions_alone(api, acme, person):
    laptop, phone = login(api, acme, person), login(api, acme, person)

    api(acme).post("/api/auth/logout", {"refresh": laptop["refresh"]}, format="json")

    assert me(api, acme, laptop["access"]).status_code == 401
    assert me(api, acme, phone["access"]).status_code == 200


def test_a_password_change_refuses_the_older_access_and_refresh_tokens(api, acme, person):
    session = login(api, acme, person)
    with schema_context("acme"):
        user = User.objects.get(pk=person.pk)
        user.set_password("uma-senha-nova-e-longa-1")
        user.save(update_fields=["password"])

    assert me(api, acme, session["access"]).status_code == 401
    assert api(acme).post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401
    fresh = api(acme).post("/api/auth/token", {"email": person.email, "password": "uma-senha-nova-e-longa-1"},
                           format="json")
    assert fresh.status_code == 200 and me(api, acme, fresh.json()["access"]).status_code == 200


def test_a_deactivated_user_is_refused_with_every_token(api, acme, person):
    session = login(api, acme, person)
    with schema_context("acme"):
        user_deactivate(user=User.objects.get(pk=person.pk), actor=None)

    assert me(api, acme, session["access"]).status_code == 401
    assert api(acme).post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401
