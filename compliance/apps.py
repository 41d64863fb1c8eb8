from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Conformidade (LGPD)"

    def ready(self) -> None:
        from compliance.subscribers import subscribe_all

        subscribe_all()
