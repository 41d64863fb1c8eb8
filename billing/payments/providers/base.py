"""What every payment provider offers billing: authenticating its webhooks, reading its events
into one shape, and opening a checkout.

A provider is a small package-level object registered by name (providers/__init__.py); the
services never look at a provider's wire format, only at ProviderEvent and CheckoutResult.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import httpx

from billing.payments.errors import PaymentProviderError

if TYPE_CHECKING:
    from django.http import HttpRequest

    from billing.models import Plan
    from tenants.models import Company

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
TRANSIENT_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})

# Our subscription statuses (billing.models.Subscription.Status), the only ones a provider maps to.
TRIALING, ACTIVE, PAST_DUE, SUSPENDED, CANCELED = "trialing", "active", "past_due", "suspended", "canceled"


@dataclass(frozen=True)
class ProviderEvent:
    """One provider event, normalised.

    `status` is ours (None: the event changes no status, e.g. a checkout finished or a charge
    created); `plan_code` None keeps the current plan; `occurred_at` is the time of the state the
    event describes, by the provider's own clock, which orders events that arrive out of order.
    """

    provider: str
    event_id: str
    type: str
    company_slug: str
    status: str | None
    plan_code: str | None
    period_end: datetime | None
    occurred_at: datetime | None
    raw: dict = field(repr=False, compare=False)
    customer_ref: str = ""
    subscription_ref: str = ""


@dataclass(frozen=True)
class CheckoutResult:
    url: str
    customer_ref: str = ""
    subscription_ref: str = ""


class PaymentProvider(Protocol):
    name: str

    def configured(self) -> bool:
        """Whether the keys this provider needs are set (checkout and webhooks are off without them)."""

    def verify(self, request: HttpRequest, body: bytes) -> None:
        """Authenticate a webhook delivery; raise WebhookRejected when it is not the provider's."""

    def parse(self, event: dict) -> ProviderEvent:
        """Read an authenticated event; raise ValueError (-> 400) when it lacks what every event has."""

    def checkout(self, *, company: Company, plan: Plan, tax_id: str = "") -> CheckoutResult:
        """Create what the provider needs for `company` to pay `plan`; return where to send the owner."""


def send(http: httpx.Client, method: str, url: str, *, label: str, attempts: int = 1,
         sleep: Callable[[float], None] = time.sleep, **kwargs) -> httpx.Response:
    """One call to a provider, its failures split into transient and permanent PaymentProviderError.

    Retried (`attempts` > 1) only on transient failures, for calls that are safe to repeat (an
    idempotency key, or nothing created); 4xx answers are returned for the caller to read.
    """
    for attempt in range(1, attempts + 1):
        try:
            response = http.request(method, url, timeout=DEFAULT_TIMEOUT, **kwargs)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise PaymentProviderError(f"O endereço da API do {label} é inválido.") from exc
        except httpx.TransportError as exc:
            error = PaymentProviderError(f"Não foi possível falar com o {label} agora.", transient=True)
            if attempt == attempts:
                raise error from exc
        else:
            if response.status_code not in TRANSIENT_STATUSES or attempt == attempts:
                return response
        sleep(min(0.2 * 2 ** attempt, 2.0))
    raise AssertionError("unreachable")  # the loop returns or raises on its last attempt
