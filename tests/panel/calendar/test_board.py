"""The calendar board: each professional's day and week, free slots from the chat's own availability,
every state in its colour, a moved appointment once, times in the company's zone."""

from datetime import timedelta

from django_tenants.utils import schema_context

from agenda.models import Appointment, CalendarConfig, TimeOff
from agenda.services.booking import appointment_book, appointment_reschedule
from agenda.services.config import calendar_config_forget
from agenda.services.slots import slots_find
from agenda.types import Slot, SlotQuery
from tests.conversations.factories import ContactFactory
from tests.panel.calendar.conftest import DAY, TUESDAY, WEEK, at, board, free_times

ANA, BRUNO = "Dra. Ana Lima", "Dr. Bruno Reis"


def day_page(staff, day=TUESDAY, **params):
    query = "&".join(f"{k}={v}" for k, v in {"dia": day.isoformat(), **params}.items())
    return staff("viewer").get(f"{DAY}?{query}")


def test_the_day_shows_every_professional_side_by_side_with_each_state_in_its_colour(clinic, staff):
    with schema_context("acme"):
        rows = {status: clinic.appointment(start=at(hour), status=status, phone=f"55119000000{hour:02d}")
                for status, hour in [("attended", 8), ("no_show", 8), ("pending", 10), ("confirmed", 11),
                                     ("cancelled", 14)]}
        rows["bruno"] = clinic.appointment(start=at(15), professional=clinic.bruno, phone="5511900000015")

    page = day_page(staff)
    shown = {b.appointment: (b.column, b.state, b.time) for b in board(page).blocks if b.appointment}
    html = page.content.decode()

    assert shown == {
        rows["attended"].pk: (ANA, "attended", "08:00"), rows["no_show"].pk: (ANA, "no_show", "08:00"),
        rows["pending"].pk: (ANA, "pending", "10:00"), rows["confirmed"].pk: (ANA, "confirmed", "11:00"),
        rows["cancelled"].pk: (ANA, "cancelled", "14:00"), rows["bruno"].pk: (BRUNO, "pending", "15:00")}
    for label in ["Livre", "Agendado (a confirmar)", "Confirmado", "Compareceu", "Faltou", "Cancelado"]:
        assert f"</span>{label}</li>" in html  # the legend, in pt-BR
    assert "Terça-feira, 10 de dezembro de 2030" in html


def test_free_slots_are_what_the_chat_offers_from_its_minimum_notice_on(clinic, staff):
    with schema_context("acme"):
        clinic.appointment(start=at(14), status="confirmed")
        calendar_config_forget()
        chat = slots_find(query=SlotQuery(professional_id=clinic.ana.pk, day=TUESDAY, limit=100))
        chat_times = [f"{s.start.astimezone(at(0).tzinfo):%H:%M}" for s in chat]

    shown = free_times(day_page(staff), ANA)

    # The chat keeps an hour's notice (10:00 on); staff may book any future time (09:30 on).
    assert chat_times[0] == "10:00" and shown[:2] == ["09:30", "10:00"]
    assert shown[1:] == chat_times
    assert "12:00" not in shown and "12:30" not in shown  # lunch
    assert "14:00" not in shown  # booked
    assert "17:30" in shown and "18:00" not in shown  # the last half hour before she leaves


def test_free_slots_follow_the_chosen_services_duration(clinic, staff):
    """A 60-minute service fits neither the half hour before lunch nor the one before closing."""
    page = day_page(staff, servico=clinic.limpeza.pk)

    assert "11:30" not in free_times(page, ANA) and "11:00" in free_times(page, ANA)
    assert "17:30" not in free_times(page, ANA) and "17:00" in free_times(page, ANA)
    assert free_times(page, BRUNO) == []  # Bruno does not do it


def test_time_off_and_holidays_close_the_day(clinic, staff):
    with schema_context("acme"):
        TimeOff.objects.create(professional=clinic.bruno, start=at(0), end=at(0) + timedelta(days=1),
                               reason="Congresso")
        TimeOff.objects.create(professional=None, start=at(0) + timedelta(days=1), end=at(0) + timedelta(days=2),
                               reason="Feriado municipal")

    today = board(day_page(staff))
    tomorrow = board(day_page(staff, TUESDAY + timedelta(days=1)))

    assert today.notes[BRUNO] == "Congresso"
    assert not [b for b in today.blocks if b.column == BRUNO]
    assert [b for b in today.blocks if b.column == ANA]
    assert tomorrow.notes == {ANA: "Feriado municipal", BRUNO: "Feriado municipal"}
    assert not tomorrow.blocks


def test_a_moved_appointment_is_shown_once_in_its_new_place(clinic, staff):
    with schema_context("acme"):
        contact = ContactFactory(phone="5511955554444", name="Rita Moura")
        first = appointment_book(contact=contact, slot=Slot(at(10), at(10, 30), clinic.consulta.pk, clinic.ana.pk),
                                 source="chat")
        moved = appointment_reschedule(appointment=first, slot=Slot(at(15), at(15, 30), clinic.consulta.pk,
                                                                   clinic.bruno.pk), actor="customer")

    page = day_page(staff)
    rita = [b for b in board(page).blocks if b.appointment in (first.pk, moved.pk)]

    assert [(b.appointment, b.column, b.time) for b in rita] == [(moved.pk, BRUNO, "15:00")]
    assert "10:00" in free_times(page, ANA)  # the old place is free again


def test_the_week_shows_one_professionals_days_monday_to_sunday(clinic, staff):
    with schema_context("acme"):
        thursday = clinic.appointment(start=at(16, day=TUESDAY + timedelta(days=2)), status="confirmed")
        clinic.appointment(start=at(16, day=TUESDAY + timedelta(days=2)), professional=clinic.bruno,
                           phone="5511900000099")

    page = staff("viewer").get(f"{WEEK}?dia={TUESDAY.isoformat()}&profissional={clinic.ana.pk}")
    reader = board(page)

    assert reader.columns == ["Seg 09/12", "Ter 10/12", "Qua 11/12", "Qui 12/12", "Sex 13/12", "Sáb 14/12",
                              "Dom 15/12"]
    assert [(b.appointment, b.column) for b in reader.blocks if b.appointment] == [(thursday.pk, "Qui 12/12")]
    assert free_times(page, "Seg 09/12") == []  # Monday is past
    assert reader.notes == {"Dom 15/12": "Não atende neste dia"}
    assert "Semana de 09/12 a 15/12/2030 — Dra. Ana Lima" in page.content.decode()
    assert free_times(page, "Sáb 14/12")[:1] == ["08:00"]


def test_the_week_defaults_to_the_first_professional_and_navigates_by_week(clinic, staff):
    page = staff("viewer").get(f"{WEEK}?dia={TUESDAY.isoformat()}")
    html = page.content.decode()

    assert "— Dr. Bruno Reis" in html  # alphabetical: "Dr. Bruno" before "Dra. Ana"
    assert f'href="{WEEK}?dia=2030-12-03&amp;profissional={clinic.bruno.pk}" rel="prev"' in html
    assert f'href="{WEEK}?dia=2030-12-17&amp;profissional={clinic.bruno.pk}" rel="next"' in html


def test_times_are_in_the_companys_time_zone(clinic, staff):
    with schema_context("acme"):
        visit = clinic.appointment(start=at(15), status="confirmed")  # 15:00 in São Paulo
        config, _ = CalendarConfig.objects.get_or_create(singleton=1)
        config.timezone = "America/Manaus"  # an hour behind São Paulo
        config.save()
        calendar_config_forget()

    shown = [b for b in board(day_page(staff)).blocks if b.appointment == visit.pk]

    assert [b.time for b in shown] == ["14:00"]


def test_an_unknown_day_or_service_in_the_address_falls_back_to_today(clinic, staff):
    page = staff("viewer").get(f"{DAY}?dia=ontem&servico=999999")

    assert page.status_code == 200
    assert "Terça-feira, 10 de dezembro de 2030" in page.content.decode()


def test_the_day_lists_no_other_companys_appointments(clinic, staff, globex):
    with schema_context("globex"):
        Appointment.objects.create(contact=ContactFactory(phone="5511977776666", name="Cliente Globex"),
                                   start=at(10), end=at(10, 30))

    page = day_page(staff)

    assert "Cliente Globex" not in page.content.decode()
    assert not [b for b in board(page).blocks if b.appointment]


def test_the_day_costs_the_same_queries_with_one_appointment_or_thirty(clinic, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = staff("viewer")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{DAY}?dia={TUESDAY.isoformat()}").status_code == 200
        return len(captured.captured_queries)

    with schema_context("acme"):
        clinic.appointment(start=at(10))
    queries()  # the first request of a process warms its caches (the host's company, the calendar settings)
    one = queries()
    with schema_context("acme"):
        for n in range(30):
            clinic.appointment(start=at(8) + timedelta(minutes=20 * n), status="cancelled", phone=f"55119100000{n:02d}",
                               professional=clinic.bruno if n % 2 else clinic.ana)
    thirty = queries()

    assert thirty == one
