from django.apps import AppConfig


class ReplayPyConfig(AppConfig):
    name = "tests.tenants.migrate_apps.replay_py"
    label = "replay_py"
    default_auto_field = "django.db.models.BigAutoField"
