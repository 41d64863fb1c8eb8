"""The calendar's settings as cards of the "Configurações" screen (secretaria/panel/settings_screen.py)."""

from django.utils import timezone

from agenda.admin import selectors
from agenda.services.config import calendar_config
from secretaria.panel.settings_screen import SettingEntry, Status, setting_entries


def _hours(request) -> Status:
    if not selectors.builtin_calendar():
        return Status("Vêm do Cal.com", "")
    active, without = selectors.hours_coverage()
    if not active:
        return Status("Nenhum profissional ativo", "bad")
    if without == active:
        return Status("Nenhum horário: a assistente não oferece horários", "bad")
    if without:
        return Status(f"{without} de {active} profissional(is) sem horário", "warn")
    return Status(f"{active} profissional(is) com horário")


def _days_off(request) -> Status:
    count = selectors.time_off_ahead_count(now=timezone.now())
    return Status(f"{count} folga(s) marcada(s)" if count else "Nenhuma folga marcada", "ok" if count else "")


def _services(request) -> Status:
    summary = selectors.services_summary()
    if not summary["active"]:
        return Status("Nenhum serviço: a assistente não tem o que agendar", "bad")
    if summary["unpriced"]:
        return Status(f"{summary['active']} ativo(s), {summary['unpriced']} sem preço", "warn")
    return Status(f"{summary['active']} serviço(s) ativo(s)")


def _professionals(request) -> Status:
    summary = selectors.professionals_summary()
    return Status(f"{summary['active']} ativo(s)") if summary["active"] else Status("Nenhum profissional ativo", "bad")


def _calendar(request) -> Status:
    config = calendar_config()
    if config.provider == config.Provider.CALCOM:
        return Status("Cal.com") if config.calcom_api_key else Status("Cal.com sem chave da API", "bad")
    return Status("Agenda própria (integrada)")


for _entry in (
    SettingEntry("hours", "Horários dos profissionais", "A semana de cada profissional, com o intervalo do "
                 "almoço: os horários que a agenda e a assistente oferecem.", "Agenda",
                 "tenant_admin:agenda_professional_hours_index", "agenda.view_professional", _hours, order=10),
    SettingEntry("days_off", "Folgas e feriados", "Dias em que a empresa ou um profissional não atende, e os "
                 "feriados do ano que a assistente já conhece.", "Agenda", "tenant_admin:agenda_timeoff_changelist",
                 # Operators mark days off from the calendar: the card is for who reads the settings.
                 "agenda.view_professional", _days_off, order=20),
    SettingEntry("services", "Serviços e preços", "O que a empresa oferece, com preço em reais e duração: é o "
                 "que a assistente informa e agenda.", "Agenda", "tenant_admin:agenda_service_changelist",
                 "agenda.view_service", _services, order=30),
    SettingEntry("professionals", "Profissionais", "Quem atende e quais serviços faz.", "Agenda",
                 "tenant_admin:agenda_professional_changelist", "agenda.view_professional", _professionals, order=40),
    SettingEntry("calendar", "Agenda e Cal.com", "A agenda própria ou o Cal.com, lembretes, antecedência e o "
                 "teste de conexão.", "Agenda", "tenant_admin:agenda_calendarconfig_changelist",
                 "agenda.view_calendarconfig", _calendar, order=50),
):
    setting_entries.register(_entry)
