"""What this part hooks up when the app is ready (event subscribers, registries)."""


def setup() -> None:
    """Called once from AnalyticsConfig.ready(); must be idempotent."""
