"""The two admin sites enforce the same roles as the API, each on its own host only."""

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_deactivate
from tests.accounts.conftest import NOT_STAFF_WRITERS, ROLES, WRITERS, admin_client, stored
from tests.conftest import ADMIN_EMAIL, PASSWORD, _email, member, platform_admin

USERS = "/admin/accounts/user/"
ADD_USER = "/admin/accounts/user/add/"
COMPANIES = "/admin/tenants/company/"


def add_user_form(unique: str, role: str) -> dict:
    return {"email": f"pelo-painel-{unique}@acme.test", "full_name": "Pessoa do Painel",
            "role": role, "password": PASSWORD, "_save": "Salvar"}


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- The company admin ------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_open_the_company_admin_and_all_but_the_operator_the_user_list(acme, role):
    client = admin_client(acme, member(acme, role))

    assert client.get("/admin/").status_code == 200
    users = client.get(USERS)
    if role == "operator":  # the inbox and the calendar only (accounts/roles.py)
        assert users.status_code == 403
        return
    assert users.status_code == 200
    assert _email("owner", "acme") in users.content.decode()


@pytest.mark.parametrize("role", NOT_STAFF_WRITERS)
def test_only_the_owner_opens_the_add_user_form(acme, role):
    assert admin_client(acme, member(acme, role)).get(ADD_USER).status_code == 403


def test_the_owner_opens_the_add_user_form(acme):
    response = admin_client(acme, member(acme, "owner")).get(ADD_USER)

    assert response.status_code == 200
    assert 'name="role"' in response.content.decode()


@pytest.mark.parametrize("new_role", ["viewer", "operator", "manager"])
def test_the_owner_creates_a_user_with_the_chosen_role_through_the_admin(acme, new_role, unique):
    client = admin_client(acme, member(acme, "owner"))

    response = client.post(ADD_USER, add_user_form(unique, new_role))

    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("acme"):
        created = User.objects.get(email=f"pelo-painel-{unique}@acme.test")
        assert (created.role, created.is_staff, created.check_password(PASSWORD)) == (new_role, True, True)


@pytest.mark.parametrize("role", NOT_STAFF_WRITERS)
def test_only_the_owner_creates_a_user_through_the_admin(acme, role, unique):
    response = admin_client(acme, member(acme, role)).post(ADD_USER, add_user_form(unique, "viewer"))

    assert response.status_code == 403
    assert not _exists_in_acme(f"pelo-painel-{unique}@acme.test")


def test_a_manager_cannot_create_an_owner_through_the_admin(acme, unique):
    response = admin_client(acme, member(acme, "manager")).post(ADD_USER, add_user_form(unique, "owner"))

    assert response.status_code == 403
    assert not _exists_in_acme(f"pelo-painel-{unique}@acme.test")


def test_an_owner_can_create_an_owner_through_the_admin(acme, unique):
    response = admin_client(acme, member(acme, "owner")).post(ADD_USER, add_user_form(unique, "owner"))

    assert response.status_code == 302
    assert _exists_in_acme(f"pelo-painel-{unique}@acme.test")


def change_form(role: str, full_name: str = "Nome Pelo Painel", active: bool = True) -> dict:
    form = {"full_name": full_name, "role": role, "_save": "Salvar"}
    if active:
        form["is_active"] = "on"
    return form


def test_the_owner_changes_a_user_role_through_the_admin(acme, newcomer):
    target = newcomer(acme, "viewer")

    response = admin_client(acme, member(acme, "owner")).post(f"{USERS}{target.pk}/change/",
                                                             change_form("operator"))

    assert response.status_code == 302
    assert stored(acme, target).role == "operator"


@pytest.mark.parametrize("role", NOT_STAFF_WRITERS)
def test_only_the_owner_changes_a_user_through_the_admin(acme, newcomer, role):
    target = newcomer(acme, "viewer")

    response = admin_client(acme, member(acme, role)).post(f"{USERS}{target.pk}/change/",
                                                          change_form("manager"))

    assert response.status_code == 403
    assert stored(acme, target).role == "viewer"


@pytest.mark.parametrize("form", [change_form("owner", "Dona Alterada"), change_form("owner", active=False)],
                         ids=["rename", "deactivate"])
def test_a_manager_cannot_change_an_owner_through_the_admin(acme, newcomer, form):
    owner = newcomer(acme, "owner", full_name="Dona")

    response = admin_client(acme, member(acme, "manager")).post(f"{USERS}{owner.pk}/change/", form)

    assert response.status_code == 403
    now = stored(acme, owner)
    assert (now.full_name, now.is_active) == ("Dona", True)


@pytest.mark.parametrize("role", WRITERS)
def test_nobody_changes_their_own_role_through_the_admin(acme, role):
    me = member(acme, role)

    response = admin_client(acme, me).post(f"{USERS}{me.pk}/change/", change_form("viewer"))

    assert response.status_code == 403
    assert stored(acme, me).role == role


def test_the_owner_changes_their_own_name_through_the_admin(acme):
    me = member(acme, "owner")

    response = admin_client(acme, me).post(f"{USERS}{me.pk}/change/", change_form("owner", "Meu Nome"))

    assert response.status_code == 302
    assert (stored(acme, me).full_name, stored(acme, me).role) == ("Meu Nome", "owner")


def test_a_manager_reads_the_staff_without_an_edit_control(acme, newcomer):
    target = newcomer(acme, "viewer", full_name="Pessoa Lida")
    client = admin_client(acme, member(acme, "manager"))

    listed, page = client.get(USERS).content.decode(), client.get(f"{USERS}{target.pk}/change/")

    assert "Pessoa Lida" in listed and f'href="{ADD_USER}"' not in listed
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_nobody_deletes_users_through_the_admin(acme, newcomer, role):
    target = newcomer(acme, "viewer")

    response = admin_client(acme, member(acme, role)).post(f"{USERS}{target.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert _exists_in_acme(target.email)


def test_a_deactivated_user_is_sent_back_to_the_login(acme, newcomer):
    target = newcomer(acme, "manager")
    client = admin_client(acme, target)
    assert client.get("/admin/").status_code == 200
    with schema_context("acme"):
        user_deactivate(user=target, actor=None)

    assert sent_to_login(client.get("/admin/"))


def test_anonymous_visitors_are_sent_to_the_login(acme):
    assert sent_to_login(admin_client(acme).get(USERS))


# --- Each admin on its own host ---------------------------------------------


def test_a_company_user_can_log_in_to_its_own_company_admin(acme):
    """Control for the refusals below: the same form, the right host."""
    response = admin_client(acme).post("/admin/login/?next=/admin/",
                                       {"username": _email("owner", "acme"), "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.parametrize("role", ROLES)
def test_a_company_user_session_does_not_open_the_platform_admin(acme, role):
    user = member(acme, role)
    client = admin_client(acme, user)
    assert client.get("/admin/").status_code == 200

    client.defaults["HTTP_HOST"] = "localhost"

    assert sent_to_login(client.get("/admin/"))
    assert sent_to_login(client.get(COMPANIES))


def test_a_company_user_cannot_log_in_to_the_platform_admin(acme):
    client = admin_client(None)

    response = client.post("/admin/login/?next=/admin/", {"username": _email("owner", "acme"), "password": PASSWORD})

    assert response.status_code == 200  # the form again, with its error
    assert sent_to_login(client.get(COMPANIES))


def test_the_platform_admin_session_does_not_open_a_company_admin(acme):
    client = admin_client(None, platform_admin())
    assert client.get("/admin/").status_code == 200

    client.defaults["HTTP_HOST"] = "acme.localhost"

    assert sent_to_login(client.get("/admin/"))
    assert sent_to_login(client.get(USERS))


def test_the_platform_admin_cannot_log_in_to_a_company_admin(acme):
    client = admin_client(acme)

    response = client.post("/admin/login/?next=/admin/", {"username": ADMIN_EMAIL, "password": PASSWORD})

    assert response.status_code == 200
    assert sent_to_login(client.get(USERS))


def test_the_platform_admin_sees_the_companies_on_the_public_host(acme, globex):
    response = admin_client(None, platform_admin()).get(COMPANIES)

    assert response.status_code == 200
    page = response.content.decode()
    assert "acme" in page and "globex" in page


def test_the_company_admin_has_no_company_list_and_the_platform_admin_no_user_list(acme):
    assert admin_client(acme, member(acme, "owner")).get(COMPANIES).status_code == 404
    assert admin_client(None, platform_admin()).get(USERS).status_code == 404


def _exists_in_acme(email: str) -> bool:
    with schema_context("acme"):
        return User.objects.filter(email=email).exists()
