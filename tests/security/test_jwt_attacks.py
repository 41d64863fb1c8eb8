"""Forged, stale and misplaced JWTs, against every operation of the schema that takes a token.

tests/accounts/test_auth.py checks each forgery on /api/me and the refresh endpoint; here each one
is tried on every authenticated operation a company's host documents (and the platform's), so an
endpoint with its own authentication classes cannot quietly accept what the others refuse.
A control proves the battery bites: the genuine token, re-signed unchanged, is accepted.
"""

import base64
import json
import time

import jwt
import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from rest_framework_simplejwt.settings import api_settings

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_deactivate
from tests.conftest import member, platform_admin, tokens
from tests.factories import PASSWORD, UserFactory
from tests.security.conftest import openapi_schema, operations, rows_of_each

# Some forgeries reuse the server's (HS256-sized) key with another algorithm on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def sign(claims: dict, key: str | bytes | None = None, algorithm: str = "HS256", headers=None) -> str:
    return jwt.encode(claims, api_settings.SIGNING_KEY if key is None else key, algorithm=algorithm,
                      headers=headers)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# --- forgeries of a genuine access token's claims -------------------------------------------------

def alg_none(claims, _):
    return jwt.encode(claims, None, algorithm="none")


def alg_none_capitalised(claims, _):
    """`"alg": "None"` and an empty signature: libraries that compare case-insensitively fall for it."""
    return f"{_b64({'alg': 'None', 'typ': 'JWT'})}.{_b64(claims)}."


def hs256_with_the_published_public_key(claims, public_key):
    """Algorithm confusion: HMAC keyed with the Ed25519 key the audit export publishes."""
    return sign(claims, key=public_key)


def hs512_with_the_server_key(claims, _):
    return sign(claims, algorithm="HS512")


def wrong_key(claims, _):
    return sign(claims, key="outra-chave-que-nao-e-a-do-servidor-" + "x" * 32)


def expired(claims, _):
    now = int(time.time())
    return sign({**claims, "iat": now - 3600, "exp": now - 60})


def promoted_with_the_original_signature(claims, original):
    """The payload rewritten (another user, the owner's role), the genuine signature kept."""
    header, _, signature = original.split(".")
    return f"{header}.{_b64({**claims, 'user_id': 1, 'role': Role.OWNER})}.{signature}"


def without_schema(claims, _):
    return sign({k: v for k, v in claims.items() if k != "schema"})


def for_another_schema(claims, _):
    return sign({**claims, "schema": "globex"})


def refresh_type(claims, _):
    return sign({**claims, "token_type": "refresh"})


def garbage(claims, _):
    return "nao.e.um-jwt"


FORGERIES = [alg_none, alg_none_capitalised, hs256_with_the_published_public_key, hs512_with_the_server_key,
             wrong_key, expired, promoted_with_the_original_signature, without_schema, for_another_schema,
             refresh_type, garbage]


def answers(client, operations_, ids) -> dict[str, int]:
    result = {}
    for operation in operations_:
        with transaction.atomic():
            result[operation.label] = getattr(client, operation.method)(
                operation.url(ids), data={}, format="json").status_code
            transaction.set_rollback(True)
    return result


def not_refused(codes: dict[str, int]) -> dict[str, int]:
    return {label: code for label, code in codes.items() if code != 401}


@pytest.fixture
def company_operations(acme):
    return [op for op in operations(openapi_schema(acme)) if op.authenticated]


@pytest.fixture
def ids(acme, unique):
    return rows_of_each(acme, f"jwt-{unique}")


@pytest.fixture
def viewer_token(acme) -> str:
    return tokens(acme, member(acme, Role.VIEWER))["access"]


def test_the_genuine_token_re_signed_unchanged_is_accepted_everywhere(api, acme, company_operations, ids,
                                                                      viewer_token):
    """Control: the forgeries fail for what they change, not because re-signing breaks something."""
    codes = answers(api(acme, token=sign(claims_of(viewer_token))), company_operations, ids)

    assert {label: code for label, code in codes.items() if code == 401} == {}


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_a_forged_token_is_refused_by_every_operation(api, acme, company_operations, ids, viewer_token, forge):
    public_key = api(acme).get("/api/compliance/audit/public-keys").json()["keys"][0]["public_key"]
    extra = viewer_token if forge is promoted_with_the_original_signature else public_key

    codes = answers(api(acme, token=forge(claims_of(viewer_token), extra)), company_operations, ids)

    assert len(codes) >= 50
    assert not_refused(codes) == {}


def test_another_companys_genuine_token_is_refused_by_every_operation(api, acme, globex, company_operations, ids):
    globex_owner = tokens(globex, member(globex, Role.OWNER))["access"]

    assert not_refused(answers(api(acme, token=globex_owner), company_operations, ids)) == {}


def test_the_token_of_a_deleted_user_is_refused_by_every_operation(api, acme, company_operations, ids, unique):
    with schema_context(acme.schema_name):
        ghost = UserFactory(email=f"fantasma-{unique}@acme.test", role=Role.MANAGER)
    access = tokens(acme, ghost)["access"]
    with schema_context(acme.schema_name):
        User.objects.filter(pk=ghost.pk).delete()

    assert not_refused(answers(api(acme, token=access), company_operations, ids)) == {}


def test_the_token_of_a_deactivated_user_is_refused_by_every_operation(api, acme, company_operations, ids, unique):
    with schema_context(acme.schema_name):
        leaver = UserFactory(email=f"saiu-{unique}@acme.test", role=Role.MANAGER)
    access = tokens(acme, leaver)["access"]
    with schema_context(acme.schema_name):
        user_deactivate(user=leaver, actor=None)

    assert not_refused(answers(api(acme, token=access), company_operations, ids)) == {}


def test_a_refresh_token_is_refused_as_an_access_token_by_every_operation(api, acme, company_operations, ids):
    refresh = tokens(acme, member(acme, Role.OWNER))["refresh"]

    assert not_refused(answers(api(acme, token=refresh), company_operations, ids)) == {}


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_a_forged_platform_admin_token_is_refused_by_every_platform_operation(api, db, forge):
    platform_operations = [op for op in operations(openapi_schema(None)) if op.authenticated]
    genuine = tokens(None, platform_admin())["access"]
    extra = genuine if forge is promoted_with_the_original_signature else "nao-ha-chave-publica-no-host-publico"
    claims = {**claims_of(genuine), "schema": "acme"} if forge is for_another_schema else claims_of(genuine)

    codes = answers(api(None, token=forge(claims, extra)), platform_operations, {})

    assert platform_operations and not_refused(codes) == {}


def test_a_password_never_stands_in_for_a_token(api, acme, company_operations, ids):
    """Basic credentials and the wrong scheme are not read at all."""
    basic = base64.b64encode(f"owner@acme.test:{PASSWORD}".encode()).decode()
    for header in (f"Basic {basic}", f"Token {tokens(acme, member(acme, Role.OWNER))['access']}", "Bearer"):
        client = api(acme)
        client.credentials(HTTP_AUTHORIZATION=header)
        assert not_refused(answers(client, company_operations, ids)) == {}, header
