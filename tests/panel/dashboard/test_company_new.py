""""Nova empresa": the provisioning service behind a form on the platform home, and the owner's first access."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Subscription
from tenants.models import Company
from tenants.selectors import schemas_existing
from tests.accounts.conftest import admin_client
from tests.conftest import platform_admin
from tests.panel.dashboard.page import Page

pytestmark = pytest.mark.django_db

URL = "/admin/home/nova-empresa/"


def form(slug: str, **overrides) -> dict:
    return {"name": "Clínica Bela Vista", "slug": slug, "domain": "", "plan": "pro",
            "owner_email": f"dona@{slug}.test", "owner_name": "Marina Bela", **overrides}


def submit(data: dict):
    return admin_client(None, platform_admin()).post(URL, data)


def errors(response) -> str:
    page = Page(response.content)
    assert page.has("company-new"), "the form again, with its errors"
    return page.text("company-new")


def test_nova_empresa_provisions_a_real_company_and_shows_the_owners_first_access_once(unique):
    slug = f"bela-{unique}"

    response = submit(form(slug))

    assert response.status_code == 200
    page = Page(response.content)
    password = page.value("access-password")
    assert page.text("access-url") == f"http://{slug}.localhost/admin/"
    assert page.text("access-email") == f"dona@{slug}.test"
    assert "não será mostrada de novo" in page.text("first-access")
    assert "no-store" in response["Cache-Control"]
    company = Company.objects.get(slug=slug)
    assert company.schema_name in schemas_existing()
    assert Subscription.objects.get(company=company).plan.code == "pro"
    with schema_context(company.schema_name):
        owner = User.objects.get(email=f"dona@{slug}.test")
        assert (owner.role, owner.full_name) == ("owner", "Marina Bela")
        assert owner.password != password and owner.check_password(password)  # a hash, never the text


def test_the_new_owner_logs_in_with_what_was_shown(unique):
    slug = f"logo-{unique}"
    password = Page(submit(form(slug)).content).value("access-password")

    browser = Client(HTTP_HOST=f"{slug}.localhost")
    response = browser.post("/admin/login/?next=/admin/", {"username": f"dona@{slug}.test", "password": password})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    home = Page(browser.get("/admin/").content)
    assert home.has("card-waiting") and home.has("chart-messages")  # the new company's own dashboard, empty


def test_a_taken_slug_is_refused_in_portuguese_and_nothing_is_created(db):
    before = Company.objects.count()

    response = submit(form("acme", domain="outra-acme.localhost"))

    assert response.status_code == 200
    assert "Já existe uma empresa com este identificador." in errors(response)
    assert Company.objects.count() == before


def test_a_taken_domain_is_refused(unique):
    response = submit(form(f"nova-{unique}", domain="acme.localhost"))

    assert "Este domínio já está em uso." in errors(response)
    assert not Company.objects.filter(slug=f"nova-{unique}").exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"owner_email": "dona-sem-arroba"}, "E-mail inválido (ex.: dona@clinica.com.br)."),
    ({"plan": "platina"}, "Plano desconhecido: platina."),
    ({"slug": "Com Espaço"}, "Use 3 a 40 letras minúsculas, números ou hífens, começando por letra."),
    ({"domain": "não é domínio"}, "Domínio inválido (ex.: clinica.exemplo.com.br)."),
    ({"name": ""}, "Informe o nome da empresa."),
])
def test_bad_input_is_explained_next_to_its_field(unique, overrides, message):
    slug = f"ruim-{unique}"

    response = submit({**form(slug), **overrides})

    assert response.status_code == 200
    assert message in errors(response)
    assert not Company.objects.filter(slug__in=[slug, overrides.get("slug", "")]).exists()


def test_the_form_is_the_platforms_only(acme):
    from tests.conftest import member

    assert admin_client(acme, member(acme, "owner")).get(URL).status_code == 404
    assert Client(HTTP_HOST="localhost").get(URL).status_code == 302  # to the login page
