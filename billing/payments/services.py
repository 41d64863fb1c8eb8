"""Writes for the payment providers: starting a checkout, applying a provider's event."""

from billing.payments.errors import PaymentProviderUnavailable


def checkout_start(*, company, plan, provider: str) -> str:
    """Open a checkout for `company` on `plan` with `provider`; returns the URL the owner is sent to.

    Raises PaymentProviderUnavailable (pt-BR message) when the provider is unknown or not configured.
    """
    raise PaymentProviderUnavailable("Pagamento online ainda não disponível.")
