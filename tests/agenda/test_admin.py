"""The agenda on the company admin: every page opens, quick actions go through the services, roles hold."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import (
    Appointment,
    AppointmentEvent,
    CalendarConfig,
    FollowUp,
    Reminder,
    SchedulingInsight,
    TimeOff,
    WaitlistEntry,
)
from agenda.services.calendar_settings import calendar_config_set
from agenda.services.config import calendar_config
from conversations.channels.services import channel_configure
from conversations.models import Contact, Outbox
from tests.agenda.factories import (
    AppointmentFactory,
    FollowUpFactory,
    ProfessionalFactory,
    ReminderFactory,
    ServiceFactory,
)
from tests.conftest import host_of, member
from tests.conversations.factories import ContactFactory

BASE = "/admin/agenda"
SP = ZoneInfo("America/Sao_Paulo")
MODELS = ["appointment", "professional", "service", "timeoff", "reminder", "followup", "waitlistentry",
          "schedulinginsight", "calendarconfig"]


def browser(company, role: str) -> Client:
    client = Client(HTTP_HOST=host_of(company))
    with schema_context(company.schema_name):
        client.force_login(member(company, role))
    return client


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today in São Paulo, at hour:minute."""
    day = timezone.now().astimezone(SP).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=SP)


def appointment(contact, *, start: datetime, status: str = "pending", professional=None, service=None):
    return AppointmentFactory(contact=contact, service=service, professional=professional, start=start,
                              end=start + timedelta(minutes=30), status=status)


@pytest.fixture
def rows(acme) -> dict:
    """One row of each model in acme; model name -> pk."""
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        calendar_config_set(provider="calcom", calcom_api_key="cal_live_guardada", calcom_webhook_secret="whsec-x")
        ana = ProfessionalFactory(name="Dra. Ana Lima", weekdays=[0], weekdays__end=time(12))
        service = ServiceFactory(name="Consulta", duration_minutes=30, price_cents=25000, professionals=[ana])
        maria = ContactFactory(phone="5511912345678", name="Maria Souza")
        upcoming = appointment(maria, start=local(1, 10), professional=ana, service=service)
        AppointmentEvent.objects.create(appointment=upcoming, kind="created", actor="customer")
        reminder = ReminderFactory(appointment=upcoming, offset_minutes=60)  # due at 9:00
        past = appointment(maria, start=local(-2, 10), status="attended", professional=ana, service=service)
        followup = FollowUpFactory(appointment=past, due_at=local(-2, 12), state="answered",
                                   sentiment="negative", score=2, comment="Atrasou muito", flagged=True)
        insight = SchedulingInsight.objects.create(
            period_start=date(2025, 3, 1), period_end=date(2025, 5, 30), appointments_analyzed=20,
            attendance_rate=0.8, heatmap={"0": {"8": {"n": 5, "rate": 0.4}}, "2": {"15": {"n": 6, "rate": 1.0}}},
            best_slots=[{"weekday": 2, "hour": 15, "n": 6, "rate": 1.0}],
            worst_slots=[{"weekday": 0, "hour": 8, "n": 5, "rate": 0.4}], recommendation="Evite segunda às 8h.")
        return {
            "appointment": upcoming.pk, "past": past.pk, "professional": ana.pk, "service": service.pk,
            "timeoff": TimeOff.objects.create(start=local(10, 0), end=local(11, 0), reason="Feriado").pk,
            "reminder": reminder.pk, "followup": followup.pk,
            "waitlistentry": WaitlistEntry.objects.create(contact=maria, service=service).pk,
            "schedulinginsight": insight.pk, "calendarconfig": CalendarConfig.objects.get().pk,
        }


@pytest.mark.parametrize("model", MODELS)
def test_a_manager_opens_the_list_and_the_page_of_each_model(acme, rows, model):
    client = browser(acme, "manager")

    assert client.get(f"{BASE}/{model}/", follow=True).status_code == 200
    assert client.get(f"{BASE}/{model}/{rows[model]}/change/").status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_a_viewer_sees_every_model_but_cannot_change_it(acme, rows, model):
    client = browser(acme, "viewer")

    assert client.get(f"{BASE}/{model}/", follow=True).status_code == 200
    page = client.get(f"{BASE}/{model}/{rows[model]}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_the_appointment_page_shows_its_history_and_reminders_read_only(acme, rows):
    page = browser(acme, "operator").get(f"{BASE}/appointment/{rows['appointment']}/change/").content.decode()

    assert "Criado" in page and "Aguardando" in page  # the event and the pending reminder
    assert 'name="notes"' in page and 'name="status"' not in page and 'name="start"' not in page


def test_nobody_adds_appointments_by_hand_in_the_admin(acme, rows):
    assert browser(acme, "manager").get(f"{BASE}/appointment/add/").status_code == 403


# --- the list: today's agenda, filters, attendance -------------------------------------------

def test_the_list_heads_with_todays_agenda_and_the_attendance_rate(acme, rows):
    with schema_context("acme"):
        contact = Contact.objects.get(phone="5511912345678")
        appointment(contact, start=local(-3, 10), status="no_show")
        appointment(contact, start=local(-4, 10), status="attended")
        appointment(contact, start=local(-5, 10), status="attended")
        today = appointment(contact, start=local(0, 23, 30))

    client = browser(acme, "viewer")
    page = client.get(f"{BASE}/appointment/").content.decode()
    todays = client.get(f"{BASE}/appointment/?quando=hoje").context["cl"].result_list

    assert "Agenda de hoje" in page and "?quando=hoje" in page
    assert "75% (3 compareceram, 1 faltaram)" in page
    assert [a.pk for a in todays] == [today.pk]


def test_the_list_filters_by_status_professional_and_searches_by_contact(acme, rows):
    with schema_context("acme"):
        other = ContactFactory(name="João Alves")
        his = appointment(other, start=local(3, 10), status="confirmed")
    client = browser(acme, "viewer")

    def pks(query: str) -> set[int]:
        return {a.pk for a in client.get(f"{BASE}/appointment/?{query}").context["cl"].result_list}

    assert pks("status__exact=confirmed") == {his.pk}
    assert pks(f"professional__id__exact={rows['professional']}") == {rows["appointment"], rows["past"]}
    assert pks("q=João") == {his.pk}
    assert pks("q=912345678") == {rows["appointment"], rows["past"]}


def test_another_companys_appointments_are_not_in_the_admin(acme, globex, rows):
    with schema_context("globex"):
        theirs = appointment(ContactFactory(name="Cliente Globex"), start=local(1, 15))
    with schema_context("acme"):
        assert not Appointment.objects.filter(pk=theirs.pk).exists()
    client = browser(acme, "manager")

    assert "Cliente Globex" not in client.get(f"{BASE}/appointment/").content.decode()
    assert client.get(f"{BASE}/appointment/{theirs.pk}/change/").status_code == 302  # "not found" redirect


# --- quick actions ----------------------------------------------------------------------------

def act(client, action: str, *pks):
    return client.post(f"{BASE}/appointment/", {"action": action, "_selected_action": list(pks)}, follow=True)


def test_an_operator_confirms_and_cancels_through_the_services(acme, rows):
    client = browser(acme, "operator")

    confirmed = act(client, "confirm", rows["appointment"])
    with schema_context("acme"):
        assert Appointment.objects.get(pk=rows["appointment"]).status == "confirmed"
        assert AppointmentEvent.objects.filter(appointment_id=rows["appointment"], kind="confirmed",
                                               actor="operator@acme.test").exists()
    act(client, "cancel", rows["appointment"])

    assert "1 agendamento(s) confirmado(s)." in confirmed.content.decode()
    with schema_context("acme"):
        cancelled = Appointment.objects.get(pk=rows["appointment"])
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Cancelado pela equipe")
        assert Reminder.objects.get(pk=rows["reminder"]).state == "cancelled"


def test_marking_attendance_of_a_future_appointment_is_refused_with_a_message(acme, rows):
    with schema_context("acme"):
        contact = Contact.objects.get(phone="5511912345678")
        missed = appointment(contact, start=local(-1, 15))

    page = act(browser(acme, "operator"), "mark_attended", rows["appointment"]).content.decode()
    act(browser(acme, "operator"), "mark_no_show", missed.pk)

    assert "ainda não aconteceu" in page
    with schema_context("acme"):
        assert Appointment.objects.get(pk=rows["appointment"]).status == "pending"
        assert Appointment.objects.get(pk=missed.pk).status == "no_show"


def test_send_a_reminder_now_from_the_list(acme, rows):
    page = act(browser(acme, "operator"), "send_reminder", rows["appointment"]).content.decode()

    assert "com lembrete na fila de envio" in page
    with schema_context("acme"):
        manual = Reminder.objects.get(appointment_id=rows["appointment"], kind="manual")
        assert manual.state == "sent" and Outbox.objects.filter(pk=manual.outbox_id).exists()


def test_viewers_get_no_quick_actions(acme, rows):
    client = browser(acme, "viewer")

    assert 'name="action"' not in client.get(f"{BASE}/appointment/").content.decode()
    act(client, "confirm", rows["appointment"])
    with schema_context("acme"):
        assert Appointment.objects.get(pk=rows["appointment"]).status == "pending"


# --- configuration ----------------------------------------------------------------------------

def test_the_calendar_settings_page_never_shows_the_secrets(acme, rows):
    for role in ("manager", "viewer"):
        page = browser(acme, role).get(f"{BASE}/calendarconfig/{rows['calendarconfig']}/change/").content.decode()
        assert "cal_live_guardada" not in page and "whsec-x" not in page
        assert "https://acme.localhost/webhook/calcom" in page


def calendar_form(**fields) -> dict:
    base = {"provider": "calcom", "calcom_base_url": "https://api.cal.com", "calcom_api_key": "",
            "calcom_webhook_secret": "", "timezone": "America/Sao_Paulo", "slot_step_minutes": 30,
            "min_notice_minutes": 60, "booking_horizon_days": 30, "reminder_offsets_minutes": "[1440, 60]",
            "noshow_grace_minutes": 30, "followup_delay_minutes": 120, "high_risk_threshold": 0.5,
            "auto_reschedule_no_shows": "on", "_save": "Salvar"}
    return {**base, **fields}


def test_a_manager_saves_the_settings_keeping_the_stored_key(acme, rows):
    url = f"{BASE}/calendarconfig/{rows['calendarconfig']}/change/"

    response = browser(acme, "manager").post(url, calendar_form(noshow_grace_minutes=15))

    assert response.status_code == 302
    with schema_context("acme"):
        config = calendar_config()
        assert (config.noshow_grace_minutes, config.calcom_api_key) == (15, "cal_live_guardada")


def test_a_new_base_url_needs_a_new_key(acme, rows):
    url = f"{BASE}/calendarconfig/{rows['calendarconfig']}/change/"

    response = browser(acme, "manager").post(url, calendar_form(calcom_base_url="https://cal.outra.com"))

    assert response.status_code == 200
    assert "Informe a chave da API do Cal.com." in response.content.decode()
    with schema_context("acme"):
        assert CalendarConfig.objects.get().calcom_base_url == "https://api.cal.com"


def test_operators_may_not_change_the_calendar_services_or_professionals(acme, rows):
    client = browser(acme, "operator")

    assert client.post(f"{BASE}/calendarconfig/{rows['calendarconfig']}/change/",
                       calendar_form(noshow_grace_minutes=15)).status_code == 403
    assert client.get(f"{BASE}/service/add/").status_code == 403
    assert client.get(f"{BASE}/professional/add/").status_code == 403
    assert client.get(f"{BASE}/timeoff/add/").status_code == 200  # days off are day-to-day work


# --- what the automations write ---------------------------------------------------------------

def test_followups_filter_the_flagged_and_show_the_response_numbers(acme, rows):
    page = browser(acme, "viewer").get(f"{BASE}/followup/?flagged__exact=1")

    assert [f.pk for f in page.context["cl"].result_list] == [rows["followup"]]
    assert "Taxa de resposta" in page.content.decode() and "negativos: 1" in page.content.decode()


def test_an_operator_clears_a_followups_flag(acme, rows):
    response = browser(acme, "operator").post(f"{BASE}/followup/{rows['followup']}/change/", {"_save": "Salvar"})

    assert response.status_code == 302
    with schema_context("acme"):
        followup = FollowUp.objects.get(pk=rows["followup"])
        assert (followup.flagged, followup.comment) == (False, "Atrasou muito")


def test_the_insight_shows_the_heatmap_as_a_table(acme, rows):
    page = browser(acme, "viewer").get(f"{BASE}/schedulinginsight/{rows['schedulinginsight']}/change/")
    html = page.content.decode()

    assert 'class="agenda-heatmap"' in html
    assert "<th>8h</th>" in html and "40% (5)" in html and "100% (6)" in html
    assert "qua 15h (100%)" in html and "seg 8h (40%)" in html
