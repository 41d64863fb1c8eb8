"""Stripe against a local server speaking its API and the webhooks it would send
(docs/contracts/billing-providers.md §8.3): checkout, signatures, and the subscription's life."""

from datetime import UTC, datetime

import pytest

from billing.payments.errors import PaymentProviderError, PaymentProviderUnavailable, WebhookRejected
from billing.payments.models import PaymentEvent, ProviderState
from billing.payments.providers.stripe import signature_header, signature_verify
from billing.payments.services import checkout_start
from tests.billing.helpers import subscription_of
from tests.billing.payment_servers import StripeServer

API_KEY = "sk_test_chave_local"
SECRET = "whsec_segredo_local"
PRICE = "price_pro_mensal"


@pytest.fixture
def stripe(settings):
    server = StripeServer(api_key=API_KEY, prices={PRICE})
    settings.STRIPE_API_URL = server.url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_PRICES = {"pro": PRICE}
    yield server
    server.close()


def paid_checkout(stripe, client, company, plan) -> str:
    """Checkout, the owner pays, Stripe's three events arrive: returns the subscription id."""
    url = checkout_start(company=company, plan=plan, provider="stripe")
    session_id = url.rsplit("/", 1)[1]
    for event in stripe.complete(session_id):
        assert stripe.deliver(client, event, secret=SECRET).status_code == 200
    return stripe.sessions[session_id]["subscription"]


# --- checkout ---------------------------------------------------------------------------------


def test_checkout_creates_a_subscription_session_form_encoded_with_the_company_in_its_metadata(stripe, acme, pro):
    url = checkout_start(company=acme, plan=pro, provider="stripe")

    (request,) = stripe.requests
    assert url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert request.path == "/v1/checkout/sessions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.headers["idempotency-key"]
    assert request.body["mode"] == "subscription"
    assert request.body["line_items[0][price]"] == PRICE
    assert request.body["line_items[0][quantity]"] == "1"
    assert request.body["metadata[company]"] == "acme"
    assert request.body["subscription_data[metadata][company]"] == "acme"
    assert request.body["subscription_data[metadata][plan]"] == "pro"
    assert request.body["success_url"] == "https://acme.localhost/admin/"
    assert not ProviderState.objects.filter(company=acme).exists()  # nothing to remember until it is paid


def test_checkout_without_stripe_keys_says_it_is_unavailable_and_sends_nothing(stripe, settings, acme, pro):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(PaymentProviderUnavailable, match="Stripe não está configurado"):
        checkout_start(company=acme, plan=pro, provider="stripe")
    assert stripe.requests == []


def test_checkout_of_a_plan_with_no_stripe_price_is_unavailable(stripe, settings, acme, pro):
    settings.STRIPE_PRICES = {}

    with pytest.raises(PaymentProviderUnavailable, match="Profissional"):
        checkout_start(company=acme, plan=pro, provider="stripe")


def test_checkout_with_an_unknown_provider_is_unavailable(acme, pro):
    with pytest.raises(PaymentProviderUnavailable, match="desconhecida"):
        checkout_start(company=acme, plan=pro, provider="paypal")


def test_a_price_stripe_does_not_know_is_a_permanent_error_with_stripes_message(stripe, settings, acme, pro):
    settings.STRIPE_PRICES = {"pro": "price_apagado"}

    with pytest.raises(PaymentProviderError, match="No such price") as caught:
        checkout_start(company=acme, plan=pro, provider="stripe")
    assert caught.value.transient is False
    assert len(stripe.requests) == 1  # a 4xx is not retried


def test_a_wrong_api_key_is_refused(stripe, settings, acme, pro):
    settings.STRIPE_SECRET_KEY = "sk_test_outra"

    with pytest.raises(PaymentProviderError, match="Invalid API Key"):
        checkout_start(company=acme, plan=pro, provider="stripe")


def test_stripe_unreachable_is_a_transient_error(stripe, settings, acme, pro):
    settings.STRIPE_API_URL = "http://127.0.0.1:9"  # nothing listens there

    with pytest.raises(PaymentProviderError) as caught:
        checkout_start(company=acme, plan=pro, provider="stripe")
    assert caught.value.transient is True


# --- signatures -------------------------------------------------------------------------------

BODY = b'{"id": "evt_1", "type": "invoice.paid"}'
NOW = 1_790_000_000


def test_a_signature_made_with_the_secret_over_t_dot_body_is_accepted():
    signature_verify(BODY, signature_header(BODY, secret=SECRET, timestamp=NOW), secret=SECRET, tolerance=300,
                     now=NOW + 299)


def test_any_of_several_v1_signatures_may_match_and_v0_is_ignored():
    good = signature_header(BODY, secret=SECRET, timestamp=NOW).split(",v1=")[1]
    header = f"t={NOW},v1={'0' * 64},v0={good},v1={good}"
    signature_verify(BODY, header, secret=SECRET, tolerance=300, now=NOW)

    with pytest.raises(WebhookRejected):
        signature_verify(BODY, f"t={NOW},v0={good}", secret=SECRET, tolerance=300, now=NOW)


@pytest.mark.parametrize("header, now", [
    (signature_header(BODY, secret=SECRET, timestamp=NOW), NOW + 301),  # too old
    (signature_header(BODY, secret=SECRET, timestamp=NOW), NOW - 301),  # from the future
    (signature_header(BODY, secret="whsec_outro", timestamp=NOW), NOW),  # another secret
    (signature_header(BODY + b" ", secret=SECRET, timestamp=NOW), NOW),  # another body
    (f"t={NOW}", NOW),
    ("v1=abc", NOW),
    ("", NOW),
    (f"t=agora,v1={'a' * 64}", NOW),
])
def test_a_bad_stale_or_foreign_signature_is_rejected(header, now):
    with pytest.raises(WebhookRejected):
        signature_verify(BODY, header, secret=SECRET, tolerance=300, now=now)


def test_no_secret_configured_rejects_everything():
    with pytest.raises(WebhookRejected):
        signature_verify(BODY, signature_header(BODY, secret="", timestamp=NOW), secret="", tolerance=300, now=NOW)


# --- the subscription's life ------------------------------------------------------------------


def test_checkout_then_payment_makes_the_subscription_active_on_the_plan_until_stripes_period_end(
        stripe, client, acme, pro):
    sub_id = paid_checkout(stripe, client, acme, pro)

    subscription = subscription_of(acme)
    item = stripe.subscriptions[sub_id]["items"]["data"][0]
    assert (subscription.status, subscription.plan.code) == ("active", "pro")
    assert subscription.current_period_end == datetime.fromtimestamp(item["current_period_end"], tz=UTC)
    statuses = dict(PaymentEvent.objects.filter(company=acme).values_list("type", "status"))
    assert statuses == {"checkout.session.completed": "ignored_type", "customer.subscription.created": "applied",
                        "invoice.paid": "applied"}
    state = ProviderState.objects.get(company=acme, provider="stripe")
    assert (state.subscription_ref, state.plan_code) == (sub_id, "pro")
    assert state.customer_ref == stripe.subscriptions[sub_id]["customer"]


def test_a_failed_payment_puts_it_past_due_and_the_next_paid_invoice_back_to_active(stripe, client, acme, pro):
    sub_id = paid_checkout(stripe, client, acme, pro)

    stripe.deliver(client, stripe.invoice_event(sub_id, "invoice.payment_failed"), secret=SECRET)
    assert subscription_of(acme).status == "past_due"

    stripe.deliver(client, stripe.invoice_event(sub_id, "invoice.paid"), secret=SECRET)
    assert subscription_of(acme).status == "active"


def test_stripe_giving_up_on_an_unpaid_subscription_suspends_it(stripe, client, acme, pro):
    sub_id = paid_checkout(stripe, client, acme, pro)

    stripe.deliver(client, stripe.subscription_event(sub_id, "customer.subscription.updated", status="unpaid"),
                   secret=SECRET)

    assert subscription_of(acme).status == "suspended"


def test_a_deleted_subscription_is_canceled(stripe, client, acme, pro):
    sub_id = paid_checkout(stripe, client, acme, pro)

    stripe.deliver(client, stripe.subscription_event(sub_id, "customer.subscription.deleted"), secret=SECRET)

    assert subscription_of(acme).status == "canceled"


def test_an_invoice_in_the_older_api_shape_finds_its_company_too(stripe, client, acme, pro):
    sub_id = paid_checkout(stripe, client, acme, pro)

    event = stripe.invoice_event(sub_id, "invoice.payment_failed", legacy_shape=True)
    assert stripe.deliver(client, event, secret=SECRET).json()["status"] == "applied"
    assert subscription_of(acme).status == "past_due"


def test_an_invoice_without_metadata_finds_its_company_by_the_subscription_id_kept_earlier(stripe, client, acme,
                                                                                           pro):
    sub_id = paid_checkout(stripe, client, acme, pro)
    event = stripe.invoice_event(sub_id, "invoice.payment_failed")
    event["data"]["object"]["parent"]["subscription_details"]["metadata"] = {}

    assert stripe.deliver(client, event, secret=SECRET).json()["status"] == "applied"
    assert subscription_of(acme).status == "past_due"


def test_incomplete_changes_nothing_until_the_first_invoice_is_paid(stripe, client, acme, pro):
    sub_id = paid_checkout(stripe, client, acme, pro)
    event = stripe.subscription_event(sub_id, "customer.subscription.updated", status="incomplete")

    assert stripe.deliver(client, event, secret=SECRET).json()["status"] == "ignored_type"
    assert subscription_of(acme).status == "active"


def test_one_companys_events_never_touch_anothers_subscription(stripe, client, acme, globex, pro):
    before = subscription_of(globex).status
    sub_id = paid_checkout(stripe, client, acme, pro)
    stripe.deliver(client, stripe.subscription_event(sub_id, "customer.subscription.deleted"), secret=SECRET)

    assert subscription_of(globex).status == before
    assert subscription_of(globex).plan.code == "free"
    assert not PaymentEvent.objects.filter(company=globex).exists()


# --- reading events of other API versions -----------------------------------------------------


def test_an_older_subscription_shape_gives_its_period_end_at_the_top_and_its_plan_by_price(settings):
    from billing.payments.providers.stripe import StripeProvider

    settings.STRIPE_PRICES = {"pro": PRICE}
    event = {"id": "evt_antigo", "type": "customer.subscription.updated", "created": NOW,
             "data": {"object": {"id": "sub_1", "customer": "cus_1", "status": "past_due",
                                 "current_period_end": NOW + 86400, "metadata": {"company": "acme"},
                                 "items": {"data": [{"price": {"id": PRICE}}]}}}}

    parsed = StripeProvider().parse(event)

    assert (parsed.company_slug, parsed.status, parsed.plan_code) == ("acme", "past_due", "pro")
    assert parsed.period_end == datetime.fromtimestamp(NOW + 86400, tz=UTC)
    assert parsed.occurred_at == datetime.fromtimestamp(NOW, tz=UTC)
    assert (parsed.customer_ref, parsed.subscription_ref) == ("cus_1", "sub_1")


def test_a_price_we_do_not_sell_names_no_plan_and_the_current_one_is_kept(settings):
    from billing.payments.providers.stripe import StripeProvider

    settings.STRIPE_PRICES = {"pro": PRICE}
    event = {"id": "evt_x", "type": "customer.subscription.updated", "created": NOW,
             "data": {"object": {"id": "sub_1", "status": "active", "metadata": {"company": "acme"},
                                 "items": {"data": [{"price": {"id": "price_de_outro_produto"}}]}}}}

    assert StripeProvider().parse(event).plan_code is None
