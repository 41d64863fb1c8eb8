"""Every operation of the schema, across companies: acme's staff never reach globex's data.

Generated from the OpenAPI schema each host serves, so an endpoint added tomorrow is in the matrix
without editing this file (tests/test_tenant_isolation.py checks the rows themselves, model by model).

- acme's token on globex's host, with globex's real ids: refused (401/403/404), for every operation
  that takes a token;
- acme's owner on acme's host, asking with globex's ids: never a byte of globex's rows;
- the platform admin's token on a company's host, and a company's token on the platform's host:
  refused too.
"""

import json

import pytest

from accounts.roles import Role
from tests.conftest import member, platform_admin, tokens
from tests.security.conftest import openapi_schema, operations, rows_of_each

REFUSED = {401, 403, 404}


@pytest.fixture
def both(acme, globex, unique):
    """One row of each resource in both companies, each marked with the company's name."""
    return {acme: (f"acme-{unique}", rows_of_each(acme, f"acme-{unique}")),
            globex: (f"globex-{unique}", rows_of_each(globex, f"globex-{unique}"))}


def call(client, operation, ids):
    return getattr(client, operation.method)(operation.url(ids), data={}, format="json")


def test_every_operation_refuses_another_companys_token_on_this_companys_host(acme, globex, api, both):
    operations_ = [op for op in operations(openapi_schema(globex)) if op.authenticated]
    globex_marker, globex_ids = both[globex]
    client = api(globex, token=tokens(acme, member(acme, Role.OWNER))["access"])

    answers = {op.label: call(client, op, globex_ids) for op in operations_}

    assert len(operations_) >= 50
    assert {label: r.status_code for label, r in answers.items() if r.status_code not in REFUSED} == {}
    assert [label for label, r in answers.items() if globex_marker.encode() in r.content] == []


@pytest.mark.parametrize("role", [Role.OWNER, Role.VIEWER])
def test_no_read_on_a_companys_host_shows_another_companys_rows_whatever_the_ids(acme, globex, api, both, role):
    """Ids are per schema: globex's ids on acme's host name acme's rows (or none), never globex's."""
    reads = [op for op in operations(openapi_schema(acme)) if op.authenticated and op.method == "get"]
    globex_marker, globex_ids = both[globex]
    acme_marker, _ = both[acme]
    client = api(acme, role)

    answers = {op.label: call(client, op, globex_ids) for op in reads}

    assert [label for label, r in answers.items() if globex_marker.encode() in r.content] == []
    assert [label for label, r in answers.items() if r.status_code >= 500] == []
    # The matrix is not vacuous: acme's own rows do show on acme's host.
    assert any(acme_marker.encode() in r.content for r in answers.values() if r.status_code == 200)


def test_a_platform_admins_token_is_refused_by_every_operation_of_a_company(acme, api, both):
    operations_ = [op for op in operations(openapi_schema(acme)) if op.authenticated]
    client = api(acme, token=tokens(None, platform_admin())["access"])

    answers = {op.label: call(client, op, both[acme][1]).status_code for op in operations_}

    assert {label: code for label, code in answers.items() if code != 401} == {}


def test_a_company_token_is_refused_by_every_operation_of_the_platform(acme, api):
    operations_ = [op for op in operations(openapi_schema(None)) if op.authenticated]
    client = api(None, token=tokens(acme, member(acme, Role.OWNER))["access"])

    answers = {op.label: call(client, op, {}).status_code for op in operations_}

    assert operations_
    assert {label: code for label, code in answers.items() if code != 401} == {}


def test_the_platform_schema_lists_only_platform_operations_and_a_company_schema_only_company_ones(acme):
    platform = {op.path for op in operations(openapi_schema(None))}
    company = {op.path for op in operations(openapi_schema(acme))}

    assert "/api/tenants/provision" in platform and "/api/tenants/provision" not in company
    assert "/api/users/" in company and "/api/users/" not in platform
    assert json.dumps(sorted(platform & company)) == json.dumps(
        ["/api/auth/logout", "/api/auth/token", "/api/auth/token/refresh", "/api/me"])
