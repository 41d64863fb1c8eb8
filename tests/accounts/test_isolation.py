"""Staff data stays inside its company: acme's users, ids, tokens and sessions mean nothing on globex."""

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Company
from tests.accounts.conftest import admin_client, stored
from tests.conftest import PASSWORD, member, tokens


def ids_in(schema: str) -> set[int]:
    with schema_context(schema):
        return set(User.objects.values_list("pk", flat=True))


@pytest.fixture
def hired_in_acme(api, acme, unique) -> dict:
    """A user created in acme through the API, as the API returned it."""
    response = api(acme, "owner").post("/api/users", {
        "email": f"so-na-acme-{unique}@acme.test", "password": PASSWORD, "role": "operator",
    }, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_user_created_in_acme_is_listed_in_acme_only(api, acme, globex, hired_in_acme):
    def emails(company):
        return {u["email"] for u in api(company, "owner").get("/api/users").json()["results"]}

    assert hired_in_acme["email"] in emails(acme)
    assert hired_in_acme["email"] not in emails(globex)
    with schema_context("globex"):
        assert not User.objects.filter(email=hired_in_acme["email"]).exists()


@pytest.mark.parametrize("method, body", [("get", None), ("patch", {"role": "viewer"}), ("delete", None)])
def test_an_acme_user_id_asked_on_the_globex_host_is_404(api, acme, globex, hired_in_acme, method, body):
    user_id = hired_in_acme["id"]
    assert user_id not in ids_in("globex"), "precondition: the id must exist only in acme"

    response = getattr(api(globex, "owner"), method)(f"/api/users/{user_id}", body, format="json")

    assert response.status_code == 404
    acme_user = stored(acme, User(pk=user_id))
    assert (acme_user.role, acme_user.is_active) == ("operator", True)


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/me", None),
    ("get", "/api/users", None),
    ("get", "/api/users/{id}", None),
    ("post", "/api/users", {"email": "intruso@globex.test", "password": PASSWORD, "role": "owner"}),
    ("patch", "/api/users/{id}", {"role": "viewer", "full_name": "Invadido"}),
    ("delete", "/api/users/{id}", None),
    ("patch", "/api/company", {"name": "Invadida"}),
])
def test_a_user_id_present_in_both_companies_does_not_let_an_acme_token_act_on_globex(
    api, acme, globex, method, path, body
):
    acme_owner = member(acme, "owner")
    with schema_context("globex"):
        twin = User.objects.get(pk=acme_owner.pk)  # the cast is created alike in both schemas
    assert twin.email != acme_owner.email
    before = stored(globex, twin)
    token = tokens(acme, acme_owner)["access"]

    response = getattr(api(globex, token=token), method)(path.format(id=twin.pk), body, format="json")

    assert response.status_code == 401
    after = stored(globex, twin)
    assert (after.role, after.full_name, after.is_active) == (before.role, before.full_name, before.is_active)
    assert Company.objects.get(slug="globex").name == "Globex"
    with schema_context("globex"):
        assert not User.objects.filter(email="intruso@globex.test").exists()


def test_an_acme_refresh_token_mints_nothing_on_globex(api, acme, globex):
    refresh = tokens(acme, member(acme, "owner"))["refresh"]

    response = api(globex).post("/api/auth/token/refresh", {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert "access" not in response.json()


def test_the_same_email_in_both_companies_is_two_separate_accounts(api, acme, globex, newcomer, unique):
    email = f"em-dois-lugares-{unique}@exemplo.test"
    in_acme, in_globex = newcomer(acme, "manager", email=email), newcomer(globex, "viewer", email=email)

    assert api(acme, "owner").delete(f"/api/users/{in_acme.pk}").status_code == 204

    assert stored(acme, in_acme).is_active is False
    assert (stored(globex, in_globex).is_active, stored(globex, in_globex).role) == (True, "viewer")
    login = api(globex).post("/api/auth/token", {"email": email, "password": PASSWORD}, format="json")
    assert login.status_code == 200
    assert api(globex, token=login.json()["access"]).get("/api/me").json()["role"] == "viewer"


def test_an_acme_admin_session_does_not_open_globex_admin(acme, globex):
    client = admin_client(acme, member(acme, "owner"))
    assert client.get("/admin/accounts/user/").status_code == 200

    client.defaults["HTTP_HOST"] = "globex.localhost"

    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
