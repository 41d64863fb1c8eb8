"""The assistant's settings on the company admin: channels, profile (tone and hours, with a live
preview), knowledge base, language model and its costs; and the pieces every settings page shares.

The channel, the profile and the AI settings are company configuration: changing them needs
`manage_settings`, like the API; their secrets are write-only. The knowledge base follows the model
permissions. Each setting also appears on the "Configurações" screen (hub.py).
Imported by conversations/admin.py, which Django's autodiscovery loads.
"""

from conversations.admin_settings import channels, hub, llm, profile  # noqa: F401 - registers the model admins
from conversations.admin_settings.base import (
    SETTINGS_PERM,
    ConnectionCheckMixin,
    ReadOnlyAdmin,
    SecretKeepingForm,
    SettingsAdmin,
    SettingsChangedAdmin,
    https_urls,
)

__all__ = ["SETTINGS_PERM", "ConnectionCheckMixin", "ReadOnlyAdmin", "SecretKeepingForm", "SettingsAdmin",
           "SettingsChangedAdmin", "https_urls"]
