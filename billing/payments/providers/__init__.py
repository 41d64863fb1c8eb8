"""The payment providers, by name. A new one is a module here with a provider object and a line below."""

from billing.payments.providers.asaas import AsaasProvider
from billing.payments.providers.base import CheckoutResult, PaymentProvider, ProviderEvent
from billing.payments.providers.stripe import StripeProvider

__all__ = ["CheckoutResult", "PaymentProvider", "ProviderEvent", "payments_enabled", "provider_get"]

PROVIDERS: dict[str, type] = {"stripe": StripeProvider, "asaas": AsaasProvider}


def provider_get(name: str) -> PaymentProvider | None:
    cls = PROVIDERS.get(name)
    return cls() if cls else None


def payments_enabled() -> bool:
    """Whether any provider is configured; without one (self-hosting) plans are assigned by hand."""
    return any(cls().configured() for cls in PROVIDERS.values())
