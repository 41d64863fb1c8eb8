"""What an AI call costs, per model, in BRL (docs/billing-metering.md says where the figures come from).

Prices are the providers' public list prices in US dollars per million tokens, prompt and completion
apart, converted at `BILLING_USD_BRL`. A deployment may replace the table (`BILLING_LLM_PRICES`)
without a release.

Costs are integers of pico-reais (1e-12 BRL), a price per token rounded once: a cost is then
linear in the tokens, so the sum of the calls' costs (the live counter) equals the cost of their summed
tokens (what the rows give grouped by model), to the last unit.
"""

from decimal import Decimal

from django.conf import settings

# USD per 1M tokens: (prompt, completion). Matched by the longest prefix of the model name.
DEFAULT_PRICES_USD: dict[str, tuple[str, str]] = {
    "gpt-4o-mini": ("0.15", "0.60"),
    "gpt-4o": ("2.50", "10.00"),
    "gpt-4.1-nano": ("0.10", "0.40"),
    "gpt-4.1-mini": ("0.40", "1.60"),
    "gpt-4.1": ("2.00", "8.00"),
    "gemini-2.0-flash-lite": ("0.075", "0.30"),
    "gemini-2.0-flash": ("0.10", "0.40"),
    "gemini-1.5-flash": ("0.075", "0.30"),
    "gemini-2.5-flash": ("0.30", "2.50"),
}
# A model we do not know (a self-hosted one through an OpenAI-compatible URL) costs nothing to us.
UNKNOWN = ("0", "0")


def _table() -> dict[str, tuple[str, str]]:
    return settings.BILLING_LLM_PRICES or DEFAULT_PRICES_USD


def price_for(model: str) -> tuple[Decimal, Decimal]:
    """(prompt, completion) USD per 1M tokens for `model`."""
    name = (model or "").lower()
    matches = [prefix for prefix in _table() if name.startswith(prefix)]
    prompt, completion = _table()[max(matches, key=len)] if matches else UNKNOWN
    return Decimal(prompt), Decimal(completion)


PICO_PER_CENT = 10_000_000_000  # 1e-12 BRL per unit, 1e-2 BRL per cent


def pico_per_token(model: str) -> tuple[int, int]:
    """(prompt, completion) pico-reais per token: USD per 1M tokens x rate x 1e12 / 1e6."""
    rate = Decimal(str(settings.BILLING_USD_BRL))
    return tuple(int((price * rate * 1_000_000).to_integral_value()) for price in price_for(model))


def cost_pico_brl(*, model: str, input_tokens: int, output_tokens: int) -> int:
    """The call's cost in pico-reais."""
    prompt, completion = pico_per_token(model)
    return prompt * input_tokens + completion * output_tokens
