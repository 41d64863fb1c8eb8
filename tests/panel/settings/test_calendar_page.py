"""The calendar's settings page: reminders typed as people say them ("24 h, 2 h"), not a JSON list."""

import pytest
from django_tenants.utils import schema_context

from agenda.services.config import calendar_config
from conversations.admin_settings.fields import minutes_of
from tests.panel.settings.conftest import staff


@pytest.mark.parametrize(("typed", "minutes"), [
    ("24h", 1440), ("24 h", 1440), ("2 horas", 120), ("1 h 30", 90), ("1h30min", 90), ("90 min", 90), ("90", 90),
    ("2 dias", 2880), ("1d", 1440),
])
def test_times_before_as_typed(typed, minutes):
    assert minutes_of(typed) == minutes


def calendar_form(**fields) -> dict:
    return {"provider": "builtin", "calcom_base_url": "https://api.cal.com", "timezone": "America/Sao_Paulo",
            "slot_step_minutes": "30", "min_notice_minutes": "60", "booking_horizon_days": "30",
            "reminder_offsets_minutes": "24 h, 2 h", "noshow_grace_minutes": "30", "followup_delay_minutes": "120",
            "high_risk_threshold": "0.5", "auto_reschedule_no_shows": "on", "_save": "Salvar", **fields}


def page(acme) -> str:
    with schema_context("acme"):
        return f"/admin/agenda/calendarconfig/{calendar_config().pk}/change/"


def test_reminders_are_saved_from_words_and_shown_back_in_words(acme):
    client = staff(acme, "manager")

    response = client.post(page(acme), calendar_form(reminder_offsets_minutes="24 h, 2 h e 30 min"))

    assert response.status_code == 302
    with schema_context("acme"):
        assert calendar_config().reminder_offsets_minutes == [1440, 120, 30]
    assert 'value="24 h, 2 h, 30 min"' in client.get(page(acme)).content.decode()


@pytest.mark.parametrize(("typed", "message"), [
    ("amanhã cedo", "Use tempos separados por vírgula, como 24 h, 2 h ou 30 min."),
    ("30 dias", "Cada lembrete é um número inteiro de minutos entre 1 e 20160."),
])
def test_reminders_that_make_no_sense_are_refused_in_portuguese(acme, typed, message):
    response = staff(acme, "manager").post(page(acme), calendar_form(reminder_offsets_minutes=typed))

    assert response.status_code == 200 and message in response.content.decode()
