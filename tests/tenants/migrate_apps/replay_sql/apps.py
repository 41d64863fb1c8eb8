from django.apps import AppConfig


class ReplaySqlConfig(AppConfig):
    name = "tests.tenants.migrate_apps.replay_sql"
    label = "replay_sql"
    default_auto_field = "django.db.models.BigAutoField"
