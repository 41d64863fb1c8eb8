"""One appointment on the calendar: its page, moving it to another free slot, cancelling with a
reason, confirming and marking attendance — each through the booking services."""

from django_tenants.utils import schema_context

from agenda.models import Appointment, AppointmentEvent, Reminder
from agenda.services.booking import appointment_book
from agenda.types import Slot
from tests.conversations.factories import ContactFactory
from tests.panel.calendar.conftest import DAY, at, board

ANA, BRUNO = "Dra. Ana Lima", "Dr. Bruno Reis"


def booked(clinic, hour=10, professional=None, phone="5511912345678"):
    """Booked as the chat books (reminders planned, history written)."""
    professional = professional or clinic.ana
    with schema_context("acme"):
        return appointment_book(contact=ContactFactory(phone=phone, name="Maria Souza"), source="chat",
                                slot=Slot(at(hour), at(hour, 30), clinic.consulta.pk, professional.pk))


def page_of(pk):
    return f"{DAY}agendamento/{pk}/"


def test_the_appointment_page_shows_who_what_when_and_the_price(clinic, staff):
    visit = booked(clinic)

    html = staff("operator").get(page_of(visit.pk)).content.decode()

    for text in ["Maria Souza · +55 11 91234-5678", "terça, 10/12 10:00 até 10:30", "Dra. Ana Lima",
                 "Consulta · R$ 250,00", "a confirmar", "Conversa", "Criado (cliente)"]:
        assert text in html, text
    assert "Confirmar presença" in html and "Remarcar" in html and "Cancelar agendamento" in html
    assert "Compareceu" not in html  # not yet happened


def test_rescheduling_moves_it_to_the_chosen_slot_through_the_booking_service(clinic, staff):
    visit = booked(clinic)
    client = staff("operator")
    moving = client.get(f"{DAY}?dia=2030-12-10&remarcar={visit.pk}")
    target = next(b for b in board(moving).blocks if b.column == BRUNO and b.time == "15:00")

    confirm = client.get(target.href)
    response = client.post(target.href.split("?")[0], {"inicio": "2030-12-10T15:00",
                                                        "profissional": clinic.bruno.pk}, follow=True)

    assert "Remarcando <strong>Maria Souza</strong>" in moving.content.decode()
    assert "Para <strong>terça, 10/12 15:00</strong> com <strong>Dr. Bruno Reis</strong>" in confirm.content.decode()
    with schema_context("acme"):
        old = Appointment.objects.get(pk=visit.pk)
        new = old.rescheduled_to
        assert (old.status, new.status, new.start, new.professional_id) == ("rescheduled", "pending", at(15),
                                                                           clinic.bruno.pk)
        assert AppointmentEvent.objects.get(appointment=old, kind="rescheduled").actor == "operator@acme.test"
    assert "Remarcado para terça, 10/12 15:00 com Dr. Bruno Reis." in response.content.decode()
    shown = [(b.appointment, b.column, b.time) for b in board(response).blocks if b.appointment]
    assert shown == [(new.pk, BRUNO, "15:00")]
    assert "Remarcado de" in client.get(page_of(new.pk)).content.decode()


def test_rescheduling_onto_a_slot_taken_meanwhile_moves_nothing(clinic, staff):
    visit = booked(clinic)
    booked(clinic, hour=15, professional=clinic.bruno, phone="5511900001111")  # taken by someone else

    response = staff("operator").post(f"{page_of(visit.pk)}remarcar/", {"inicio": "2030-12-10T15:00",
                                                                        "profissional": clinic.bruno.pk})

    assert "Esse horário não está mais disponível. Escolha outro horário na agenda." in response.content.decode()
    with schema_context("acme"):
        assert Appointment.objects.get(pk=visit.pk).status == "pending"
        assert Appointment.objects.count() == 2


def test_cancelling_keeps_the_reason_where_the_service_keeps_it(clinic, staff):
    visit = booked(clinic)

    response = staff("operator").post(f"{page_of(visit.pk)}cancelar/", {"motivo": "Cliente ligou, viajou"},
                                      follow=True)

    with schema_context("acme"):
        cancelled = Appointment.objects.get(pk=visit.pk)
        event = AppointmentEvent.objects.get(appointment=visit, kind="cancelled")
        assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Cliente ligou, viajou")
        assert (event.actor, event.data) == ("operator@acme.test", {"reason": "Cliente ligou, viajou"})
        assert not Reminder.objects.filter(appointment=visit, state="pending").exists()
    assert "Agendamento de Maria Souza (terça, 10/12 10:00) cancelado." in response.content.decode()
    assert [(b.state, b.time) for b in board(response).blocks if b.appointment == visit.pk] == [("cancelled", "10:00")]


def test_cancelling_needs_a_reason(clinic, staff):
    visit = booked(clinic)

    response = staff("operator").post(f"{page_of(visit.pk)}cancelar/", {"motivo": "  "})

    assert "Informe o motivo do cancelamento." in response.content.decode()
    with schema_context("acme"):
        assert Appointment.objects.get(pk=visit.pk).status == "pending"


def test_confirm_then_attendance_once_it_happened(clinic, staff, clock):
    visit = booked(clinic)
    client = staff("operator")

    client.post(f"{page_of(visit.pk)}confirmar/")
    early = client.post(f"{page_of(visit.pk)}compareceu/", follow=True).content.decode()
    clock.move_to(at(10, 40))
    client.post(f"{page_of(visit.pk)}compareceu/")

    assert "Esse agendamento ainda não aconteceu." in early
    with schema_context("acme"):
        assert list(AppointmentEvent.objects.filter(appointment=visit).values_list("kind", "actor")) == [
            ("created", "customer"), ("confirmed", "operator@acme.test"), ("attended", "operator@acme.test")]


def test_a_no_show_is_marked_from_its_page(clinic, staff):
    with schema_context("acme"):
        missed = clinic.appointment(start=at(8), status="confirmed")

    page = staff("operator").get(page_of(missed.pk)).content.decode()
    response = staff("operator").post(f"{page_of(missed.pk)}faltou/", follow=True)

    assert "Faltou" in page and "Compareceu" in page
    assert "Falta registrada." in response.content.decode()
    with schema_context("acme"):
        assert Appointment.objects.get(pk=missed.pk).status == "no_show"


def test_an_unknown_action_or_appointment_is_refused(clinic, staff):
    visit = booked(clinic)
    client = staff("operator")

    assert client.post(f"{page_of(visit.pk)}apagar/").status_code == 404
    assert client.get(page_of(999999)).status_code == 404
    assert client.get(f"{page_of(visit.pk)}confirmar/").status_code == 405
