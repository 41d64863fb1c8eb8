from importlib import import_module

from django.apps import AppConfig

# The parts that hook something up when the app is ready (exports only answers requests).
PARTS = ("reports", "recommendations", "webhooks", "feedback", "dashboard")


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Relatórios"

    def ready(self) -> None:
        for part in PARTS:
            import_module(f"analytics.{part}.setup").setup()
