from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Usuários e papéis"

    def ready(self):
        from auditlog.registry import auditlog

        from accounts.models import User

        # Who changed which staff account, and how (field diffs), per schema.
        auditlog.register(User, exclude_fields=["password", "last_login"])
