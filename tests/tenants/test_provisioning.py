import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Subscription
from compliance.models import AuditEvent
from tenants import services
from tenants.models import Company, Domain
from tenants.selectors import schemas_existing

PASSWORD = "Outra-senha-forte-7"


def body(slug: str, /, **overrides) -> dict:
    data = {
        "name": f"Clínica {slug}", "slug": slug, "domain": f"{slug}.localhost", "plan": "pro",
        "owner_email": f"dona@{slug}.test", "owner_password": PASSWORD,
    }
    return {**data, **overrides}


def nothing_exists_for(slug: str) -> bool:
    return (
        not Company.objects.filter(slug=slug).exists()
        and not Domain.objects.filter(domain=f"{slug}.localhost").exists()
        and not Subscription.objects.filter(company__slug=slug).exists()
        and slug.replace("-", "_") not in schemas_existing()
    )


def test_a_platform_admin_provisions_a_company_with_everything_it_needs(api, unique,
                                                                       django_capture_on_commit_callbacks):
    slug = f"nova-{unique}"
    with django_capture_on_commit_callbacks(execute=True):  # the audit trail hears it once committed
        response = api(None, "admin").post("/api/tenants/provision", body(slug), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"company_id", "schema_name", "domain", "access", "refresh"}
    company = Company.objects.get(pk=data["company_id"])
    assert (company.slug, company.schema_name, data["domain"]) == (slug, slug.replace("-", "_"), f"{slug}.localhost")
    assert company.subscription.plan.code == "pro"
    with schema_context(company.schema_name):
        owner = User.objects.get(email=f"dona@{slug}.test")
        assert owner.role == "owner" and owner.check_password(PASSWORD)
        assert AuditEvent.objects.filter(action="company.provisioned").exists()


def test_the_new_owner_logs_in_on_the_new_host_and_nowhere_else(api, unique, acme):
    slug = f"loja-{unique}"
    provisioned = api(None, "admin").post("/api/tenants/provision", body(slug), format="json").json()

    own_host = api(None)
    own_host.defaults["HTTP_HOST"] = f"{slug}.localhost"
    login = own_host.post("/api/auth/token", {"email": f"dona@{slug}.test", "password": PASSWORD}, format="json")
    assert login.status_code == 200
    assert api(acme, token=login.json()["access"]).get("/api/me").status_code == 401
    assert api(acme, token=provisioned["access"]).get("/api/me").status_code == 401
    own_host.credentials(HTTP_AUTHORIZATION=f"Bearer {provisioned['access']}")
    assert own_host.get("/api/me").json()["company"]["slug"] == slug


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "X"}, "slug"),
        ({"slug": "public"}, "slug"),
        ({"slug": "com espaço"}, "slug"),
        ({"domain": "not a domain"}, "domain"),
        ({"plan": "platinum"}, "plan"),
        ({"owner_email": "not-an-email"}, "owner_email"),
        ({"owner_password": "12345678"}, "owner_password"),
    ],
)
def test_bad_input_is_refused_with_field_errors(api, unique, overrides, field):
    slug = f"ruim-{unique}"
    response = api(None, "admin").post("/api/tenants/provision", body(slug, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_exists_for(slug)


def test_missing_fields_are_named(api):
    response = api(None, "admin").post("/api/tenants/provision", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"name", "slug", "domain", "plan", "owner_email", "owner_password"}


def test_a_malformed_body_is_a_400_not_a_500(api):
    client = api(None, "admin")
    response = client.generic("POST", "/api/tenants/provision", "{not json", content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(("overrides", "field"), [({"slug": "acme"}, "slug"), ({"domain": "acme.localhost"}, "domain")])
def test_a_taken_slug_or_domain_is_a_conflict(api, unique, overrides, field):
    response = api(None, "admin").post("/api/tenants/provision", body(f"dup-{unique}", **overrides), format="json")

    assert response.status_code == 409
    assert field in response.json()


@pytest.mark.parametrize("role", [None, "owner"])
def test_only_platform_admins_may_provision(api, acme, role, unique):
    client = api(None) if role is None else api(None, token=_company_token(api, acme))
    response = client.post("/api/tenants/provision", body(f"x-{unique}"), format="json")

    assert response.status_code == 401


def _company_token(api, acme) -> str:
    credentials = {"email": "owner@acme.test", "password": "Senha-de-teste-9"}
    login = api(acme).post("/api/auth/token", credentials, format="json")
    return login.json()["access"]


def test_a_failure_midway_leaves_nothing_behind(monkeypatch, unique, db):
    slug = f"falha-{unique}"

    def explode(**_kwargs):
        raise RuntimeError("falha simulada depois de criar o esquema")

    # The owner is created after the row, domain, subscription and schema: fail there.
    monkeypatch.setattr(services, "user_create", explode)
    with pytest.raises(RuntimeError):
        services.company_provision(**body(slug))

    assert connection.schema_name == "public"
    assert nothing_exists_for(slug)


def test_the_command_provisions_the_same_way(unique, db, capsys):
    slug = f"cmd-{unique}"
    call_command("provision_tenant", "--name", "Pelo Comando", "--slug", slug, "--domain", f"{slug}.localhost",
                 "--plan", "free", "--owner-email", f"dono@{slug}.test", "--owner-password", PASSWORD)

    out = json.loads(capsys.readouterr().out)
    assert out["schema_name"] == slug.replace("-", "_") and out["access"]
    assert Company.objects.get(slug=slug).subscription.plan.code == "free"


def test_the_command_reports_conflicts_and_bad_input(db):
    with pytest.raises(CommandError, match="conflito"):
        call_command("provision_tenant", "--name", "A", "--slug", "acme", "--domain", "outro.localhost",
                     "--owner-email", "a@a.test", "--owner-password", PASSWORD)
    with pytest.raises(CommandError, match="slug"):
        call_command("provision_tenant", "--name", "A", "--slug", "!", "--domain", "outro.localhost",
                     "--owner-email", "a@a.test", "--owner-password", PASSWORD)


def test_a_new_schema_is_cloned_with_all_tenant_tables_and_roles(unique, db):
    result = services.company_provision(**body(f"clone-{unique}"))

    with schema_context(result.company.schema_name):
        tables = set(connection.introspection.table_names())
        from django.contrib.auth.models import Group

        assert {"accounts_user", "compliance_auditevent", "auditlog_logentry"} <= tables
        assert set(Group.objects.values_list("name", flat=True)) == {"owner", "manager", "operator", "viewer"}
    assert not services._has_pending_migrations(result.company)


def test_provisioning_reports_its_duration(unique, db):
    result = services.company_provision(**body(f"tempo-{unique}"))

    assert result.seconds > 0
