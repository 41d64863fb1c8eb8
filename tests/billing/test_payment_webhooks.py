"""The payment webhooks' guarantees, whatever the provider (docs/contracts/billing-providers.md §8.5):
401 with nothing stored, 413, 400, replays applied once, the newest state wins, unknown companies
kept for review, never a 5xx, and every delivery counted."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from prometheus_client import REGISTRY

import billing.payments.admin  # noqa: F401 - its pages on the platform admin (see the report: billing/admin.py)
from billing.models import Subscription, SubscriptionChange
from billing.payments.models import PaymentEvent
from billing.payments.providers.stripe import signature_header
from tests.billing.payment_servers import AsaasServer, StripeServer
from tests.conftest import platform_admin

SECRET = "whsec_segredo_local"
TOKEN = "token-do-webhook-asaas-com-32-caracteres"
ONE_MIB = 1024 * 1024


@pytest.fixture
def stripe(settings):
    server = StripeServer(api_key="sk_test_local", prices={"price_pro"})
    settings.STRIPE_API_URL, settings.STRIPE_SECRET_KEY = server.url, "sk_test_local"
    settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_PRICES = SECRET, {"pro": "price_pro"}
    yield server
    server.close()


@pytest.fixture
def asaas(settings):
    server = AsaasServer(api_key="$aact_local")
    settings.ASAAS_API_URL, settings.ASAAS_API_KEY, settings.ASAAS_WEBHOOK_TOKEN = server.url, "$aact_local", TOKEN
    yield server
    server.close()


@pytest.fixture
def acme_on_stripe(stripe, client, acme) -> str:
    """acme paid a Stripe checkout for "pro": its Stripe subscription id."""
    from billing.models import Plan
    from billing.payments.services import checkout_start

    session_id = checkout_start(company=acme, plan=Plan.objects.get(code="pro"), provider="stripe").rsplit("/", 1)[1]
    for event in stripe.complete(session_id):
        stripe.deliver(client, event, secret=SECRET)
    return stripe.sessions[session_id]["subscription"]


def status_of(company) -> str:
    return Subscription.objects.get(company=company).status


def post_stripe(client, body: bytes, header: str, **extra):
    return client.post("/webhook/billing/stripe", data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header, **extra)


def counted(provider: str, type_: str, result: str) -> float:
    return REGISTRY.get_sample_value("secretaria_billing_events_total",
                                     {"provider": provider, "type": type_, "result": result}) or 0.0


# --- authentication: 401 and nothing stored ----------------------------------------------------


@pytest.mark.parametrize("how", ["another secret", "no header", "stale", "body changed"])
def test_a_delivery_stripe_did_not_sign_is_401_and_nothing_is_stored(stripe, client, acme_on_stripe, acme, how):
    event = stripe.subscription_event(acme_on_stripe, "customer.subscription.deleted")
    body = json.dumps(event).encode()
    now = int(time.time())
    header = {
        "another secret": signature_header(body, secret="whsec_de_outra_conta", timestamp=now),
        "no header": "",
        "stale": signature_header(body, secret=SECRET, timestamp=now - 301),
        "body changed": signature_header(body.replace(b"deleted", b"updated"), secret=SECRET, timestamp=now),
    }[how]
    stored = PaymentEvent.objects.count()
    before = counted("stripe", "", "unauthorized")

    response = post_stripe(client, body, header)

    assert response.status_code == 401
    assert PaymentEvent.objects.count() == stored
    assert status_of(acme) == "active"
    assert counted("stripe", "", "unauthorized") == before + 1


def test_without_a_webhook_secret_configured_stripe_deliveries_are_refused(db, stripe, settings, client):
    body = b'{"id": "evt_x", "type": "invoice.paid", "data": {"object": {}}}'
    header = signature_header(body, secret="", timestamp=int(time.time()))
    settings.STRIPE_WEBHOOK_SECRET = ""

    assert post_stripe(client, body, header).status_code == 401
    assert not PaymentEvent.objects.exists()


# --- bad bodies: 413, 400, 415 --------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["stripe", "asaas"])
def test_a_body_over_one_mib_is_413_and_nothing_is_stored(db, stripe, asaas, client, provider):
    body = json.dumps({"id": "evt_grande", "padding": "x" * ONE_MIB}).encode()
    headers = {"HTTP_STRIPE_SIGNATURE": signature_header(body, secret=SECRET, timestamp=int(time.time())),
               "HTTP_ASAAS_ACCESS_TOKEN": TOKEN}

    response = client.post(f"/webhook/billing/{provider}", data=body, content_type="application/json", **headers)

    assert response.status_code == 413
    assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"x": NaN}', b'"texto"', b"\xff\xfe",
                                  b'{"type": "invoice.paid"}', b'{"id": "evt_1", "type": "invoice.paid", "data": 3}'])
def test_a_signed_body_that_is_not_a_stripe_event_is_400(db, stripe, client, body):
    response = post_stripe(client, body, signature_header(body, secret=SECRET, timestamp=int(time.time())))

    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_an_asaas_event_without_id_or_type_is_400(db, asaas, client):
    response = asaas.deliver(client, {"event": "PAYMENT_RECEIVED", "payment": {}}, token=TOKEN)

    assert response.status_code == 400
    assert not PaymentEvent.objects.exists()


def test_a_body_that_is_not_json_by_content_type_is_415(db, stripe, client):
    body = b"id=evt_1"
    response = client.post("/webhook/billing/stripe", data=body, content_type="application/x-www-form-urlencoded",
                           HTTP_STRIPE_SIGNATURE=signature_header(body, secret=SECRET, timestamp=int(time.time())))

    assert response.status_code == 415


def test_only_post_is_answered_and_only_on_the_platforms_host(stripe, client, acme_on_stripe, acme):
    event = stripe.subscription_event(acme_on_stripe, "customer.subscription.deleted")

    assert client.get("/webhook/billing/stripe").status_code == 405
    on_company_host = client.post("/webhook/billing/stripe", data=json.dumps(event), content_type="application/json",
                                  HTTP_HOST="acme.localhost",
                                  HTTP_STRIPE_SIGNATURE=signature_header(json.dumps(event).encode(), secret=SECRET,
                                                                         timestamp=int(time.time())))
    assert on_company_host.status_code == 404
    assert status_of(acme) == "active"


# --- replays and order ------------------------------------------------------------------------


def test_a_replayed_event_is_answered_200_and_applied_once(stripe, client, acme_on_stripe, acme):
    event = stripe.invoice_event(acme_on_stripe, "invoice.payment_failed")
    changes = SubscriptionChange.objects.filter(subscription__company=acme).count()
    duplicates = counted("stripe", "invoice.payment_failed", "duplicate")

    first = stripe.deliver(client, event, secret=SECRET)
    again = stripe.deliver(client, event, secret=SECRET)  # Stripe retries with a fresh signature

    assert (first.status_code, again.status_code) == (200, 200)
    assert PaymentEvent.objects.filter(event_id=event["id"]).count() == 1
    assert SubscriptionChange.objects.filter(subscription__company=acme).count() == changes + 1
    assert counted("stripe", "invoice.payment_failed", "duplicate") == duplicates + 1


def test_a_replay_after_the_company_recovered_does_not_bring_an_old_state_back(stripe, client, acme_on_stripe, acme):
    failed = stripe.invoice_event(acme_on_stripe, "invoice.payment_failed")
    stripe.deliver(client, failed, secret=SECRET)
    stripe.deliver(client, stripe.invoice_event(acme_on_stripe, "invoice.paid"), secret=SECRET)

    stripe.deliver(client, failed, secret=SECRET)

    assert status_of(acme) == "active"


def test_out_of_order_the_newest_state_by_stripes_clock_wins(stripe, client, acme_on_stripe, acme):
    older = stripe.invoice_event(acme_on_stripe, "invoice.paid", created=stripe.tick())
    newer = stripe.subscription_event(acme_on_stripe, "customer.subscription.deleted", created=stripe.tick())

    assert stripe.deliver(client, newer, secret=SECRET).json()["status"] == "applied"
    assert stripe.deliver(client, older, secret=SECRET).json()["status"] == "ignored_older"

    assert status_of(acme) == "canceled"
    assert PaymentEvent.objects.get(event_id=older["id"]).status == "ignored_older"


def test_in_order_the_same_events_do_apply(stripe, client, acme_on_stripe, acme):
    failed = stripe.invoice_event(acme_on_stripe, "invoice.payment_failed", created=stripe.tick())
    paid = stripe.invoice_event(acme_on_stripe, "invoice.paid", created=stripe.tick())

    for event in (failed, paid):
        assert stripe.deliver(client, event, secret=SECRET).json()["status"] == "applied"
    assert status_of(acme) == "active"


# --- what cannot be applied is kept for review, never a 5xx ------------------------------------


def test_an_event_for_an_unknown_company_is_200_and_kept_as_unmapped(stripe, client, acme_on_stripe):
    event = stripe.subscription_event(acme_on_stripe, "customer.subscription.updated")
    event["data"]["object"]["metadata"]["company"] = "empresa-apagada"
    before = counted("stripe", "customer.subscription.updated", "unmapped")

    response = stripe.deliver(client, event, secret=SECRET)

    assert response.status_code == 200 and response.json()["status"] == "unmapped"
    stored = PaymentEvent.objects.get(event_id=event["id"])
    assert (stored.company, stored.company_ref, stored.status) == (None, "empresa-apagada", "unmapped")
    assert "empresa-apagada" in stored.error
    assert stored.payload == event
    assert counted("stripe", "customer.subscription.updated", "unmapped") == before + 1


def test_an_asaas_charge_naming_no_company_and_no_known_subscription_is_unmapped(db, asaas, client):
    event = {"id": "evt_orfao&1", "event": "PAYMENT_RECEIVED", "dateCreated": "2026-11-30 10:00:00",
             "payment": {"object": "payment", "id": "pay_x", "customer": "cus_x", "subscription": "sub_x",
                         "status": "RECEIVED", "dueDate": "2026-11-30", "externalReference": None}}

    assert asaas.deliver(client, event, token=TOKEN).json()["status"] == "unmapped"
    assert PaymentEvent.objects.get(event_id="evt_orfao&1").company is None


def test_an_event_that_cannot_be_applied_is_200_and_kept_as_rejected(stripe, client, acme_on_stripe, acme):
    Subscription.objects.filter(company=acme).delete()  # the company lost its subscription row
    event = stripe.invoice_event(acme_on_stripe, "invoice.paid")

    response = stripe.deliver(client, event, secret=SECRET)

    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert "DoesNotExist" in PaymentEvent.objects.get(event_id=event["id"]).error


def test_a_rejected_event_is_tried_again_when_the_provider_retries_it(stripe, client, acme_on_stripe, acme):
    event = stripe.invoice_event(acme_on_stripe, "invoice.payment_failed")
    PaymentEvent.objects.create(provider="stripe", event_id=event["id"], type=event["type"], payload=event,
                                status="rejected", error="falhou antes")

    assert stripe.deliver(client, event, secret=SECRET).json()["status"] == "applied"
    assert status_of(acme) == "past_due"


def test_unmapped_events_are_listed_in_the_platform_admin(stripe, client, acme_on_stripe):
    event = stripe.subscription_event(acme_on_stripe, "customer.subscription.updated")
    event["data"]["object"]["metadata"]["company"] = "empresa-apagada"
    stripe.deliver(client, event, secret=SECRET)
    client.force_login(platform_admin())

    page = client.get("/admin/billing/paymentevent/?status__exact=unmapped")

    assert page.status_code == 200
    assert event["id"] in page.content.decode()
    assert "Sem empresa (para revisão)" in page.content.decode()
    detail = client.get(f"/admin/billing/paymentevent/{PaymentEvent.objects.get(event_id=event['id']).pk}/change/")
    assert detail.status_code == 200 and "empresa-apagada" in detail.content.decode()


# --- racing deliveries -------------------------------------------------------------------------

RACE_SLUG = "corrida-pagamentos"


@pytest.fixture
def race_on_stripe(stripe, django_db_blocker):
    """A company of its own that paid a Stripe checkout, committed before the test's transaction opens
    (the racing threads have connections of their own); its payment rows wiped before and after."""
    from tenants.models import Company
    from tests.factories import CompanyFactory

    def wipe(company):
        PaymentEvent.objects.filter(company_ref=RACE_SLUG).delete()
        company.payment_states.all().delete()
        Subscription.objects.filter(company=company).update(status="active", state_at=None, past_due_since=None)

    with django_db_blocker.unblock():
        company = Company.objects.filter(slug=RACE_SLUG).first() or CompanyFactory(name="Corrida", slug=RACE_SLUG)
        wipe(company)
        try:
            yield company, _paid_stripe_checkout(stripe, company)
        finally:
            wipe(company)
            connection.set_schema_to_public()


def test_the_same_event_delivered_four_times_at_once_is_applied_once(race_on_stripe, stripe, django_db_blocker, db):
    # `db` last: it only makes pytest-django build the test database when this test runs alone.
    company, sub_id = race_on_stripe
    event = stripe.invoice_event(sub_id, "invoice.payment_failed")
    barrier = threading.Barrier(4)

    def deliver(_):
        try:
            barrier.wait()
            return StripeServer.deliver(Client(), event, secret=SECRET).status_code
        finally:
            connection.close()

    with django_db_blocker.unblock():
        changes = SubscriptionChange.objects.filter(subscription__company=company).count()
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(deliver, range(4)))

        assert statuses == [200, 200, 200, 200]
        assert PaymentEvent.objects.filter(event_id=event["id"]).count() == 1
        assert PaymentEvent.objects.get(event_id=event["id"]).status == "applied"
        assert SubscriptionChange.objects.filter(subscription__company=company).count() == changes + 1
        assert status_of(company) == "past_due"


def _paid_stripe_checkout(stripe, company) -> str:
    from billing.models import Plan
    from billing.payments.services import checkout_start

    session_id = checkout_start(company=company, plan=Plan.objects.get(code="pro"), provider="stripe").rsplit("/")[-1]
    for event in stripe.complete(session_id):
        assert StripeServer.deliver(Client(), event, secret=SECRET).status_code == 200
    return stripe.sessions[session_id]["subscription"]
