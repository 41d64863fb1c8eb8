from importlib import import_module

from django.apps import AppConfig

# The parts that hook something up when the app is ready.
PARTS = ("replies", "experiments", "whatsapp")


class TemplatesConfig(AppConfig):
    name = "templates"
    verbose_name = "Modelos de resposta"

    def ready(self) -> None:
        for part in PARTS:
            import_module(f"templates.{part}.setup").setup()
