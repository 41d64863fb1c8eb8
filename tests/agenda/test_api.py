"""/api/agenda/...: availability, appointments and their actions, follow-ups, insights, settings.

Roles: every member reads; operators and up book and act on appointments; owners and
managers change the calendar's configuration. Another company's ids are not found.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import (
    Appointment,
    AppointmentEvent,
    FollowUp,
    Reminder,
    SchedulingInsight,
)
from agenda.services.config import calendar_config, calendar_config_forget
from compliance.models import AuditEvent
from conversations.channels.services import channel_configure
from conversations.models import Contact, Outbox
from tests.agenda.factories import (
    AppointmentFactory,
    FollowUpFactory,
    ProfessionalFactory,
    ReminderFactory,
    ServiceFactory,
)
from tests.conversations.factories import ContactFactory

SP = ZoneInfo("America/Sao_Paulo")
API = "/api/agenda"


@pytest.fixture
def clinic(acme):
    """acme with a sandbox channel, one professional working every day 8–20h and two services."""
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        ana = ProfessionalFactory(name="Dra. Ana Lima", weekdays=range(7), weekdays__end=time(20))
        consulta = ServiceFactory(name="Consulta", duration_minutes=30, professionals=[ana])
        bruno = ProfessionalFactory(name="Bruno Reis", weekdays=[tomorrow_at(0).weekday()], weekdays__end=time(12))
        limpeza = ServiceFactory(name="Limpeza de pele", duration_minutes=60, professionals=[bruno])
        yield {"company": acme, "ana": ana, "consulta": consulta, "bruno": bruno, "limpeza": limpeza}


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.now().astimezone(SP).date() + timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=SP)


def booked(clinic, *, start: datetime, phone: str = "5511912340001", status: str = "pending",
           **fields) -> Appointment:
    """An appointment written directly (the booking service has its own tests)."""
    return AppointmentFactory(contact=ContactFactory(phone=phone, name="Maria Souza"), service=clinic["consulta"],
                              professional=clinic["ana"], start=start, status=status, **fields)


def book_body(clinic, **fields) -> dict:
    return {"phone": "5511912340001", "name": "Maria Souza", "service": clinic["consulta"].pk,
            "professional": clinic["ana"].pk, "start": tomorrow_at(10).isoformat(), **fields}


# --- availability ----------------------------------------------------------------------

def test_every_member_sees_the_free_slots_of_a_day(clinic, api):
    day = tomorrow_at(0).date()
    booked(clinic, start=tomorrow_at(8))

    response = api(clinic["company"], "viewer").get(
        f"{API}/availability?service={clinic['consulta'].pk}&date={day}&limit=3")

    assert response.status_code == 200
    slots = response.json()["slots"]
    starts = [datetime.fromisoformat(s["start"]).astimezone(SP) for s in slots]
    assert len(starts) == 3 and starts == sorted(starts)
    assert {start.date() for start in starts} == {day}
    assert starts[0].time() == time(8, 30), "8h is taken"
    assert {(s["professional_id"], s["professional"], s["service_id"]) for s in slots} == {
        (clinic["ana"].pk, "Dra. Ana Lima", clinic["consulta"].pk)}


def test_availability_after_a_time_of_day(clinic, api):
    day = tomorrow_at(0).date()

    response = api(clinic["company"], "viewer").get(
        f"{API}/availability?service={clinic['consulta'].pk}&date={day}&after=17:00&limit=2")

    assert response.status_code == 200
    starts = [datetime.fromisoformat(s["start"]).astimezone(SP).time() for s in response.json()["slots"]]
    assert len(starts) == 2 and starts[0] == time(17) and all(start >= time(17) for start in starts)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("service=999999", "service", "Serviço não encontrado."),
    ("service={consulta}&date=02/06/2025", "date", "Data inválida"),
    ("service={consulta}&date=2020-01-01", "date", "já passou"),
    ("service={consulta}&after=depois", "after", "Use um horário"),
    ("service={consulta}&professional={bruno}", "professional", "não atende Consulta"),
])
def test_availability_refuses_bad_input_in_portuguese(clinic, api, query, field, message):
    query = query.format(consulta=clinic["consulta"].pk, bruno=clinic["bruno"].pk)

    response = api(clinic["company"], "viewer").get(f"{API}/availability?{query}")

    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_strangers_see_nothing(clinic, api):
    assert api(clinic["company"]).get(f"{API}/availability").status_code == 401
    assert api(clinic["company"]).get(f"{API}/appointments").status_code == 401


# --- booking by hand -------------------------------------------------------------------

def test_an_operator_books_for_a_new_phone_through_the_booking_service(clinic, api):
    response = api(clinic["company"], "operator").post(f"{API}/appointments", book_body(clinic), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["source"], body["contact"]["phone"], body["professional"]["name"]) == (
        "pending", "api", "5511912340001", "Dra. Ana Lima")
    assert datetime.fromisoformat(body["start"]) == tomorrow_at(10)
    assert datetime.fromisoformat(body["end"]) == tomorrow_at(10, 30)
    assert [(e["kind"], e["actor"]) for e in body["events"]] == [("created", "operator@acme.test")]
    assert body["reminders"], "the booking plans the reminders"
    with schema_context("acme"):
        assert Contact.objects.get(phone="5511912340001").name == "Maria Souza"


def test_a_start_without_offset_is_the_company_local_time(clinic, api):
    naive = tomorrow_at(11).replace(tzinfo=None).isoformat()

    response = api(clinic["company"], "operator").post(f"{API}/appointments", book_body(clinic, start=naive),
                                                       format="json")

    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["start"]) == tomorrow_at(11)


def test_booking_an_existing_contact_by_id_and_letting_the_calendar_pick_the_professional(clinic, api):
    with schema_context("acme"):
        contact = ContactFactory(name="João")

    response = api(clinic["company"], "manager").post(
        f"{API}/appointments", {"contact": contact.pk, "service": clinic["limpeza"].pk,
                                "start": tomorrow_at(9).isoformat()}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["contact"]["id"] == contact.pk
    assert response.json()["professional"]["name"] == "Bruno Reis"


def test_a_taken_slot_is_a_conflict(clinic, api):
    with schema_context("acme"):
        booked(clinic, start=tomorrow_at(10), phone="5511900000009")

    response = api(clinic["company"], "operator").post(f"{API}/appointments", book_body(clinic), format="json")

    assert response.status_code == 409
    assert "disponível" in response.json()["detail"]
    with schema_context("acme"):
        assert Appointment.objects.count() == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"service": 999999}, "service", "Serviço não encontrado."),
    ({"start": "2020-01-01T10:00:00-03:00"}, "start", "já passou"),
    ({"start": "amanhã às 10"}, "start", "Data e hora inválidas"),
    ({"phone": "", "contact": None}, "contact", "Informe o contato"),
    ({"phone": "12"}, "phone", "Telefone inválido"),
    ({"contact": 999999, "phone": ""}, "contact", "Contato não encontrado."),
    ({"professional": "bruno"}, "professional", "não atende Consulta"),
])
def test_booking_refuses_bad_input_in_portuguese(clinic, api, change, field, message):
    if change.get("professional") == "bruno":
        change = {"professional": clinic["bruno"].pk}

    response = api(clinic["company"], "operator").post(f"{API}/appointments", book_body(clinic, **change),
                                                       format="json")

    assert response.status_code == 400
    assert message in response.json()[field][0]
    with schema_context("acme"):
        assert not Appointment.objects.exists()


def test_viewers_may_not_book(clinic, api):
    response = api(clinic["company"], "viewer").post(f"{API}/appointments", book_body(clinic), format="json")

    assert response.status_code == 403


# --- reading appointments --------------------------------------------------------------

def test_the_list_filters_by_dates_contact_phone_and_status(clinic, api):
    with schema_context("acme"):
        first = booked(clinic, start=tomorrow_at(9), phone="5511900000001")
        second = booked(clinic, start=tomorrow_at(9) + timedelta(days=2), phone="5511900000002", status="confirmed")
        third = booked(clinic, start=tomorrow_at(9) + timedelta(days=5), phone="5511900000001")
    client = api(clinic["company"], "viewer")
    day = tomorrow_at(0).date()

    def ids(query: str) -> list[int]:
        response = client.get(f"{API}/appointments?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [first.pk, second.pk, third.pk]
    assert ids(f"date_from={day}&date_to={day + timedelta(days=2)}") == [first.pk, second.pk]
    assert ids(f"date_from={day + timedelta(days=1)}") == [second.pk, third.pk]
    assert ids(f"contact={first.contact_id}") == [first.pk, third.pk]
    assert ids("phone=0000002") == [second.pk]
    assert ids("status=confirmed") == [second.pk]


def test_list_days_are_the_companys_days(clinic, api):
    with schema_context("acme"):
        late = booked(clinic, start=tomorrow_at(22))  # 10:00 of the next day in Tokyo
        config = calendar_config()
        config.timezone = "Asia/Tokyo"
        config.save()
        calendar_config_forget()
    day = tomorrow_at(0).date()
    client = api(clinic["company"], "viewer")

    same_day = client.get(f"{API}/appointments?date_from={day}&date_to={day}").json()
    next_day = client.get(f"{API}/appointments?date_from={day + timedelta(days=1)}").json()

    assert (same_day["count"], [row["id"] for row in next_day["results"]]) == (0, [late.pk])


@pytest.mark.parametrize(("query", "field"), [
    ("date_from=ontem", "date_from"), ("date_from=2025-06-10&date_to=2025-06-01", "date_to"),
    ("status=talvez", "status"), ("contact=abc", "contact"),
])
def test_the_list_refuses_malformed_filters(clinic, api, query, field):
    response = api(clinic["company"], "viewer").get(f"{API}/appointments?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_the_list_is_paginated(clinic, api):
    with schema_context("acme"):
        contact = ContactFactory()
        start = tomorrow_at(8)
        Appointment.objects.bulk_create(Appointment(contact=contact, start=start + timedelta(hours=i),
                                                    end=start + timedelta(hours=i, minutes=30)) for i in range(51))

    first = api(clinic["company"], "viewer").get(f"{API}/appointments").json()
    second = api(clinic["company"], "viewer").get(f"{API}/appointments?page=2").json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (51, 50, 1)


def test_one_appointment_with_its_history_and_reminders(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(15))
        AppointmentEvent.objects.create(appointment=appointment, kind="created", actor="customer")
        ReminderFactory(appointment=appointment, offset_minutes=60)  # due at 14:00

    body = api(clinic["company"], "viewer").get(f"{API}/appointments/{appointment.pk}").json()

    assert body["id"] == appointment.pk
    assert [e["kind_display"] for e in body["events"]] == ["Criado"]
    assert [(r["offset_minutes"], r["state"]) for r in body["reminders"]] == [(60, "pending")]


def test_another_companys_appointment_is_not_found(clinic, globex, api):
    with schema_context("globex"):
        theirs = AppointmentFactory(contact=ContactFactory(phone="5521900000000"), start=tomorrow_at(9))
    with schema_context("acme"):
        assert not Appointment.objects.filter(pk=theirs.pk).exists()

    client = api(clinic["company"], "manager")
    assert client.get(f"{API}/appointments/{theirs.pk}").status_code == 404
    assert client.post(f"{API}/appointments/{theirs.pk}/cancel", {}, format="json").status_code == 404
    assert client.get(f"{API}/appointments").json()["count"] == 0
    with schema_context("globex"):
        assert Appointment.objects.get(pk=theirs.pk).status == "pending"


# --- acting on appointments ------------------------------------------------------------

def test_an_operator_cancels_and_the_pending_reminders_go_with_it(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(15))
        ReminderFactory(appointment=appointment, offset_minutes=60)  # due at 14:00
    client = api(clinic["company"], "operator")

    response = client.post(f"{API}/appointments/{appointment.pk}/cancel", {"reason": "Cliente ligou"},
                           format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Cliente ligou")
    assert [r["state"] for r in response.json()["reminders"]] == ["cancelled"]
    assert client.post(f"{API}/appointments/{appointment.pk}/cancel", {}, format="json").status_code == 200


def test_an_attended_appointment_cannot_be_cancelled(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(9) - timedelta(days=3), status="attended")

    response = api(clinic["company"], "operator").post(f"{API}/appointments/{appointment.pk}/cancel", {},
                                                       format="json")

    moved = api(clinic["company"], "operator").post(f"{API}/appointments/{appointment.pk}/reschedule",
                                                    {"start": tomorrow_at(16).isoformat()}, format="json")

    assert response.status_code == 409
    assert "Não é possível cancelar" in response.json()["detail"]
    assert moved.status_code == 409 and "Não é possível remarcar" in moved.json()["detail"]


def test_rescheduling_returns_the_new_appointment_and_keeps_the_old_one_as_moved(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(15))

    response = api(clinic["company"], "operator").post(
        f"{API}/appointments/{appointment.pk}/reschedule", {"start": tomorrow_at(16).isoformat()}, format="json")

    assert response.status_code == 200, response.json()
    new = response.json()
    assert new["id"] != appointment.pk
    assert datetime.fromisoformat(new["start"]) == tomorrow_at(16)
    assert new["professional"]["id"] == clinic["ana"].pk
    with schema_context("acme"):
        old = Appointment.objects.get(pk=appointment.pk)
        assert (old.status, old.rescheduled_to_id) == ("rescheduled", new["id"])


def test_rescheduling_onto_a_taken_slot_or_into_the_past_is_refused(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(15))
        booked(clinic, start=tomorrow_at(16), phone="5511900000003")
    client = api(clinic["company"], "operator")
    url = f"{API}/appointments/{appointment.pk}/reschedule"

    taken = client.post(url, {"start": tomorrow_at(16).isoformat()}, format="json")
    past = client.post(url, {"start": "2020-01-01T10:00:00-03:00"}, format="json")

    assert taken.status_code == 409
    assert past.status_code == 400 and "já passou" in past.json()["start"][0]
    with schema_context("acme"):
        assert Appointment.objects.get(pk=appointment.pk).status == "pending"


def test_confirm_then_mark_attendance_after_it_happened(clinic, api):
    with schema_context("acme"):
        upcoming = booked(clinic, start=tomorrow_at(15))
        past = booked(clinic, start=tomorrow_at(9) - timedelta(days=2), phone="5511900000004")
        missed = booked(clinic, start=tomorrow_at(10) - timedelta(days=2), phone="5511900000005")
    client = api(clinic["company"], "operator")

    confirmed = client.post(f"{API}/appointments/{upcoming.pk}/confirm")
    too_soon = client.post(f"{API}/appointments/{upcoming.pk}/attended")
    attended = client.post(f"{API}/appointments/{past.pk}/attended")
    no_show = client.post(f"{API}/appointments/{missed.pk}/no-show")

    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "confirmed")
    assert confirmed.json()["confirmed_at"]
    assert too_soon.status_code == 409 and "ainda não aconteceu" in too_soon.json()["detail"]
    assert (attended.status_code, attended.json()["status"]) == (200, "attended")
    assert (no_show.status_code, no_show.json()["status"]) == (200, "no_show")
    with schema_context("acme"):
        assert FollowUp.objects.filter(appointment=past).exists(), "attended appointments get a follow-up"


@pytest.mark.parametrize("tail", ["cancel", "confirm", "attended", "no-show", "reschedule", "reminders"])
def test_viewers_may_not_act_on_appointments(clinic, api, tail):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(15))

    response = api(clinic["company"], "viewer").post(f"{API}/appointments/{appointment.pk}/{tail}",
                                                     {"start": tomorrow_at(16).isoformat()}, format="json")

    assert response.status_code == 403
    with schema_context("acme"):
        assert Appointment.objects.get(pk=appointment.pk).status == "pending"


def test_send_a_reminder_now_through_the_outbox(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(15))

    response = api(clinic["company"], "operator").post(f"{API}/appointments/{appointment.pk}/reminders")

    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["state"]) == ("manual", "sent")
    with schema_context("acme"):
        reminder = Reminder.objects.get(pk=response.json()["id"])
        assert Outbox.objects.filter(pk=reminder.outbox_id, message__contact=appointment.contact).exists()


def test_no_reminder_for_an_appointment_that_already_happened(clinic, api):
    with schema_context("acme"):
        appointment = booked(clinic, start=tomorrow_at(9) - timedelta(days=2))

    response = api(clinic["company"], "operator").post(f"{API}/appointments/{appointment.pk}/reminders")

    assert response.status_code == 409
    assert "futuros" in response.json()["detail"]


# --- reports ---------------------------------------------------------------------------

def _followup(clinic, phone: str, **fields) -> FollowUp:
    appointment = booked(clinic, start=tomorrow_at(9) - timedelta(days=3), phone=phone, status="attended")
    return FollowUpFactory(appointment=appointment, due_at=timezone.now() - timedelta(days=2), **fields)


def test_followups_with_response_rate_and_answers(clinic, api):
    sent = timezone.now() - timedelta(days=2)
    with schema_context("acme"):
        _followup(clinic, "5511900000011", state="answered", sent_at=sent, sentiment="positive", score=10)
        _followup(clinic, "5511900000012", state="answered", sent_at=sent, sentiment="positive", score=8)
        bad = _followup(clinic, "5511900000013", state="answered", sent_at=sent, sentiment="negative", score=3,
                        comment="Esperei 40 minutos", flagged=True)
        _followup(clinic, "5511900000014", state="sent", sent_at=sent)
        _followup(clinic, "5511900000015", state="pending")

    everything = api(clinic["company"], "viewer").get(f"{API}/followups").json()
    flagged = api(clinic["company"], "viewer").get(f"{API}/followups?flagged=true").json()

    assert everything["count"] == 5
    assert everything["stats"] == {"sent": 4, "answered": 3, "response_rate": 0.75, "positive": 2, "neutral": 0,
                                   "negative": 1, "flagged": 1, "average_score": 7.0}
    assert [row["id"] for row in flagged["results"]] == [bad.pk]
    assert flagged["results"][0]["appointment"]["contact"]["phone"] == "5511900000013"


def test_attendance_rate_and_todays_agenda(clinic, api):
    with schema_context("acme"):
        for days, status in [(2, "attended"), (3, "attended"), (4, "attended"), (5, "no_show"), (6, "cancelled")]:
            booked(clinic, start=tomorrow_at(9) - timedelta(days=days), phone=f"55119000001{days}", status=status)
        today = booked(clinic, start=tomorrow_at(12) - timedelta(days=1), phone="5511900000100")
        booked(clinic, start=tomorrow_at(13) - timedelta(days=1), phone="5511900000101", status="cancelled")
    client = api(clinic["company"], "viewer")

    rate = client.get(f"{API}/attendance").json()
    agenda = client.get(f"{API}/today").json()

    assert (rate["attended"], rate["no_show"], rate["rate"]) == (3, 1, 0.75)
    assert [row["id"] for row in agenda["appointments"]] == [today.pk]


def test_insights_list_with_the_latest(clinic, api):
    with schema_context("acme"):
        day = timezone.now().date()
        SchedulingInsight.objects.create(period_start=day - timedelta(days=90), period_end=day,
                                         recommendation="Antiga")
        newest = SchedulingInsight.objects.create(period_start=day - timedelta(days=90), period_end=day,
                                                  heatmap={"0": {"8": {"n": 4, "rate": 0.5}}},
                                                  recommendation="Evite segunda às 8h.")

    body = api(clinic["company"], "viewer").get(f"{API}/insights").json()

    assert body["latest"]["id"] == newest.pk
    assert body["latest"]["heatmap"] == {"0": {"8": {"n": 4, "rate": 0.5}}}
    assert body["count"] == 2


def test_a_manager_runs_the_scheduling_ai_and_an_operator_or_viewer_may_not(clinic, api):
    assert api(clinic["company"], "viewer").post(f"{API}/insights/run").status_code == 403
    assert api(clinic["company"], "operator").post(f"{API}/insights/run").status_code == 403  # hours are settings

    response = api(clinic["company"], "manager").post(f"{API}/insights/run")

    assert response.status_code == 201, response.json()
    with schema_context("acme"):
        assert response.json()["id"] == SchedulingInsight.objects.latest("created_at").pk


def test_offering_new_dates_to_recent_no_shows(clinic, api):
    with schema_context("acme"):
        missed = booked(clinic, start=tomorrow_at(9) - timedelta(days=3), status="no_show")
    assert api(clinic["company"], "viewer").post(f"{API}/no-shows/reschedule").status_code == 403

    first = api(clinic["company"], "operator").post(f"{API}/no-shows/reschedule", {}, format="json")
    again = api(clinic["company"], "operator").post(f"{API}/no-shows/reschedule", {}, format="json")

    assert (first.status_code, first.json()) == (200, {"offers_sent": 1})
    assert again.json() == {"offers_sent": 0}
    with schema_context("acme"):
        assert missed.events.filter(kind="offer_sent").count() == 1


# --- the calendar's configuration ------------------------------------------------------

CALCOM = {"provider": "calcom", "base_url": "https://cal.example.com/", "api_key": "cal_live_segredo123",
          "webhook_secret": "segredo-do-webhook"}


def test_the_operator_does_not_read_the_calendar_configuration(clinic, api):
    assert api(clinic["company"], "operator").get(f"{API}/calendar").status_code == 403  # settings


@pytest.mark.parametrize("role", ["owner", "manager", "viewer"])
def test_every_member_but_the_operator_reads_the_calendar_configuration(clinic, api, role):
    response = api(clinic["company"], role).get(f"{API}/calendar")

    assert response.status_code == 200
    body = response.json()
    assert (body["provider"], body["api_key_set"], body["webhook_secret_set"]) == ("builtin", False, False)
    assert body["webhook_url"] == "http://acme.localhost/webhook/calcom"
    assert body["reminder_offsets_minutes"] == [1440, 60]


def test_a_manager_switches_to_calcom_and_the_secrets_never_come_back(clinic, api,
                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the audit trail hears it once committed
        response = api(clinic["company"], "manager").put(f"{API}/calendar", CALCOM, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["provider"], body["base_url"], body["api_key_set"], body["webhook_secret_set"]) == (
        "calcom", "https://cal.example.com", True, True)
    assert "segredo" not in response.content.decode()
    assert "segredo" not in api(clinic["company"], "viewer").get(f"{API}/calendar").content.decode()
    with schema_context("acme"):
        # Through the cache the rest of the agenda reads: forgotten on save.
        assert (calendar_config().provider, calendar_config().calcom_api_key) == ("calcom", "cal_live_segredo123")
        event = AuditEvent.objects.get(action="agenda.calendar_configured")
        assert event.actor == "manager@acme.test" and "segredo" not in str(event.data)


def test_a_blank_key_keeps_the_stored_one_only_at_the_same_url(clinic, api):
    client = api(clinic["company"], "owner")
    client.put(f"{API}/calendar", CALCOM, format="json")

    same = client.put(f"{API}/calendar", {"provider": "calcom", "noshow_grace_minutes": 20}, format="json")
    moved = client.put(f"{API}/calendar", {"provider": "calcom", "base_url": "https://outro.example.com"},
                       format="json")

    assert (same.status_code, same.json()["api_key_set"], same.json()["noshow_grace_minutes"]) == (200, True, 20)
    assert moved.status_code == 400
    assert moved.json()["calcom_api_key"] == ["Informe a chave da API do Cal.com."]


@pytest.mark.parametrize(("body", "field"), [
    ({"provider": "google"}, "provider"),
    ({"provider": "calcom"}, "calcom_api_key"),
    ({**CALCOM, "base_url": "ftp://cal.example.com"}, "calcom_base_url"),
    ({"provider": "builtin", "reminder_offsets_minutes": [0]}, "reminder_offsets_minutes"),
    ({"provider": "builtin", "reminder_offsets_minutes": "1440"}, "reminder_offsets_minutes"),
    ({"provider": "builtin", "timezone": "America/Gotham"}, "timezone"),
    ({"provider": "builtin", "slot_step_minutes": 1}, "slot_step_minutes"),
    ({"provider": "builtin", "high_risk_threshold": 3}, "high_risk_threshold"),
])
def test_the_calendar_configuration_refuses_bad_values(clinic, api, body, field):
    response = api(clinic["company"], "manager").put(f"{API}/calendar", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    with schema_context("acme"):
        assert calendar_config().provider == "builtin"


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_may_not_change_the_calendar(clinic, api, role):
    assert api(clinic["company"], role).put(f"{API}/calendar", CALCOM, format="json").status_code == 403


def test_reminder_offsets_are_saved_in_order(clinic, api):
    response = api(clinic["company"], "manager").put(
        f"{API}/calendar", {"provider": "builtin", "reminder_offsets_minutes": [60, 2880, 60]}, format="json")

    assert response.json()["reminder_offsets_minutes"] == [2880, 60]


# --- services and professionals --------------------------------------------------------

def test_a_manager_adds_a_professional_and_a_service(clinic, api):
    client = api(clinic["company"], "manager")

    professional = client.post(f"{API}/professionals", {
        "name": "Carla Dias", "hours": [{"weekday": 0, "start": "08:00", "end": "12:00"}]}, format="json")
    service = client.post(f"{API}/services", {"name": "Peeling", "duration_minutes": 45,
                                              "professionals": [professional.json()["id"]]}, format="json")

    assert professional.status_code == 201 and service.status_code == 201
    assert professional.json()["hours"] == [{"weekday": 0, "start": "08:00", "end": "12:00"}]
    assert service.json()["professionals"] == [professional.json()["id"]]
    names = [row["name"] for row in api(clinic["company"], "viewer").get(f"{API}/services").json()["results"]]
    assert names == ["Consulta", "Limpeza de pele", "Peeling"]


def test_services_refuse_duplicates_and_operators(clinic, api):
    duplicate = api(clinic["company"], "manager").post(f"{API}/services", {"name": "consulta"}, format="json")
    operator = api(clinic["company"], "operator").post(f"{API}/services", {"name": "Nova"}, format="json")

    assert duplicate.status_code == 400 and duplicate.json()["name"] == ["Já existe um serviço com este nome."]
    assert operator.status_code == 403


def test_the_agenda_endpoints_are_documented(clinic, api):
    response = api(clinic["company"], "owner").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    paths = response.json()["paths"]
    assert "post" in paths["/api/agenda/appointments/"] and "get" in paths["/api/agenda/availability/"]
    for tail in ("cancel", "reschedule", "confirm", "attended", "no-show", "reminders"):
        assert "post" in paths[f"/api/agenda/appointments/{{id}}/{tail}/"]
    assert "put" in paths["/api/agenda/calendar/"] and "post" in paths["/api/agenda/insights/run/"]


# --- on Cal.com ------------------------------------------------------------------------

def _calcom_body(calcom_acme) -> dict:
    return {"phone": "5511912340001", "service": calcom_acme.service_id("Consulta dermatológica"),
            "start": tomorrow_at(10).isoformat()}


def test_booking_by_hand_on_calcom_books_there_first(calcom_acme, calcom_server, api, acme):
    response = api(acme, "operator").post(f"{API}/appointments", _calcom_body(calcom_acme), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["provider"], body["source"], body["professional"]) == ("calcom", "api", None)
    assert body["provider_booking_id"] in calcom_server.bookings


def test_calcom_down_is_a_503_and_a_refusal_a_422(calcom_acme, calcom_server, api, acme):
    client = api(acme, "operator")

    calcom_server.fail_next(503, times=10)
    down = client.post(f"{API}/appointments", _calcom_body(calcom_acme), format="json")
    calcom_server.reset()
    calcom_server.fail_next(400)
    refused = client.post(f"{API}/appointments", _calcom_body(calcom_acme), format="json")

    assert down.status_code == 503 and down.json()["detail"]
    assert refused.status_code == 422 and refused.json()["detail"]
    with schema_context("acme"):
        assert not Appointment.objects.exists()
