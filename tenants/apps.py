from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Empresas"

    def ready(self) -> None:
        from tenants.backups import tasks  # noqa: F401 - registers the backup-age sampler (beat: celery_app.py)
