"""Asaas (PIX, boleto, card): token-authenticated webhooks, payment and subscription events,
subscriptions created through the API (docs/contracts/billing.md §8.2; our use: billing-providers.md §8.4).

Asaas does not sign its deliveries: the token chosen when the webhook was registered comes back
in `asaas-access-token`, compared in constant time. Our checkout creates a customer and a monthly
subscription whose `externalReference` is the company's slug (Asaas copies it to the charges it
generates); the owner pays the subscription's first charge on its invoice page, which is the
checkout URL we hand back. Asaas' dates are Brazil's wall clock (no offset), read in TIME_ZONE.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from billing.payments.errors import PaymentProviderError, PaymentProviderUnavailable, WebhookRejected
from billing.payments.providers.base import ACTIVE, CANCELED, PAST_DUE, CheckoutResult, ProviderEvent, send
from secretaria.http import shared_client

NAME = "asaas"
BASE_URLS = {"sandbox": "https://api-sandbox.asaas.com", "production": "https://api.asaas.com"}
# Payment events -> our status. A refund takes back the period's payment: the subscription is
# in arrears again (the grace period then runs as for an unpaid charge).
PAYMENT_STATUS = {
    "PAYMENT_CONFIRMED": ACTIVE,
    "PAYMENT_RECEIVED": ACTIVE,
    "PAYMENT_RECEIVED_IN_CASH": ACTIVE,
    "PAYMENT_OVERDUE": PAST_DUE,
    "PAYMENT_REFUNDED": PAST_DUE,
}
SUBSCRIPTION_ENDED = ("SUBSCRIPTION_INACTIVATED", "SUBSCRIPTION_DELETED")
ENDED_STATUSES = ("INACTIVE", "EXPIRED")
PAID_PERIOD = timedelta(days=30)  # a monthly cycle: the paid charge's due date plus this


class AsaasProvider:
    name = NAME

    def __init__(self, *, http: httpx.Client | None = None):
        self.http = http

    def configured(self) -> bool:
        return bool(settings.ASAAS_API_KEY and settings.ASAAS_WEBHOOK_TOKEN)

    # --- webhooks ----------------------------------------------------------------------

    def verify(self, request, body: bytes) -> None:
        expected = settings.ASAAS_WEBHOOK_TOKEN
        given = request.headers.get("asaas-access-token", "")
        if not expected:
            raise WebhookRejected("Asaas não configurado.")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRejected("Token do Asaas inválido.")

    def parse(self, event: dict) -> ProviderEvent:
        event_id, kind = event.get("id"), event.get("event")
        if not isinstance(event_id, str) or not event_id or not isinstance(kind, str) or not kind:
            raise ValueError("Evento do Asaas sem id ou tipo.")
        occurred_at = _local_datetime(event.get("dateCreated"))
        if isinstance(event.get("payment"), dict):
            return self._payment_event(event_id, kind, event["payment"], occurred_at, event)
        sub = event.get("subscription") if isinstance(event.get("subscription"), dict) else {}
        ended = kind in SUBSCRIPTION_ENDED or (kind == "SUBSCRIPTION_UPDATED" and sub.get("status") in ENDED_STATUSES)
        status = CANCELED if ended else None
        return ProviderEvent(
            provider=NAME, event_id=event_id, type=kind, company_slug=_text(sub.get("externalReference")),
            status=status, plan_code=None, period_end=None, occurred_at=occurred_at, raw=event,
            customer_ref=_text(sub.get("customer")), subscription_ref=_text(sub.get("id")),
        )

    def _payment_event(self, event_id: str, kind: str, payment: dict, occurred_at, event: dict) -> ProviderEvent:
        status = PAYMENT_STATUS.get(kind)
        period_end = None
        if status == ACTIVE:
            due = _date(payment.get("dueDate"))
            period_end = _end_of_day(due + PAID_PERIOD) if due else None
        return ProviderEvent(
            provider=NAME, event_id=event_id, type=kind, company_slug=_text(payment.get("externalReference")),
            status=status, plan_code=None, period_end=period_end, occurred_at=occurred_at, raw=event,
            customer_ref=_text(payment.get("customer")), subscription_ref=_text(payment.get("subscription")),
        )

    # --- checkout ----------------------------------------------------------------------

    def checkout(self, *, company, plan, tax_id: str = "") -> CheckoutResult:
        """`POST /v3/customers`, `POST /v3/subscriptions` (monthly), then the first charge's invoice page.

        Neither POST is idempotent at Asaas, so neither is retried: a timeout is reported, not repeated,
        lest the company get two subscriptions.
        """
        if not self.configured():
            raise PaymentProviderUnavailable("O pagamento pelo Asaas não está configurado nesta plataforma.")
        if plan.price_cents <= 0:
            raise PaymentProviderUnavailable(f"O plano {plan.name} é gratuito: não há o que pagar.")
        customer = {"name": company.name, "externalReference": company.slug}
        if tax_id:
            customer["cpfCnpj"] = "".join(ch for ch in tax_id if ch.isdigit())
        customer_id = _text(self._post("/v3/customers", customer).get("id"))
        subscription = self._post("/v3/subscriptions", {
            "customer": customer_id,
            "billingType": "UNDEFINED",  # the owner picks PIX, boleto or card on the invoice page
            "value": f"{plan.price_cents / 100:.2f}",
            "nextDueDate": timezone.localdate().isoformat(),
            "cycle": "MONTHLY",
            "description": f"Secretaria — plano {plan.name}",
            "externalReference": company.slug,
        })
        subscription_id = _text(subscription.get("id"))
        payments = self._get(f"/v3/subscriptions/{subscription_id}/payments").get("data") or []
        url = next((_text(p.get("invoiceUrl")) for p in payments if isinstance(p, dict) and p.get("invoiceUrl")), "")
        if not customer_id or not subscription_id or not url:
            raise PaymentProviderError("O Asaas não devolveu a assinatura ou a fatura esperada.")
        return CheckoutResult(url=url, customer_ref=customer_id, subscription_ref=subscription_id)

    def _post(self, path: str, body: dict) -> dict:
        return _checked(send(self._client(), "POST", _api_url(path), label="Asaas", json=body, headers=_headers()))

    def _get(self, path: str) -> dict:
        return _checked(send(self._client(), "GET", _api_url(path), label="Asaas", attempts=3, headers=_headers()))

    def _client(self) -> httpx.Client:
        return self.http or shared_client()


def api_base_url() -> str:
    return (settings.ASAAS_API_URL or BASE_URLS.get(settings.ASAAS_ENVIRONMENT, BASE_URLS["sandbox"])).rstrip("/")


def _api_url(path: str) -> str:
    base = api_base_url()
    # Accept a base given with or without the /v3 suffix.
    return (base[:-3] if base.endswith("/v3") else base) + path


def _headers() -> dict:
    return {"access_token": settings.ASAAS_API_KEY, "Accept": "application/json",
            "User-Agent": "secretaria-billing"}


def _checked(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status_code == 200:
        return body
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    detail = "; ".join(_text(e.get("description")) for e in errors if isinstance(e, dict))
    detail = detail or f"HTTP {response.status_code}"
    if response.status_code == 401:
        detail = "chave de API recusada"
    transient = response.status_code == 429 or response.status_code >= 500
    raise PaymentProviderError(f"O Asaas recusou o pedido: {detail}", transient=transient)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.max.time()).replace(microsecond=0))


def _local_datetime(value) -> datetime | None:
    """Asaas' "YYYY-MM-DD HH:MM:SS", Brazil's wall clock, as an aware datetime."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
