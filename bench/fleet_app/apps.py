from django.apps import AppConfig


class FleetAppConfig(AppConfig):
    name = "bench.fleet_app"
    label = "fleet_app"
    verbose_name = "Bench: migração descartável"
    default_auto_field = "django.db.models.BigAutoField"
