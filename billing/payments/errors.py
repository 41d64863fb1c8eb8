"""Errors the payment providers raise, in two kinds as every integration does here."""


class PaymentProviderUnavailable(Exception):
    """The provider is not configured (or unknown): nothing was sent. The message is pt-BR, shown to the owner."""


class PaymentProviderError(Exception):
    """The provider answered with an error or could not be reached.

    `transient` tells a retry may succeed (timeouts, 5xx, 429); a permanent one (4xx) will not.
    """

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient


class WebhookRejected(Exception):
    """A webhook failed authentication (bad signature, token or timestamp): answered 401, nothing stored."""
