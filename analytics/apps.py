from importlib import import_module

from django.apps import AppConfig

PARTS = ("reports", "exports", "recommendations", "webhooks")


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Relatórios"

    def ready(self) -> None:
        for part in PARTS:
            import_module(f"analytics.{part}.setup").setup()
