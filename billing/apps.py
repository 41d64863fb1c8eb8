from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Planos e assinaturas"

    def ready(self) -> None:
        from billing.provisioning import BILLING_PROVISIONING
        from tenants.provisioning import register_provisioning_hook

        register_provisioning_hook(BILLING_PROVISIONING)
