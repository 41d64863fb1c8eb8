def setup() -> None:
    """Hooks of this part (none yet)."""
