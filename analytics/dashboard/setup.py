"""What this part hooks up when the app is ready: the panel's home pages (company and platform)."""

from analytics.dashboard.screens import COMPANY_HOME, PLATFORM_HOME
from secretaria.panel.screens import screens


def setup() -> None:
    """Called once from AnalyticsConfig.ready(); idempotent (a repeated register replaces)."""
    screens.register(COMPANY_HOME)
    screens.register(PLATFORM_HOME)
