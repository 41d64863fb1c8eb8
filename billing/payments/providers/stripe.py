"""Stripe: signed webhooks, subscription and invoice events, Checkout Sessions in subscription mode
(docs/contracts/billing.md §8.1, our use of it: billing-providers.md §8.3).

Our checkout writes the company's slug into the session's and the subscription's metadata
(`metadata[company]`), so every subscription event names its company; invoice events name it
through the subscription's details, and failing that through the customer or subscription id we
kept when an earlier event of that company arrived (the services look those up).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

import httpx
from django.conf import settings

from billing.payments.errors import PaymentProviderError, PaymentProviderUnavailable, WebhookRejected
from billing.payments.providers.base import (
    ACTIVE,
    CANCELED,
    PAST_DUE,
    SUSPENDED,
    TRIALING,
    CheckoutResult,
    ProviderEvent,
    send,
)
from secretaria.http import shared_client

NAME = "stripe"
# Stripe's subscription statuses -> ours. `incomplete` (first payment not made yet) changes
# nothing: the company keeps what it had until the invoice is paid or the subscription expires.
STATUS_MAP = {
    "trialing": TRIALING,
    "active": ACTIVE,
    "past_due": PAST_DUE,
    "unpaid": SUSPENDED,
    "paused": SUSPENDED,
    "canceled": CANCELED,
    "incomplete_expired": CANCELED,
    "incomplete": None,
}
SUBSCRIPTION_EVENTS = ("customer.subscription.created", "customer.subscription.updated",
                       "customer.subscription.deleted")


class StripeProvider:
    name = NAME

    def __init__(self, *, http: httpx.Client | None = None):
        self.http = http

    def configured(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)

    # --- webhooks ----------------------------------------------------------------------

    def verify(self, request, body: bytes) -> None:
        signature_verify(body, request.headers.get("Stripe-Signature", ""), secret=settings.STRIPE_WEBHOOK_SECRET,
                         tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)

    def parse(self, event: dict) -> ProviderEvent:
        event_id, kind = event.get("id"), event.get("type")
        obj = (event.get("data") or {}).get("object")
        if not isinstance(event_id, str) or not event_id or not isinstance(kind, str) or not isinstance(obj, dict):
            raise ValueError("Evento do Stripe sem id, tipo ou objeto.")
        created = _timestamp(event.get("created"))
        if kind in SUBSCRIPTION_EVENTS:
            return self._subscription_event(event_id, kind, obj, created, event)
        if kind in ("invoice.paid", "invoice.payment_failed"):
            return self._invoice_event(event_id, kind, obj, created, event)
        # checkout.session.completed and anything else: no status of ours, but the ids are worth keeping.
        return ProviderEvent(provider=NAME, event_id=event_id, type=kind, company_slug=_company(obj), status=None,
                             plan_code=None, period_end=None, occurred_at=created, raw=event,
                             customer_ref=_text(obj.get("customer")), subscription_ref=_text(obj.get("subscription")))

    def _subscription_event(self, event_id: str, kind: str, sub: dict, created, event: dict) -> ProviderEvent:
        status = CANCELED if kind.endswith(".deleted") else STATUS_MAP.get(_text(sub.get("status")))
        first = ((sub.get("items") or {}).get("data") or [{}])[0]
        period_end = _timestamp(first.get("current_period_end") or sub.get("current_period_end"))
        return ProviderEvent(
            provider=NAME, event_id=event_id, type=kind, company_slug=_company(sub), status=status,
            plan_code=_plan_code(sub, first), period_end=period_end, occurred_at=created, raw=event,
            customer_ref=_text(sub.get("customer")), subscription_ref=_text(sub.get("id")),
        )

    def _invoice_event(self, event_id: str, kind: str, invoice: dict, created, event: dict) -> ProviderEvent:
        # The subscription moved to the top level's `parent.subscription_details` in recent API versions.
        details = (invoice.get("parent") or {}).get("subscription_details") or invoice.get("subscription_details") or {}
        subscription = _text(details.get("subscription") or invoice.get("subscription"))
        paid = kind == "invoice.paid"
        period_end = occurred_at = None
        if paid:
            # The line's period is the one just paid for; paid_at is when the state changed.
            lines = (invoice.get("lines") or {}).get("data") or [{}]
            period_end = _timestamp((lines[0].get("period") or {}).get("end"))
            occurred_at = _timestamp((invoice.get("status_transitions") or {}).get("paid_at"))
        return ProviderEvent(
            provider=NAME, event_id=event_id, type=kind,
            company_slug=_text((details.get("metadata") or {}).get("company")) or _company(invoice),
            status=ACTIVE if paid else PAST_DUE, plan_code=None, period_end=period_end,
            occurred_at=occurred_at or created, raw=event,
            customer_ref=_text(invoice.get("customer")), subscription_ref=subscription,
        )

    # --- checkout ----------------------------------------------------------------------

    def checkout(self, *, company, plan, tax_id: str = "") -> CheckoutResult:
        """`POST /v1/checkout/sessions` (mode=subscription), form-encoded as Stripe's API takes it."""
        if not self.configured():
            raise PaymentProviderUnavailable("O pagamento pelo Stripe não está configurado nesta plataforma.")
        price = settings.STRIPE_PRICES.get(plan.code)
        if not price:
            raise PaymentProviderUnavailable(f"O plano {plan.name} não está disponível para pagamento pelo Stripe.")
        return_url = checkout_return_url(company)
        form = {
            "mode": "subscription",
            "line_items[0][price]": price,
            "line_items[0][quantity]": "1",
            "success_url": return_url,
            "cancel_url": return_url,
            "client_reference_id": company.slug,
            "metadata[company]": company.slug,
            "metadata[plan]": plan.code,
            "subscription_data[metadata][company]": company.slug,
            "subscription_data[metadata][plan]": plan.code,
        }
        # The same key on every attempt: Stripe answers a repeat with the first session, never a second.
        headers = {"Authorization": f"Bearer {settings.STRIPE_SECRET_KEY}",
                   "Idempotency-Key": f"checkout-{company.slug}-{plan.code}-{time.time_ns()}"}
        response = send(self.http or shared_client(), "POST", _api_url("/v1/checkout/sessions"), label="Stripe",
                        attempts=3, data=form, headers=headers)
        body = _json(response)
        if response.status_code != 200 or not body.get("url"):
            raise _error(response, body)
        return CheckoutResult(url=body["url"], customer_ref=_text(body.get("customer")))


def signature_verify(body: bytes, header: str, *, secret: str, tolerance: int, now: float | None = None) -> None:
    """Check a `Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]` header against `t.body` signed with `secret`.

    Any v1 may match (Stripe sends one per active secret while a secret is rolled); other schemes
    (v0) are ignored; an old or future timestamp is refused so a captured delivery cannot be replayed.
    """
    if not secret:
        raise WebhookRejected("Stripe não configurado.")
    pairs = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value.strip() for key, value in pairs if key.strip() == "t"]
    signatures = [value.strip() for key, value in pairs if key.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
        raise WebhookRejected("Assinatura do Stripe ausente ou malformada.")
    if abs((time.time() if now is None else now) - int(timestamps[0])) > tolerance:
        raise WebhookRejected("Assinatura do Stripe fora da janela de tempo.")
    expected = hmac.new(secret.encode(), timestamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    # compare_digest on every candidate: no early exit that would tell which one came close.
    if not any([hmac.compare_digest(expected.encode(), signature.encode()) for signature in signatures]):
        raise WebhookRejected("Assinatura do Stripe inválida.")


def signature_header(body: bytes, *, secret: str, timestamp: int) -> str:
    """The header Stripe would send for `body` (our tests and the dev stack sign with it)."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def checkout_return_url(company) -> str:
    domain = company.get_primary_domain()
    return settings.BILLING_CHECKOUT_RETURN_URL.format(host=domain.domain if domain else "localhost")


def _api_url(path: str) -> str:
    return settings.STRIPE_API_URL.rstrip("/") + path


def _plan_code(sub: dict, item: dict) -> str | None:
    code = _text((sub.get("metadata") or {}).get("plan"))
    if code:
        return code
    price = _text((item.get("price") or {}).get("id"))
    by_price = {price_id: plan for plan, price_id in settings.STRIPE_PRICES.items()}
    return by_price.get(price) if price else None


def _company(obj: dict) -> str:
    return _text((obj.get("metadata") or {}).get("company")) or _text(obj.get("client_reference_id"))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _timestamp(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(response: httpx.Response, body: dict) -> PaymentProviderError:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    detail = error.get("message") or f"HTTP {response.status_code}"
    transient = response.status_code in (429,) or response.status_code >= 500
    return PaymentProviderError(f"O Stripe recusou o checkout: {detail}", transient=transient)
