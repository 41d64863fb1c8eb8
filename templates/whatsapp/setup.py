"""WhatsApp message templates hook up here: the two seams conversations asks through
(conversations/channels/message_templates.py), the WABA routes kept as channels change, the
Celery tasks and the admin pages."""

from conversations.channels.message_templates import template_resolver_set, template_status_listener_set
from secretaria.events import SettingsChanged, subscribe
from templates.whatsapp import admin, tasks  # noqa: F401 - register the admin pages and the Celery tasks
from templates.whatsapp.selectors import template_for_slot
from templates.whatsapp.services import channel_settings_heard, template_status_changes_apply


def setup() -> None:
    """Called once from TemplatesConfig.ready(); setting or subscribing again changes nothing."""
    template_resolver_set(template_for_slot)
    template_status_listener_set(template_status_changes_apply)
    subscribe(SettingsChanged, channel_settings_heard)
