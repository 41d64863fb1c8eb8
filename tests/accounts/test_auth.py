"""JWT login, refresh, logout and /api/me; and the tokens the API must refuse (reliability row S5)."""

import time

import jwt
import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from rest_framework_simplejwt.settings import api_settings

from accounts.models import User
from accounts.services import password_hash_begin, user_create, user_deactivate
from tenants.models import Company
from tests.accounts.conftest import ROLES
from tests.conftest import ADMIN_EMAIL, PASSWORD, _email, member, platform_admin, tokens

# The HS512 forgery below reuses the server's (HS256-sized) key on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

REFRESH = "/api/auth/token/refresh"
LOGOUT = "/api/auth/logout"


def login(client, email: str, password: str = PASSWORD):
    return client.post("/api/auth/token", {"email": email, "password": password}, format="json")


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def sign(claims: dict, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, api_settings.SIGNING_KEY if key is None else key, algorithm=algorithm)


# --- Obtaining tokens -------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_company_user_gets_access_and_refresh_tokens_on_its_company_host(api, acme, role):
    response = login(api(acme), _email(role, "acme"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert claims_of(body["access"])["schema"] == "acme"
    assert claims_of(body["access"])["role"] == role
    me = api(acme, token=body["access"]).get("/api/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == _email(role, "acme")


def test_the_platform_admin_gets_tokens_on_the_public_host(api, db):
    response = login(api(None), ADMIN_EMAIL)

    assert response.status_code == 200, response.content
    assert claims_of(response.json()["access"])["schema"] == "public"
    me = api(None, token=response.json()["access"]).get("/api/me")
    assert me.status_code == 200
    assert me.json()["role"] == "platform_admin"


def test_login_ignores_the_case_of_the_email(api, acme):
    assert login(api(acme), "Owner@ACME.test").status_code == 200


@pytest.mark.parametrize("company_slug, email", [("acme", "owner@acme.test"), (None, ADMIN_EMAIL)])
def test_a_wrong_password_is_refused_with_401(api, db, company_slug, email):
    company = None if company_slug is None else Company.objects.get(slug=company_slug)

    response = login(api(company), email, "senha-errada-123")

    assert response.status_code == 401
    assert "access" not in response.json()


def test_an_unknown_email_is_refused_with_401(api, acme):
    assert login(api(acme), "ninguem@acme.test").status_code == 401


def test_a_company_user_cannot_get_a_token_on_another_company_host(api, globex):
    assert login(api(globex), "owner@acme.test").status_code == 401


def test_the_same_email_in_two_companies_logs_in_only_with_each_company_own_password(
    api, acme, globex, newcomer, unique
):
    email = f"duas-casas-{unique}@exemplo.test"
    newcomer(acme, "owner", email=email)
    newcomer(globex, "viewer", email=email)
    with_globex_password = "Senha-da-globex-42"
    with schema_context("globex"):
        user = User.objects.get(email=email)
        user.set_password(with_globex_password)
        user.save()

    assert login(api(globex), email, PASSWORD).status_code == 401
    on_globex = login(api(globex), email, with_globex_password)
    assert on_globex.status_code == 200
    assert claims_of(on_globex.json()["access"])["role"] == "viewer"


def test_a_company_user_cannot_get_a_token_on_the_public_host(api, acme):
    assert login(api(None), "owner@acme.test").status_code == 401


def test_the_platform_admin_cannot_get_a_token_on_a_company_host(api, acme):
    assert login(api(acme), ADMIN_EMAIL).status_code == 401


def test_an_inactive_user_cannot_get_a_token(api, acme, newcomer):
    user = newcomer(acme, "manager")
    with schema_context("acme"):
        user_deactivate(user=user, actor=None)

    assert login(api(acme), user.email).status_code == 401


# --- Refresh and logout -----------------------------------------------------


def test_refresh_rotates_the_refresh_token(api, acme):
    client = api(acme)
    first = login(client, "operator@acme.test").json()

    response = client.post(REFRESH, {"refresh": first["refresh"]}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["refresh"] != first["refresh"]
    assert claims_of(body["refresh"])["schema"] == "acme"
    assert api(acme, token=body["access"]).get("/api/me").status_code == 200
    assert client.post(REFRESH, {"refresh": body["refresh"]}, format="json").status_code == 200


def test_a_reused_rotated_refresh_token_is_refused(api, acme):
    client = api(acme)
    old = login(client, "operator@acme.test").json()["refresh"]
    assert client.post(REFRESH, {"refresh": old}, format="json").status_code == 200

    assert client.post(REFRESH, {"refresh": old}, format="json").status_code == 401


def test_logout_blacklists_the_refresh_token(api, acme):
    client = api(acme)
    refresh = login(client, "viewer@acme.test").json()["refresh"]

    assert client.post(LOGOUT, {"refresh": refresh}, format="json").status_code == 205
    assert client.post(REFRESH, {"refresh": refresh}, format="json").status_code == 401
    assert client.post(LOGOUT, {"refresh": refresh}, format="json").status_code == 401


def test_logout_refuses_an_access_token(api, acme):
    client = api(acme)
    access = login(client, "viewer@acme.test").json()["access"]

    assert client.post(LOGOUT, {"refresh": access}, format="json").status_code == 401


def test_logout_on_another_company_host_is_refused_and_leaves_the_token_valid(api, acme, globex):
    refresh = login(api(acme), "viewer@acme.test").json()["refresh"]

    assert api(globex).post(LOGOUT, {"refresh": refresh}, format="json").status_code == 401
    assert api(acme).post(REFRESH, {"refresh": refresh}, format="json").status_code == 200


def test_a_deactivated_user_can_no_longer_refresh(api, acme, newcomer):
    user = newcomer(acme, "operator")
    refresh = login(api(acme), user.email).json()["refresh"]
    with schema_context("acme"):
        user_deactivate(user=user, actor=None)

    assert api(acme).post(REFRESH, {"refresh": refresh}, format="json").status_code == 401


# --- /api/me ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_me_returns_the_user_the_role_and_the_company(api, acme, role):
    response = api(acme, role).get("/api/me")

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == _email(role, "acme")
    assert body["user"]["role"] == body["role"] == role
    assert (body["company"]["slug"], body["company"]["schema_name"]) == ("acme", "acme")
    assert "password" not in body["user"]


def test_me_on_the_public_host_returns_the_platform_admin_without_a_company(api, db):
    body = api(None, "admin").get("/api/me").json()

    assert body["user"]["email"] == ADMIN_EMAIL
    assert body["role"] == "platform_admin"
    assert body["company"] is None


def test_me_without_a_token_is_401(api, acme):
    assert api(acme).get("/api/me").status_code == 401


# --- S5: tokens the API must refuse ----------------------------------------


def alg_none(claims):
    return jwt.encode(claims, None, algorithm="none")


def wrong_key(claims):
    return sign(claims, key="outra-chave-que-nao-e-a-do-servidor-" + "x" * 32)


def other_algorithm(claims):
    return sign(claims, algorithm="HS512")


def expired(claims):
    now = int(time.time())
    return sign({**claims, "iat": now - 3600, "exp": now - 60})


def without_schema(claims):
    return sign({k: v for k, v in claims.items() if k != "schema"})


def unsigned_copy_for_globex(claims):
    return alg_none({**claims, "schema": "globex"})


FORGERIES = [alg_none, wrong_key, other_algorithm, expired, without_schema]


def test_the_real_token_re_signed_unchanged_is_accepted(api, acme):
    """Control: the forgeries below fail because of what they change, not because of PyJWT."""
    real = tokens(acme, member(acme, "owner"))

    assert api(acme, token=sign(claims_of(real["access"]))).get("/api/me").status_code == 200
    response = api(acme).post(REFRESH, {"refresh": sign(claims_of(real["refresh"]))}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_a_forged_access_token_is_refused(api, acme, forge):
    real = tokens(acme, member(acme, "owner"))["access"]

    response = api(acme, token=forge(claims_of(real))).get("/api/me")

    assert response.status_code == 401


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_a_forged_refresh_token_is_refused(api, acme, forge):
    real = tokens(acme, member(acme, "owner"))["refresh"]

    response = api(acme).post(REFRESH, {"refresh": forge(claims_of(real))}, format="json")

    assert response.status_code == 401
    assert "access" not in response.json()


def test_an_unsigned_token_rewritten_for_the_other_tenant_is_refused(api, acme, globex):
    real = tokens(acme, member(acme, "owner"))["access"]

    assert api(globex, token=unsigned_copy_for_globex(claims_of(real))).get("/api/me").status_code == 401


def test_a_refresh_token_is_not_accepted_as_an_access_token(api, acme):
    refresh = tokens(acme, member(acme, "owner"))["refresh"]

    assert api(acme, token=refresh).get("/api/me").status_code == 401


CROSS_TENANT_PATHS = ["/api/me", "/api/users", "/api/company"]


@pytest.mark.parametrize("path", CROSS_TENANT_PATHS)
@pytest.mark.parametrize("minted_in, used_on", [("acme", "globex"), ("globex", "acme")])
def test_an_access_token_minted_for_one_company_is_refused_on_the_other(
    api, acme, globex, minted_in, used_on, path
):
    companies = {"acme": acme, "globex": globex}
    access = tokens(companies[minted_in], member(companies[minted_in], "owner"))["access"]

    assert api(companies[minted_in], token=access).get(path).status_code == 200
    assert api(companies[used_on], token=access).get(path).status_code == 401


@pytest.mark.parametrize("minted_in, used_on", [("acme", "globex"), ("globex", "acme")])
def test_a_refresh_token_minted_for_one_company_is_refused_on_the_other(
    api, acme, globex, minted_in, used_on
):
    companies = {"acme": acme, "globex": globex}
    refresh = tokens(companies[minted_in], member(companies[minted_in], "owner"))["refresh"]

    response = api(companies[used_on]).post(REFRESH, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert "access" not in response.json()


@pytest.mark.parametrize("path", CROSS_TENANT_PATHS)
def test_a_platform_admin_token_is_refused_on_a_company_host(api, acme, path):
    admin_access = tokens(None, platform_admin())["access"]

    assert api(acme, token=admin_access).get(path).status_code == 401


def test_a_platform_admin_refresh_token_is_refused_on_a_company_host(api, acme):
    refresh = tokens(None, platform_admin())["refresh"]

    assert api(acme).post(REFRESH, {"refresh": refresh}, format="json").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_a_company_token_is_refused_on_the_public_host(api, acme, role):
    public = api(None, token=tokens(acme, member(acme, role))["access"])

    assert public.get("/api/me").status_code == 401
    assert public.post("/api/tenants/provision", {}, format="json").status_code == 401


def test_a_company_refresh_token_is_refused_on_the_public_host(api, acme):
    refresh = tokens(acme, member(acme, "owner"))["refresh"]

    assert api(None).post(REFRESH, {"refresh": refresh}, format="json").status_code == 401



# --- Password hashes: Argon2 for new ones, PBKDF2 ones upgraded at login ----------------


def test_new_passwords_are_hashed_with_argon2id_at_djangos_cost(acme, newcomer):
    user = newcomer(acme)

    with schema_context("acme"):
        stored_hash = User.objects.get(pk=user.pk).password
    assert stored_hash.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")


def test_a_pbkdf2_hash_from_before_still_logs_in_and_is_upgraded_to_argon2(api, acme, newcomer):
    user = newcomer(acme)
    old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
    assert old_hash.startswith("pbkdf2_sha256$1000000$")
    with schema_context("acme"):
        User.objects.filter(pk=user.pk).update(password=old_hash)

    refused = login(api(acme), user.email, "nao-e-a-senha-9")
    with schema_context("acme"):
        assert User.objects.get(pk=user.pk).password == old_hash  # a wrong password upgrades nothing
    response = login(api(acme), user.email)

    assert refused.status_code == 401
    assert response.status_code == 200, response.content
    with schema_context("acme"):
        upgraded = User.objects.get(pk=user.pk)
    assert upgraded.password.startswith("argon2$argon2id$")
    assert upgraded.check_password(PASSWORD)
    assert login(api(acme), user.email).status_code == 200  # and the new hash logs in too


def test_a_hash_computed_beforehand_in_its_thread_is_the_new_users_and_logs_in(api, acme, unique):
    hashed = password_hash_begin(PASSWORD).result()
    email = f"previo-{unique}@acme.test"
    with schema_context("acme"):
        user = user_create(email=email, password=PASSWORD, role="viewer", password_hash=hashed.encoded)
        assert User.objects.get(pk=user.pk).password == hashed.encoded

    assert hashed.encoded.startswith("argon2$argon2id$") and hashed.seconds > 0
    assert login(api(acme), email).status_code == 200


def test_a_hash_given_beforehand_does_not_skip_the_password_rules(acme, unique):
    weak = "12345678"
    with schema_context("acme"), pytest.raises(ValidationError) as refused:
        user_create(email=f"fraca-{unique}@acme.test", password=weak, role="viewer",
                    password_hash=password_hash_begin(weak).result().encoded)

    assert "password" in refused.value.message_dict
