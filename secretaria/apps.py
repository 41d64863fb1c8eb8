from django.apps import AppConfig


class SecretariaConfig(AppConfig):
    """Project-level glue: admin sites, management commands, health endpoints, the worker's signals."""

    name = "secretaria"
    verbose_name = "Secretaria"

    def ready(self) -> None:
        from secretaria.panel.screens import screens
        from secretaria.panel.settings_screen import SCREEN as SETTINGS
        from secretaria.priority import is_celery_worker, worker_yield_cpu
        from secretaria.worker import worker_signals_connect

        if is_celery_worker():
            # Yield the CPU to the web from here, not from worker_init: every (re)start of a worker
            # spends a second or so importing the apps, which the webhooks would otherwise wait on.
            worker_yield_cpu()
        worker_signals_connect()
        screens.register(SETTINGS)  # the operator panel's "Configurações" (secretaria/panel/settings_screen.py)
