"""The company's agenda settings, read often and changed rarely."""

from agenda.models import CalendarConfig
from secretaria.local_cache import cached, forget


def calendar_config() -> CalendarConfig:
    """This company's settings (a default row is created on first use); cached a few seconds per schema."""
    return cached("agenda_config", _load)


def _load() -> CalendarConfig:
    config, _ = CalendarConfig.objects.get_or_create(singleton=1)
    return config


def calendar_config_forget() -> None:
    forget("agenda_config")
    forget("agenda_ready")  # agenda.chat.flow.calendar_ready
