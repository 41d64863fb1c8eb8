"""The platform's home (public host): the fleet, plans, usage per company, failed payments, churn risk."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics.platform.services import platform_recommendations_compute
from billing.models import Plan, Subscription, SubscriptionChange
from billing.payments.models import PaymentEvent
from billing.services import plan_change, subscription_sync
from conversations.models import LLMCall
from tenants.models import Company
from tenants.services import company_set_status
from tests.accounts.conftest import admin_client
from tests.conftest import member, platform_admin
from tests.panel.dashboard.page import Page


def platform_home() -> Page:
    response = admin_client(None, platform_admin()).get("/admin/")
    assert response.status_code == 200
    return Page(response.content)


def fleet(page: Page) -> dict[str, int]:
    """The companies card's figures: active, suspended, in trial, past due."""
    text = page.text("card-companies")
    number = lambda pattern: int(re.search(pattern, text).group(1))  # noqa: E731
    return {"active": number(r"Empresas (\d+) ativa"), "suspended": number(r"(\d+) suspensa"),
            "trialing": number(r"(\d+) em teste"), "past_due": number(r"(\d+) com assinatura em atraso")}


@pytest.fixture
def acme_in_trouble(acme, globex):
    """acme near its AI quota, past due, with a refused payment (the daily run sees its churn risk);
    globex suspended."""
    Plan.objects.create(code="painel-limites", name="Painel com limites", monthly_llm_tokens=10_000_000)
    plan_change(company=acme, plan_code="painel-limites", cause=SubscriptionChange.Cause.ADMIN)
    with schema_context(acme.schema_name):
        LLMCall.objects.create(provider="openai", model="gpt-4o-mini", input_tokens=9_000_000, outcome="ok")
    subscription_sync(company=acme, status=Subscription.Status.PAST_DUE, plan_code=None, period_end=None,
                      cause=SubscriptionChange.Cause.PROVIDER, occurred_at=timezone.now(), provider="stripe")
    PaymentEvent.objects.create(provider="stripe", event_id="evt_recusado_1", type="invoice.payment_failed",
                                company=acme, status=PaymentEvent.Status.APPLIED)
    company_set_status(companies=[globex], status=Company.Status.SUSPENDED)
    platform_recommendations_compute()


def test_the_fleet_counts_move_with_what_happens_to_the_companies(db):
    before = fleet(platform_home())
    acme, globex = Company.objects.get(slug="acme"), Company.objects.get(slug="globex")

    company_set_status(companies=[globex], status=Company.Status.SUSPENDED)
    subscription_sync(company=acme, status=Subscription.Status.PAST_DUE, plan_code=None, period_end=None,
                      cause=SubscriptionChange.Cause.PROVIDER, occurred_at=timezone.now(), provider="stripe")
    in_three_days = timezone.now() + timedelta(days=3)
    Subscription.objects.filter(company__slug="initech").update(status=Subscription.Status.TRIALING,
                                                                trial_ends_at=in_three_days)

    after = fleet(platform_home())
    assert after == {"active": before["active"] - 1, "suspended": before["suspended"] + 1,
                     "trialing": before["trialing"] + 1, "past_due": before["past_due"] + 1}


def test_a_company_near_its_quota_heads_the_usage_table(acme_in_trouble):
    page = platform_home()

    rows = page.ids["card-usage"].find_all("tr")
    first = rows[1].text()
    assert first.startswith("Acme acme.localhost Painel com limites Em atraso")
    assert first.endswith("0 % 90 % 0 %")  # messages, AI tokens (9M of 10M), outreach
    assert page.links("card-usage")["Acme"] == f"/admin/tenants/company/{Company.objects.get(slug='acme').pk}/change/"


def test_failed_payments_and_the_churn_risk_list_name_the_company(acme_in_trouble):
    page = platform_home()

    assert page.text("card-failed-payments").startswith("Pagamentos recusados (30 dias) 1 Acme Stripe · ")
    assert page.items("card-churn") == [
        "Acme 70 % Pagamento: assinatura em atraso; 1 pagamento recusado nos últimos 30 dias"]
    assert page.links("card-churn")["Ver a lista completa"] == (
        "/admin/analytics_platform/companyrecommendation/?kind__exact=churn_risk")


def test_the_plans_card_counts_the_companies_on_each_plan(acme_in_trouble):
    page = platform_home()

    rows = {row.text() for row in page.ids["card-plans"].find_all("tr")}
    assert "Painel com limites R$ 0,00 1" in rows
    assert any(row.startswith("Profissional R$ 149,00 ") for row in rows)


def test_nova_empresa_is_one_click_from_the_home_and_from_the_companies_list(db):
    assert platform_home().links()["Nova empresa"] == "/admin/home/nova-empresa/"

    client = admin_client(None, platform_admin())
    companies = Page(client.get("/admin/tenants/company/").content)
    assert companies.links()["Adicionar empresa"] == "/admin/tenants/company/add/"
    assert client.get("/admin/tenants/company/add/")["Location"] == "/admin/home/nova-empresa/"


def test_company_staff_never_reach_the_platform_home(acme):
    client = admin_client(acme, member(acme, "owner"))
    client.defaults["HTTP_HOST"] = "localhost"  # the platform's host, with a company's session

    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
