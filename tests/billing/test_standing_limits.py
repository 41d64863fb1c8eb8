"""The plan's standing limits: channels, staff users and professionals (billing/limits.py).

acme starts these tests on the free plan (tests/billing/conftest.py): 1 active channel (its sandbox),
2 staff users (it has 4, from the days it was on a bigger plan) and 1 professional.
"""

import threading

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create, user_deactivate, user_update
from agenda.models import Professional
from billing.models import Plan
from billing.services import plan_change
from conversations.channels.models import Channel
from secretaria.errors import LimitReached
from tests.accounts.conftest import admin_client
from tests.billing.helpers import subscription_of
from tests.conftest import member
from tests.factories import PASSWORD, CompanyFactory, staff_email

CHANNELS, USERS, PROFESSIONALS = "/api/channels", "/api/users", "/api/agenda/professionals"
WHATICKET = {"kind": "whaticket", "name": "Unidade Centro", "base_url": "https://w.example.com", "token": "tok-centro"}
Cause = "admin"


def new_user(n: int = 1) -> dict:
    return {"email": f"nova-{n}@acme.test", "password": PASSWORD, "full_name": "Pessoa Nova", "role": "viewer"}


def professional(name: str = "Dra. Nova") -> dict:
    return {"name": name, "services": [], "hours": []}


# --- the API: a clear 402 in Portuguese, nothing written ----------------------------------------


def test_a_second_channel_on_the_free_plan_is_402_with_the_reason_and_nothing_is_created(api, acme):
    response = api(acme, "owner").post(CHANNELS, WHATICKET, format="json")

    assert response.status_code == 402
    assert response.json() == {
        "detail": "O plano Gratuito permite até 1 canal ativo. Para adicionar outro, mude de plano ou desative "
                  "um canal.",
        "code": "plan_limit", "kind": "channels"}
    with schema_context(acme.schema_name):
        assert Channel.objects.count() == 1


def test_on_a_bigger_plan_the_same_channel_is_created(api, acme):
    plan_change(company=acme, plan_code="pro", cause=Cause)

    assert api(acme, "owner").post(CHANNELS, WHATICKET, format="json").status_code == 201


def test_a_disabled_channel_is_created_and_switching_it_on_is_what_the_limit_refuses(api, acme):
    created = api(acme, "owner").post(CHANNELS, {**WHATICKET, "enabled": False}, format="json")
    assert created.status_code == 201, created.json()

    switched = api(acme, "owner").patch(f"{CHANNELS}/{created.json()['id']}", {"enabled": True}, format="json")

    assert switched.status_code == 402 and switched.json()["kind"] == "channels"
    with schema_context(acme.schema_name):
        assert not Channel.objects.get(pk=created.json()["id"]).enabled


def test_a_new_staff_user_over_the_seats_is_402_and_a_staff_seat_frees_when_one_is_deactivated(api, acme):
    refused = api(acme, "owner").post(USERS, new_user(), format="json")
    assert refused.status_code == 402
    assert refused.json()["detail"] == ("O plano Gratuito permite até 2 usuários ativos na equipe. Para adicionar "
                                        "outro, mude de plano ou desative um usuário.")
    with schema_context(acme.schema_name):
        assert not User.objects.filter(email="nova-1@acme.test").exists()
        owner = member(acme, Role.OWNER)
        for role in (Role.MANAGER, Role.OPERATOR):  # 4 active -> 2
            user_deactivate(user=member(acme, role), actor=owner)

    assert api(acme, "owner").post(USERS, new_user(), format="json").status_code == 402  # 2 of 2: still full
    with schema_context(acme.schema_name):
        user_deactivate(user=member(acme, Role.VIEWER), actor=owner)
    assert api(acme, "owner").post(USERS, new_user(), format="json").status_code == 201


def test_reactivating_a_user_takes_a_seat_too(acme):
    with schema_context(acme.schema_name):
        owner, viewer = member(acme, Role.OWNER), member(acme, Role.VIEWER)
        user_deactivate(user=viewer, actor=owner)
        with pytest.raises(LimitReached):
            user_update(user=viewer, actor=owner, is_active=True)
        viewer.refresh_from_db()
        assert not viewer.is_active


def test_professionals_one_on_the_free_plan(api, acme):
    client = api(acme, "manager")

    assert client.post(PROFESSIONALS, professional("Dra. Primeira"), format="json").status_code == 201
    refused = client.post(PROFESSIONALS, professional("Dr. Segundo"), format="json")

    assert refused.status_code == 402 and refused.json()["kind"] == "professionals"
    assert "permite até 1 profissional ativo" in refused.json()["detail"]
    with schema_context(acme.schema_name):
        assert list(Professional.objects.values_list("name", flat=True)) == ["Dra. Primeira"]


def test_zero_means_unlimited(api, acme):
    Plan.objects.filter(code="free").update(max_professionals=0)
    client = api(acme, "manager")

    assert [client.post(PROFESSIONALS, professional(f"Pessoa {n}"), format="json").status_code
            for n in range(3)] == [201, 201, 201]


def test_a_downgrade_below_what_is_in_use_keeps_everything_and_refuses_the_next_one(api, acme):
    plan_change(company=acme, plan_code="pro", cause=Cause)
    client = api(acme, "owner")
    assert client.post(CHANNELS, WHATICKET, format="json").status_code == 201

    plan_change(company=acme, plan_code="free", cause=Cause)

    assert subscription_of(acme).plan.code == "free"
    with schema_context(acme.schema_name):
        assert Channel.objects.filter(enabled=True).count() == 2  # nothing switched off
    assert client.post(CHANNELS, {**WHATICKET, "name": "Terceira"}, format="json").status_code == 402


def test_the_openapi_schema_documents_the_402(api, acme):
    schema = api(acme, "owner").get("/api/schema/", {"format": "json"}).json()

    paths = {path.rstrip("/"): operations for path, operations in schema["paths"].items()}
    for path in (CHANNELS, USERS, PROFESSIONALS):
        assert "402" in paths[path]["post"]["responses"], path


# --- the admin: the reason next to the field ---------------------------------------------------


def test_the_admin_shows_the_reason_on_the_add_user_form(acme):
    client = admin_client(acme, member(acme, Role.OWNER))
    response = client.post("/admin/accounts/user/add/", {
        "email": "pelo-painel@acme.test", "full_name": "Pessoa", "role": "viewer", "password": PASSWORD})

    assert response.status_code == 200  # the form again, with the message
    assert "permite até 2 usuários ativos na equipe" in response.content.decode()
    with schema_context(acme.schema_name):
        assert not User.objects.filter(email="pelo-painel@acme.test").exists()


def test_the_admin_refuses_a_second_active_professional_and_accepts_an_inactive_one(acme):
    client = admin_client(acme, member(acme, Role.OWNER))
    with schema_context(acme.schema_name):
        Professional.objects.create(name="Dra. Primeira")
    form = {"name": "Dr. Segundo", "is_active": "on", "hours-TOTAL_FORMS": "0", "hours-INITIAL_FORMS": "0"}

    refused = client.post("/admin/agenda/professional/add/", form)
    accepted = client.post("/admin/agenda/professional/add/", {**form, "is_active": ""})

    assert refused.status_code == 200 and "permite até 1 profissional ativo" in refused.content.decode()
    assert accepted.status_code == 302
    with schema_context(acme.schema_name):
        assert dict(Professional.objects.values_list("name", "is_active")) == {"Dra. Primeira": True,
                                                                                 "Dr. Segundo": False}


def test_the_admin_refuses_a_second_enabled_channel(acme):
    client = admin_client(acme, member(acme, Role.OWNER))
    response = client.post("/admin/conversations/channel/add/", {
        "name": "Unidade Centro", "kind": "whaticket", "enabled": "on", "base_url": "https://w.example.com",
        "token": "tok-centro"})

    assert response.status_code == 200 and "permite até 1 canal ativo" in response.content.decode()


# --- two admins adding the last seat at once: one of them is refused ------------------------------

RACE_SLUG = "corrida-assentos"


@pytest.fixture
def committed_free_company(django_db_blocker):
    """A company of its own on the free plan (owner + 1 seat), committed so that racing threads see it."""
    from tenants.models import Company

    def wipe(company):
        with schema_context(company.schema_name):
            User.objects.exclude(email=staff_email(Role.OWNER, RACE_SLUG)).delete()

    with django_db_blocker.unblock():
        company = Company.objects.filter(slug=RACE_SLUG).first() or CompanyFactory(name="Assentos", slug=RACE_SLUG)
        wipe(company)
        try:
            yield company
        finally:
            wipe(company)
            connection.set_schema_to_public()


def test_two_users_added_at_once_for_the_last_seat_one_is_refused(committed_free_company, django_db_blocker, db):
    # `db` last: it only makes pytest-django build the test database when this test runs alone.
    company = committed_free_company
    barrier = threading.Barrier(2)
    results = []

    def add(n: int) -> None:
        try:
            with django_db_blocker.unblock(), schema_context(company.schema_name), transaction.atomic():
                barrier.wait()
                user_create(email=f"corrida-{n}@clinica.test", password=PASSWORD, role=Role.VIEWER)
                results.append("criado")
        except LimitReached:
            results.append("recusado")
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["criado", "recusado"]
    with django_db_blocker.unblock(), schema_context(company.schema_name):
        assert User.objects.filter(is_active=True).count() == 2
