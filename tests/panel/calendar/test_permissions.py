"""Who may do what on the calendar: everyone with a role reads it; operators and up book and change;
a viewer sees no booking or action control and is refused (403) a write sent by hand."""

import pytest
from django_tenants.utils import schema_context

from agenda.models import Appointment
from agenda.services.booking import appointment_book
from agenda.types import Slot
from tests.conversations.factories import ContactFactory
from tests.panel.calendar.conftest import BOOK, DAY, WEEK, at, board


@pytest.fixture
def visit(clinic):
    with schema_context("acme"):
        return appointment_book(contact=ContactFactory(phone="5511912345678", name="Maria Souza"), source="chat",
                                slot=Slot(at(10), at(10, 30), clinic.consulta.pk, clinic.ana.pk))


@pytest.mark.parametrize("role", ["viewer", "operator", "manager", "owner"])
def test_every_role_reads_the_calendar(clinic, visit, staff, role):
    client = staff(role)

    for url in [DAY, WEEK, f"{DAY}agendamento/{visit.pk}/"]:
        assert client.get(url).status_code == 200, url
    assert '<a href="/admin/calendar/" data-screen="calendar"' in client.get(DAY).content.decode()  # the menu


@pytest.mark.parametrize("role", ["operator", "manager", "owner"])
def test_operators_and_up_get_the_controls(clinic, visit, staff, role):
    client = staff(role)

    free = [b for b in board(client.get(DAY)).blocks if b.state == "free"]
    page = client.get(f"{DAY}agendamento/{visit.pk}/").content.decode()

    assert free and all(b.href.startswith(BOOK) for b in free)
    assert "Confirmar presença" in page and "Cancelar agendamento" in page and "Remarcar" in page


def test_a_viewer_sees_no_booking_or_action_control(clinic, visit, staff):
    client = staff("viewer")

    blocks = board(client.get(DAY)).blocks
    page = client.get(f"{DAY}agendamento/{visit.pk}/").content.decode()
    moving = board(client.get(f"{DAY}?remarcar={visit.pk}")).blocks

    assert [b for b in blocks if b.state == "free"] and not [b for b in blocks if b.state == "free" and b.href]
    assert "/agendar/" not in client.get(DAY).content.decode()
    for control in ["Confirmar presença", "Cancelar agendamento", "Remarcar", "<form method=\"post\""]:
        assert control not in page, control
    assert not [b for b in moving if b.state == "free" and b.href]  # no reschedule mode either


def test_a_viewer_is_refused_every_write_sent_by_hand(clinic, visit, staff):
    client = staff("viewer")
    pk = visit.pk
    writes = [
        (BOOK, {"inicio": "2030-12-10T11:00", "profissional": clinic.ana.pk, "servico": clinic.consulta.pk,
                "telefone": "11987654321"}),
        (f"{DAY}agendamento/{pk}/cancelar/", {"motivo": "teste"}),
        (f"{DAY}agendamento/{pk}/remarcar/", {"inicio": "2030-12-10T15:00", "profissional": clinic.ana.pk}),
        (f"{DAY}agendamento/{pk}/confirmar/", {}),
        (f"{DAY}agendamento/{pk}/compareceu/", {}),
        (f"{DAY}agendamento/{pk}/faltou/", {}),
    ]

    assert [client.post(url, data).status_code for url, data in writes] == [403] * len(writes)
    assert client.get(f"{BOOK}?inicio=2030-12-10T11:00&profissional={clinic.ana.pk}").status_code == 403
    with schema_context("acme"):
        assert list(Appointment.objects.values_list("pk", "status", "start")) == [(pk, "pending", at(10))]


def test_someone_logged_out_is_sent_to_the_login(clinic, acme):
    from tests.accounts.conftest import admin_client

    response = admin_client(acme).get(DAY)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_user_of_another_company_cannot_open_this_ones_calendar(clinic, globex):
    from tests.accounts.conftest import admin_client
    from tests.conftest import member

    stranger = admin_client(globex, member(globex, "owner"))
    stranger.defaults["HTTP_HOST"] = "acme.localhost"  # their session cookie, on acme's host

    assert stranger.get(DAY).status_code == 302  # sessions live in each company's schema: not logged in here
