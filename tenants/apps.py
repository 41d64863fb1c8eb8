from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Empresas"

    def ready(self):
        from secretaria.observability.health import readiness_check_register
        from tenants.migration_state import check_migrations

        readiness_check_register("migrations", check_migrations)
