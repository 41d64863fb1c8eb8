from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Usuários e papéis"

    def ready(self):
        from auditlog.registry import auditlog
        from axes.signals import user_locked_out

        from accounts.lockout import on_user_locked_out
        from accounts.models import User

        # Who changed which staff account, and how (field diffs), per schema.
        auditlog.register(User, exclude_fields=["password", "last_login"])
        user_locked_out.connect(on_user_locked_out, dispatch_uid="accounts.login_failures_burst")
