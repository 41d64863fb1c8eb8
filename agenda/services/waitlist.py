"""The waitlist (the chat work fills this in): a freed slot is offered to waiting customers."""


def waitlist_slot_freed(*, appointment_id: int) -> int:
    """Offer the slot of a cancelled or moved appointment to waiting customers. Returns offers sent."""
    return 0
