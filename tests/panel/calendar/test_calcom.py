"""The calendar of a company on Cal.com: free slots are Cal.com's (asked per service, as the chat asks),
a phone booking is made there first, and Cal.com being down leaves the board readable."""

from django_tenants.utils import schema_context

from agenda.models import Appointment
from tests.agenda.conftest import _calcom_server_session, calcom_acme, calcom_server, demo_calendar  # noqa: F401
from tests.panel.calendar.conftest import BOOK, DAY, at, board, free_times

CONSULTA = "Consulta dermatológica"


def test_free_slots_come_from_calcom_for_the_chosen_service(clock, calcom_acme, calcom_server, staff):  # noqa: F811
    calcom_server.set_slots([at(10), at(11), at(14)])
    service = calcom_acme.service_id(CONSULTA)

    chosen = staff("viewer").get(f"{DAY}?dia=2030-12-10&servico={service}")
    none_chosen = staff("viewer").get(f"{DAY}?dia=2030-12-10")

    assert board(chosen).columns == ["Cal.com"]  # Cal.com has no professionals of ours
    assert free_times(chosen, "Cal.com") == ["10:00", "11:00", "14:00"]
    assert calcom_server.requests_to("/v2/slots")[0].query["eventTypeId"] == "101"
    assert free_times(none_chosen, "Cal.com") == []
    assert "Escolha um serviço para ver os horários livres do Cal.com." in none_chosen.content.decode()


def test_a_phone_booking_is_made_on_calcom_and_mirrored(clock, calcom_acme, calcom_server, staff):  # noqa: F811
    calcom_server.set_slots([at(10), at(11)])
    service = calcom_acme.service_id(CONSULTA)

    response = staff("operator").post(BOOK, {"inicio": "2030-12-10T11:00", "servico": service,
                                             "telefone": "11 98765-4321", "nome": "Carla Dias"}, follow=True)

    with schema_context("acme"):
        booked = Appointment.objects.get()
    assert (booked.provider, booked.start, booked.professional_id) == ("calcom", at(11), None)
    assert booked.provider_booking_id in calcom_server.bookings
    assert [(b.column, b.time) for b in board(response).blocks if b.appointment] == [("Cal.com", "11:00")]


def test_calcom_down_still_shows_the_appointments_and_says_why_nothing_is_free(clock, calcom_acme, calcom_server,  # noqa: F811
                                                                               staff):
    with schema_context("acme"):
        visit = Appointment.objects.create(contact_id=_contact(), start=at(15), end=at(15, 40), provider="calcom",
                                           provider_booking_id="uid-1")
    calcom_server.fail_next(503, times=10)

    page = staff("viewer").get(f"{DAY}?dia=2030-12-10&servico={calcom_acme.service_id(CONSULTA)}")

    assert [b.appointment for b in board(page).blocks] == [visit.pk]
    assert ("Não foi possível buscar os horários livres. O Cal.com está indisponível no momento (HTTP 503)."
            in page.content.decode())


def _contact() -> int:
    from tests.conversations.factories import ContactFactory

    return ContactFactory(phone="5511955550000", name="Rita").pk
