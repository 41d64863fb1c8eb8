from django.apps import AppConfig


class SecretariaConfig(AppConfig):
    """Project-level glue: admin sites, management commands, health endpoints."""

    name = "secretaria"
    verbose_name = "Secretaria"
