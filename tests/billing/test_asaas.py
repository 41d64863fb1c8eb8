"""Asaas against a local server speaking its v3 API and the webhooks it would send
(docs/contracts/billing-providers.md §8.4): customers and subscriptions, the token, payments' events."""

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from billing.models import Plan
from billing.payments.errors import PaymentProviderError, PaymentProviderUnavailable
from billing.payments.models import PaymentEvent, ProviderState
from billing.payments.providers.asaas import api_base_url
from billing.payments.services import checkout_start
from tests.billing.helpers import subscription_of
from tests.billing.payment_servers import AsaasServer

API_KEY = "$aact_chave_local_de_teste"
TOKEN = "token-do-webhook-asaas-com-32-caracteres"


@pytest.fixture
def asaas(settings):
    server = AsaasServer(api_key=API_KEY)
    settings.ASAAS_API_URL = server.url
    settings.ASAAS_API_KEY = API_KEY
    settings.ASAAS_WEBHOOK_TOKEN = TOKEN
    yield server
    server.close()


def at(minutes: int) -> str:
    """Asaas' dateCreated, `minutes` after a fixed Monday morning in Brazil."""
    return (datetime(2026, 11, 30, 9, 0) + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def subscribed(asaas, company, plan) -> tuple[str, str]:
    """Checkout through Asaas: returns (subscription id, its first payment id)."""
    checkout_start(company=company, plan=plan, provider="asaas")
    sub_id = ProviderState.objects.get(company=company, provider="asaas").subscription_ref
    return sub_id, asaas.first_payment(sub_id)


def deliver(asaas, client, event, token=TOKEN):
    return asaas.deliver(client, event, token=token)


# --- checkout ---------------------------------------------------------------------------------


def test_checkout_creates_the_customer_and_a_monthly_subscription_and_returns_the_first_invoice(asaas, acme, pro):
    url = checkout_start(company=acme, plan=pro, provider="asaas", tax_id="12.345.678/0001-95")

    customer_call, subscription_call, payments_call = asaas.requests
    (sub_id,) = asaas.subscriptions
    assert [r.path for r in asaas.requests] == ["/v3/customers", "/v3/subscriptions",
                                                f"/v3/subscriptions/{sub_id}/payments"]
    assert all(r.headers["access_token"] == API_KEY for r in asaas.requests)
    assert customer_call.body == {"name": acme.name, "externalReference": "acme", "cpfCnpj": "12345678000195"}
    (customer_id,) = asaas.customers
    assert subscription_call.body["customer"] == customer_id
    assert subscription_call.body["billingType"] == "UNDEFINED"
    assert subscription_call.body["cycle"] == "MONTHLY"
    assert subscription_call.body["value"] == "149.00"
    assert subscription_call.body["nextDueDate"] == timezone.localdate().isoformat()
    assert subscription_call.body["externalReference"] == "acme"
    assert payments_call.method == "GET"
    (payment,) = asaas.payments.values()
    assert url == payment["invoiceUrl"]
    state = ProviderState.objects.get(company=acme, provider="asaas")
    assert (state.customer_ref, state.subscription_ref, state.plan_code) == (customer_id, sub_id, "pro")


def test_checkout_without_asaas_keys_is_unavailable_and_calls_nothing(asaas, settings, acme, pro):
    settings.ASAAS_API_KEY = ""

    with pytest.raises(PaymentProviderUnavailable, match="Asaas não está configurado"):
        checkout_start(company=acme, plan=pro, provider="asaas")
    assert asaas.requests == []


def test_a_free_plan_has_nothing_to_pay(asaas, acme):
    with pytest.raises(PaymentProviderUnavailable, match="gratuito"):
        checkout_start(company=acme, plan=Plan.objects.get(code="free"), provider="asaas")


def test_a_key_asaas_refuses_is_a_permanent_error_and_nothing_is_kept(asaas, settings, acme, pro):
    settings.ASAAS_API_KEY = "$aact_outra"

    with pytest.raises(PaymentProviderError, match="chave de API recusada") as caught:
        checkout_start(company=acme, plan=pro, provider="asaas")
    assert caught.value.transient is False
    assert not ProviderState.objects.filter(company=acme).exists()


def test_asaas_validation_errors_come_back_in_its_own_words(asaas, acme, pro):
    acme.name = ""  # Asaas requires a name

    with pytest.raises(PaymentProviderError, match="O campo nome deve ser informado"):
        checkout_start(company=acme, plan=pro, provider="asaas")


def test_sandbox_or_production_picks_the_base_url_unless_one_is_given(settings):
    settings.ASAAS_API_URL = ""
    settings.ASAAS_ENVIRONMENT = "sandbox"
    assert api_base_url() == "https://api-sandbox.asaas.com"
    settings.ASAAS_ENVIRONMENT = "production"
    assert api_base_url() == "https://api.asaas.com"
    settings.ASAAS_API_URL = "http://127.0.0.1:8111/"
    assert api_base_url() == "http://127.0.0.1:8111"


# --- the token --------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["", "outro-token", TOKEN + "x", TOKEN.upper()])
def test_a_missing_or_wrong_token_is_401_and_nothing_is_stored(asaas, client, acme, pro, token):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    event = asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(1), status="RECEIVED")

    response = client.post("/webhook/billing/asaas", data=json.dumps(event), content_type="application/json",
                           **({"HTTP_ASAAS_ACCESS_TOKEN": token} if token else {}))

    assert response.status_code == 401
    assert not PaymentEvent.objects.exists()


def test_no_token_configured_refuses_every_delivery(asaas, settings, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    settings.ASAAS_WEBHOOK_TOKEN = ""

    response = deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(1), status="RECEIVED"),
                       token="")

    assert response.status_code == 401
    assert not PaymentEvent.objects.exists()


# --- the subscription's life ------------------------------------------------------------------


def test_a_received_payment_makes_the_subscription_active_on_the_plan_for_a_month_from_its_due_date(
        asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)

    response = deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(5), status="RECEIVED"))

    assert response.status_code == 200 and response.json()["status"] == "applied"
    subscription = subscription_of(acme)
    assert (subscription.status, subscription.plan.code) == ("active", "pro")
    due = datetime.fromisoformat(asaas.payments[payment_id]["dueDate"]).date()
    assert timezone.localtime(subscription.current_period_end).date() == due + timedelta(days=30)


def test_a_confirmed_card_payment_counts_as_paid(asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)

    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_CONFIRMED", at=at(5), status="CONFIRMED"))

    assert subscription_of(acme).status == "active"


def test_overdue_is_past_due_and_the_late_payment_brings_it_back(asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(1), status="RECEIVED"))
    next_payment = payment_id  # the same charge stands in for next month's

    deliver(asaas, client, asaas.payment_event(next_payment, "PAYMENT_OVERDUE", at=at(60), status="OVERDUE"))
    assert subscription_of(acme).status == "past_due"

    deliver(asaas, client, asaas.payment_event(next_payment, "PAYMENT_RECEIVED", at=at(120), status="RECEIVED"))
    assert subscription_of(acme).status == "active"


def test_a_refund_takes_the_payment_back(asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(1), status="RECEIVED"))

    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_REFUNDED", at=at(30), status="REFUNDED"))

    assert subscription_of(acme).status == "past_due"


@pytest.mark.parametrize("kind, status", [("SUBSCRIPTION_DELETED", None), ("SUBSCRIPTION_INACTIVATED", "INACTIVE"),
                                          ("SUBSCRIPTION_UPDATED", "EXPIRED")])
def test_an_ended_subscription_is_canceled(asaas, client, acme, pro, kind, status):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(1), status="RECEIVED"))

    deliver(asaas, client, asaas.subscription_event(sub_id, kind, at=at(90), status=status))

    assert subscription_of(acme).status == "canceled"


def test_a_created_charge_or_subscription_changes_nothing_but_is_kept(asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    before = subscription_of(acme).status

    for event in (asaas.subscription_event(sub_id, "SUBSCRIPTION_CREATED", at=at(0)),
                  asaas.payment_event(payment_id, "PAYMENT_CREATED", at=at(0), status="PENDING")):
        assert deliver(asaas, client, event).json()["status"] == "ignored_type"

    assert subscription_of(acme).status == before
    assert PaymentEvent.objects.filter(company=acme, status="ignored_type").count() == 2


def test_a_charge_without_external_reference_finds_its_company_by_the_subscription(asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    asaas.payments[payment_id]["externalReference"] = None

    event = asaas.payment_event(payment_id, "PAYMENT_OVERDUE", at=at(5), status="OVERDUE")

    assert deliver(asaas, client, event).json()["status"] == "applied"
    assert subscription_of(acme).status == "past_due"
    assert PaymentEvent.objects.get(event_id=event["id"]).company == acme


def test_asaas_wall_clock_dates_order_the_events(asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    newer = asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(120), status="RECEIVED")
    older = asaas.payment_event(payment_id, "PAYMENT_OVERDUE", at=at(60), status="OVERDUE")

    deliver(asaas, client, newer)
    assert deliver(asaas, client, older).json()["status"] == "ignored_older"

    assert subscription_of(acme).status == "active"
    stored = PaymentEvent.objects.get(event_id=older["id"])
    assert timezone.localtime(stored.object_timestamp).strftime("%Y-%m-%d %H:%M:%S") == at(60)


def test_a_checkout_for_another_plan_left_unpaid_does_not_move_the_plan_when_the_old_one_renews(
        asaas, client, acme, pro):
    sub_id, payment_id = subscribed(asaas, acme, pro)
    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(1), status="RECEIVED"))
    bigger = Plan.objects.create(code="max", name="Máximo", price_cents=29_900)
    new_sub, new_payment = subscribed(asaas, acme, bigger)  # the owner opened it, and did not pay yet

    deliver(asaas, client, asaas.payment_event(payment_id, "PAYMENT_RECEIVED", at=at(60), status="RECEIVED"))
    assert subscription_of(acme).plan.code == "pro"

    deliver(asaas, client, asaas.payment_event(new_payment, "PAYMENT_RECEIVED", at=at(120), status="RECEIVED"))
    assert subscription_of(acme).plan.code == "max"
