"""The appointment pages of the admin (agenda/admin/appointments.py) as staff read them: local times,
formatted phones, prices in reais, a way to the calendar."""

from django_tenants.utils import schema_context

from agenda.models import Reminder
from tests.panel.calendar.conftest import at

LIST = "/admin/agenda/appointment/"


def test_an_appointments_title_is_in_the_companys_time_not_utc(clinic, staff):
    with schema_context("acme"):
        visit = clinic.appointment(start=at(10))  # 13:00 UTC

    html = staff("operator").get(f"{LIST}{visit.pk}/change/").content.decode()

    assert "Maria Souza — 10/12/2030 10:00" in html
    assert "10/12/2030 13:00" not in html


def test_the_list_shows_phones_prices_and_a_link_to_the_calendar(clinic, staff):
    with schema_context("acme"):
        visit = clinic.appointment(start=at(10))

    html = staff("viewer").get(LIST).content.decode()

    assert "+55 11 91234-5678" in html and "5511912345678" not in html
    assert "R$ 250,00" in html
    assert f'href="/admin/calendar/?dia=2030-12-10&amp;destaque={visit.pk}">Ver na agenda</a>' in html
    assert 'href="/admin/calendar/"><strong>Abrir a agenda</strong>' in html


def test_the_change_page_shows_the_phone_and_price_and_links_to_the_calendar(clinic, staff):
    with schema_context("acme"):
        visit = clinic.appointment(start=at(10), service=clinic.limpeza)

    html = staff("operator").get(f"{LIST}{visit.pk}/change/").content.decode()

    assert "+55 11 91234-5678" in html and "R$ 180,00" in html
    assert f"/admin/calendar/?dia=2030-12-10&amp;destaque={visit.pk}" in html


def test_reminders_name_their_appointment_in_local_time(clinic, staff):
    with schema_context("acme"):
        visit = clinic.appointment(start=at(16))
        Reminder.objects.create(appointment=visit, due_at=at(15), offset_minutes=60)

    html = staff("operator").get("/admin/agenda/reminder/").content.decode()

    assert "Maria Souza — 10/12/2030 16:00" in html and "+55 11 91234-5678" in html
