from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Planos e assinaturas"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from billing.limits import limits_register
        from billing.models import Plan, Subscription
        from billing.provisioning import BILLING_PROVISIONING
        from tenants.provisioning import register_provisioning_hook

        register_provisioning_hook(BILLING_PROVISIONING)
        limits_register()  # channels, staff users and professionals per plan (secretaria/limits.py)
        # Field-level history of plans and subscriptions, in the public schema's auditlog (the platform
        # admin's "Histórico" page); SubscriptionChange says why, the company's audit trail hears it.
        for model in (Plan, Subscription):
            if not auditlog.contains(model):
                auditlog.register(model)
