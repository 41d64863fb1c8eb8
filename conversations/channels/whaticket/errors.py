"""Shared names of the Whaticket package: the provider name and the payload error."""

from __future__ import annotations

PROVIDER = "whaticket"


class WhaticketPayloadError(ValueError):
    """The webhook body is not a Whaticket/Baileys message at all (not an object, no key/id...).

    Raised instead of guessing, so the webhook can store the body as a dead letter
    with this reason; messages that are valid but of no interest return None instead.
    """
