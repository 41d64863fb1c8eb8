from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversas"

    def ready(self) -> None:
        from conversations.billing_sources import billing_install
        from conversations.channels.builtin import BUILT_IN
        from conversations.channels.registry import register_channel
        from conversations.channels.services import CHANNEL_PROVISIONING
        from conversations.core.claims import claims_install
        from conversations.core.dispatcher import dispatcher_install
        from conversations.core.subscribers import subscribe_all
        from conversations.inbox.screens import SCREEN as INBOX
        from secretaria.panel.screens import screens
        from tenants.provisioning import register_provisioning_hook

        for spec in BUILT_IN:
            register_channel(spec)
        register_provisioning_hook(CHANNEL_PROVISIONING)
        subscribe_all()
        claims_install()  # before the dispatcher: its replies claim work in the heartbeat's name
        dispatcher_install()
        billing_install()
        screens.register(INBOX)  # the operator panel's inbox (secretaria/panel/screens.py)
