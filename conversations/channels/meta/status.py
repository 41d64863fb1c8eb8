"""Delivery-status precedence, so the stored status never goes backwards (battery R7).

Meta sends statuses out of order, skips some ("read" without "delivered") and repeats
others. Storing `most_advanced(stored, incoming)` makes the final value independent of
arrival order, because it is the maximum of a total order — commutative and idempotent.

The order:  accepted < sent < failed < delivered < read < played < deleted.

- `failed` outranks `sent`/`accepted`: a late "sent" must not resurrect a failed
  message, so for a message never delivered or read, "failed" is terminal.
- `delivered`/`read`/`played` outrank `failed`: they are the recipient's own receipt,
  proof the message arrived; a failure reported around them does not undo that.
- `deleted` overrides everything: once deleted, no receipt brings it back.
"""

from __future__ import annotations

from ..base import DeliveryStatus

_RANK = {
    DeliveryStatus.ACCEPTED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.FAILED: 2,
    DeliveryStatus.DELIVERED: 3,
    DeliveryStatus.READ: 4,
    DeliveryStatus.PLAYED: 5,
    DeliveryStatus.DELETED: 6,
}


def status_rank(status: DeliveryStatus | str) -> int:
    """Position in the precedence order; accepts the stored string value too."""
    return _RANK[DeliveryStatus(status)]


def most_advanced(current: DeliveryStatus | str | None, incoming: DeliveryStatus | str) -> DeliveryStatus:
    """The status to keep after `incoming` arrives; `current` is None before any status.

    On a tie the current one is kept (same value anyway).
    """
    incoming = DeliveryStatus(incoming)
    if current is None:
        return incoming
    current = DeliveryStatus(current)
    return incoming if status_rank(incoming) > status_rank(current) else current
