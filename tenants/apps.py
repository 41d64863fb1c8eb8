from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Empresas"

    def ready(self) -> None:
        from django_tenants.signals import schema_pre_migration

        from secretaria.observability.health import readiness_check_register
        from tenants.backups import tasks  # noqa: F401 - registers the backup-age sampler (beat: celery_app.py)
        from tenants.migration_state import check_migrations, migration_marker_clear

        readiness_check_register("migrations", check_migrations)
        schema_pre_migration.connect(migration_marker_clear, dispatch_uid="tenants.migration_marker_clear")
