"""Booking a phone caller from a free slot: through the chat's booking service, the contact found
or created by phone, a slot taken meanwhile refused in words and never booked twice."""

import json

from django_tenants.utils import schema_context

from agenda.models import Appointment, AppointmentEvent
from agenda.services.booking import appointment_book
from agenda.types import Slot
from conversations.models import Contact
from tests.conversations.factories import ContactFactory
from tests.panel.calendar.conftest import BOOK, DAY, at, board

ANA = "Dra. Ana Lima"


def booking(clinic, *, hour=10, minute=0, professional=None, service=None, **fields):
    professional = professional or clinic.ana
    data = {"inicio": f"2030-12-10T{hour:02d}:{minute:02d}", "profissional": professional.pk,
            "servico": (service or clinic.consulta).pk, "telefone": "(11) 98765-4321", "nome": "Carla Dias",
            "observacoes": "Ligou pela manhã"}
    return {**data, **fields}


def test_the_booking_page_shows_the_chosen_slot_and_the_services_of_that_professional(clinic, staff):
    page = staff("operator").get(f"{BOOK}?inicio=2030-12-10T10:00&profissional={clinic.bruno.pk}")
    html = page.content.decode()

    assert page.status_code == 200
    assert "terça, 10/12 10:00" in html and "Dr. Bruno Reis" in html
    assert "Consulta (30 min)" in html and "Limpeza de pele" not in html  # Bruno does only the consulta


def test_an_operator_books_a_new_caller_from_a_free_slot(clinic, staff):
    client = staff("operator")

    response = client.post(BOOK, booking(clinic), follow=True)

    with schema_context("acme"):
        booked = Appointment.objects.select_related("contact").get()
        created = AppointmentEvent.objects.get(appointment=booked, kind="created")
    assert (booked.contact.phone, booked.contact.name) == ("5511987654321", "Carla Dias")
    assert (booked.start, booked.end, booked.professional_id, booked.service_id) == (
        at(10), at(10, 30), clinic.ana.pk, clinic.consulta.pk)
    assert (booked.status, booked.source, booked.notes) == ("pending", "admin", "Ligou pela manhã")
    assert created.actor == "operator@acme.test"
    assert response.redirect_chain[-1][0] == f"{DAY}?dia=2030-12-10&destaque={booked.pk}"
    assert "Agendado: Carla Dias, terça, 10/12 10:00 com Dra. Ana Lima — Consulta." in response.content.decode()
    assert [(b.column, b.state, b.time) for b in board(response).blocks if b.appointment == booked.pk] == [
        (ANA, "pending", "10:00")]


def test_a_known_caller_is_found_by_phone_and_keeps_their_name(clinic, staff):
    with schema_context("acme"):
        known = ContactFactory(phone="5511987654321", name="Carla (WhatsApp)")
    client = staff("operator")

    lookup = json.loads(client.get(f"{DAY}contato/?telefone=11 98765 4321").content)
    client.post(BOOK, booking(clinic, telefone="+55 11 98765-4321", nome="Outro Nome"))

    assert lookup == {"valid": True, "phone": "+55 11 98765-4321", "found": True, "name": "Carla (WhatsApp)",
                      "upcoming": []}
    with schema_context("acme"):
        assert Contact.objects.filter(phone="5511987654321").count() == 1
        assert Appointment.objects.get().contact_id == known.pk
        assert Contact.objects.get(pk=known.pk).name == "Carla (WhatsApp)"
    again = json.loads(client.get(f"{DAY}contato/?telefone=11987654321").content)
    assert again["upcoming"] == ["terça, 10/12 10:00 — Consulta"]


def test_the_contact_lookup_tells_a_new_number_from_a_wrong_one(clinic, staff):
    client = staff("operator")

    assert json.loads(client.get(f"{DAY}contato/?telefone=(21) 99999-0000").content) == {
        "valid": True, "phone": "+55 21 99999-0000", "found": False, "name": "", "upcoming": []}
    assert json.loads(client.get(f"{DAY}contato/?telefone=123").content) == {"valid": False}


def test_a_slot_taken_meanwhile_is_refused_in_words_and_never_booked_twice(clinic, staff):
    client = staff("operator")
    client.get(f"{BOOK}?inicio=2030-12-10T10:00&profissional={clinic.ana.pk}")  # the receptionist opens the form
    with schema_context("acme"):  # ...while a WhatsApp customer takes the slot
        chat = appointment_book(contact=ContactFactory(phone="5511911110000"), source="chat",
                                slot=Slot(at(10), at(10, 30), clinic.consulta.pk, clinic.ana.pk))

    response = client.post(BOOK, booking(clinic))

    assert response.status_code == 200
    assert "Esse horário não está mais disponível. Escolha outro horário na agenda." in response.content.decode()
    with schema_context("acme"):
        assert list(Appointment.objects.values_list("pk", flat=True)) == [chat.pk]


def test_a_service_longer_than_the_gap_is_refused(clinic, staff):
    """Limpeza de pele takes an hour: 11:30 runs into Ana's lunch."""
    response = staff("operator").post(BOOK, booking(clinic, hour=11, minute=30, service=clinic.limpeza))

    assert "Esse horário não está mais disponível." in response.content.decode()
    with schema_context("acme"):
        assert not Appointment.objects.exists()


def test_the_form_refuses_a_bad_phone_a_past_time_and_a_service_the_professional_does_not_do(clinic, staff):
    client = staff("operator")

    bad_phone = client.post(BOOK, booking(clinic, telefone="123")).content.decode()
    past = client.post(BOOK, booking(clinic, hour=8)).content.decode()
    wrong = client.post(BOOK, booking(clinic, professional=clinic.bruno, service=clinic.limpeza)).content.decode()

    assert "Telefone inválido; use DDD + número, ex.: (11) 98765-4321." in bad_phone
    assert "Esse horário já passou; escolha outro na agenda." in past
    assert "Dr. Bruno Reis não atende Limpeza de pele." in wrong
    with schema_context("acme"):
        assert not Appointment.objects.exists()
        assert not Contact.objects.filter(phone="5511987654321").exists()


def test_an_unreadable_slot_in_the_address_asks_to_choose_one(clinic, staff):
    page = staff("operator").get(f"{BOOK}?inicio=amanha&profissional=abc")

    assert page.status_code == 200
    assert "Horário não escolhido" in page.content.decode()
