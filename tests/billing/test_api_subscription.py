"""GET /api/billing/subscription and POST /api/billing/checkout, on the company's host."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Subscription, SubscriptionChange
from billing.services import plan_change, subscription_suspend, subscription_sync
from tests.billing.payment_servers import StripeServer

SUBSCRIPTION = "/api/billing/subscription"
CHECKOUT = "/api/billing/checkout"
STRIPE_KEY = "sk_test_chave_da_api"
Cause = SubscriptionChange.Cause


@pytest.fixture
def stripe(settings):
    server = StripeServer(api_key=STRIPE_KEY, prices={"price_pro"})
    settings.STRIPE_API_URL = server.url
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_WEBHOOK_SECRET = "whsec_local"
    settings.STRIPE_PRICES = {"pro": "price_pro"}
    yield server
    server.close()


# --- GET /api/billing/subscription ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer"])
def test_every_member_reads_the_plan_limits_status_and_period(api, acme, role):
    response = api(acme, role).get(SUBSCRIPTION)

    assert response.status_code == 200
    body = response.json()
    assert body["plan"]["code"] == "free" and body["plan"]["price"] == "R$ 0,00"
    assert set(body["limits"]) == {"messages", "ai_tokens", "outreach", "channels", "staff", "professionals"}
    assert body["limits"]["messages"] == 500
    assert (body["status"], body["status_label"]) == ("active", "Ativa")
    assert body["allows"] == {"auto_reply": True, "ai": True, "outreach": True}
    assert body["current_period_start"] < body["current_period_end"]
    assert body["trial_ends_at"] is None and body["grace_ends_at"] is None
    assert body["history"][-1]["to_status"] == "active" and body["history"][-1]["cause"] == "system"


def test_the_history_shows_each_change_newest_first_with_its_cause(api, acme):
    plan_change(company=acme, plan_code="pro", cause=Cause.ADMIN, actor="admin@plataforma.test")
    subscription_suspend(company=acme, cause=Cause.ADMIN, actor="admin@plataforma.test")

    body = api(acme, "viewer").get(SUBSCRIPTION).json()

    assert body["plan"]["code"] == "pro" and body["plan"]["price"] == "R$ 149,00"
    assert body["plan"]["overage_policy"] == "allow_overage"
    assert body["status"] == "suspended"
    assert body["allows"] == {"auto_reply": False, "ai": False, "outreach": True}  # reminders go on
    newest, plan = body["history"][:2]
    assert (newest["from_status"], newest["to_status"], newest["cause"]) == ("active", "suspended", "admin")
    assert (plan["from_plan"], plan["to_plan"], plan["actor"]) == ("free", "pro", "admin@plataforma.test")


def test_past_due_shows_when_the_grace_ends_and_a_lapsed_grace_shows_suspended(api, acme):
    since = timezone.now() - timedelta(days=30)
    subscription_sync(company=acme, status="past_due", plan_code=None, period_end=None, cause=Cause.PROVIDER,
                      occurred_at=since, provider="asaas", reference="pay_overdue")

    body = api(acme, "owner").get(SUBSCRIPTION).json()

    assert body["status"] == "suspended"  # the grace ran out; the daily task has not recorded it yet
    assert body["past_due_since"] is not None and body["grace_ends_at"] > body["past_due_since"]
    assert Subscription.objects.get(company=acme).status == "past_due"


def test_each_company_reads_its_own_subscription(api, acme, globex):
    plan_change(company=globex, plan_code="pro", cause=Cause.ADMIN)

    assert api(acme, "owner").get(SUBSCRIPTION).json()["plan"]["code"] == "free"
    assert api(globex, "owner").get(SUBSCRIPTION).json()["plan"]["code"] == "pro"


def test_without_a_token_it_is_401(api, acme):
    assert api(acme).get(SUBSCRIPTION).status_code == 401


def test_the_platform_host_has_no_company_subscription(api, db):
    assert api(None, "admin").get(SUBSCRIPTION).status_code == 404


def test_another_company_token_is_refused(api, acme, globex):
    from tests.conftest import member, tokens

    token = tokens(globex, member(globex, "owner"))["access"]
    assert api(acme, token=token).get(SUBSCRIPTION).status_code == 401


# --- POST /api/billing/checkout ------------------------------------------------------------------


def test_the_owner_gets_the_provider_checkout_url(api, acme, stripe):
    response = api(acme, "owner").post(CHECKOUT, {"plan": "pro", "provider": "stripe"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["url"].startswith("https://checkout.stripe.com/")
    (request,) = stripe.requests
    assert request.body["metadata[company]"] == "acme"
    # Paying is the provider's event to tell: nothing changes until it arrives.
    assert Subscription.objects.get(company=acme).plan.code == "free"


@pytest.mark.parametrize("role", ["manager", "operator", "viewer"])
def test_only_the_owner_may_check_out(api, acme, stripe, role):
    response = api(acme, role).post(CHECKOUT, {"plan": "pro", "provider": "stripe"}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Só o proprietário da empresa pode contratar ou trocar o plano."
    assert stripe.requests == []


def test_an_unknown_plan_is_400_in_portuguese(api, acme, stripe):
    response = api(acme, "owner").post(CHECKOUT, {"plan": "diamante", "provider": "stripe"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"plan": ["Plano desconhecido: diamante."]}
    assert stripe.requests == []


def test_the_free_plan_has_nothing_to_pay(api, acme, stripe):
    response = api(acme, "owner").post(CHECKOUT, {"plan": "free", "provider": "stripe"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"plan": ["O plano Gratuito é gratuito: não há o que pagar."]}


def test_an_unknown_provider_is_400(api, acme):
    response = api(acme, "owner").post(CHECKOUT, {"plan": "pro", "provider": "paypal"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"provider": ["Provedor desconhecido: paypal."]}


def test_a_provider_not_configured_is_400_with_its_reason(api, acme, settings):
    settings.ASAAS_API_KEY = ""

    response = api(acme, "owner").post(CHECKOUT, {"plan": "pro", "provider": "asaas"}, format="json")

    assert response.status_code == 400
    (message,) = response.json()["provider"]
    assert "Asaas" in message and "configurado" in message


def test_a_provider_that_does_not_answer_is_503(api, acme, stripe, settings):
    settings.STRIPE_API_URL = "http://127.0.0.1:9"  # nothing listens there

    response = api(acme, "owner").post(CHECKOUT, {"plan": "pro", "provider": "stripe"}, format="json")

    assert response.status_code == 503
    assert response.json()["detail"].startswith("O provedor de pagamento não respondeu")


def test_a_missing_field_is_400(api, acme):
    response = api(acme, "owner").post(CHECKOUT, {"plan": "pro"}, format="json")

    assert response.status_code == 400 and "provider" in response.json()
