"""The company's agenda settings, read often and changed rarely."""

from agenda.models import CalendarConfig
from secretaria.settings_cache import cached, settings_changed


def calendar_config() -> CalendarConfig:
    """This company's settings (a default row is created on first use); cached until they change."""
    return cached("agenda_config", _load)


def _load() -> CalendarConfig:
    config, _ = CalendarConfig.objects.get_or_create(singleton=1)
    return config


def calendar_config_forget() -> None:
    """The calendar settings changed: every process reloads them (and agenda.chat.flow.calendar_ready)."""
    settings_changed()
