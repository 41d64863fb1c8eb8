from django.apps import AppConfig


class SecretariaConfig(AppConfig):
    """Project-level glue: admin sites, management commands, health endpoints, the worker's signals."""

    name = "secretaria"
    verbose_name = "Secretaria"

    def ready(self) -> None:
        from secretaria.worker import worker_signals_connect

        worker_signals_connect()
