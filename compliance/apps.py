from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Conformidade (LGPD)"

    def ready(self) -> None:
        from django.contrib import admin

        from compliance.audit.history import admin_history_attach, auditlog_register_settings
        from compliance.lgpd.turns import LGPD_TURN_HANDLER
        from compliance.subscribers import subscribe_all
        from conversations.turns import register_turn_handler
        from secretaria.admin_sites import tenant_admin

        subscribe_all()
        # The customer's LGPD self-service over WhatsApp answers before the agenda (conversations/turns.py).
        register_turn_handler(LGPD_TURN_HANDLER)
        auditlog_register_settings()
        # Every app's admin module registered before its pages get the auditlog history
        # (django.contrib.admin autodiscovers in its own ready(); this makes the order explicit).
        admin.autodiscover()
        admin_history_attach(tenant_admin)
