"""No-shows on a frozen clock: marked only after the end plus the grace period and only when
still pending or confirmed, then offered the next free slots once."""

from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from agenda.chat.dialog_state import RebookOffer
from agenda.models import Appointment, AppointmentEvent
from agenda.services.booking import appointment_cancel, appointment_confirm, appointment_mark_attended
from agenda.services.config import calendar_config, calendar_config_forget
from agenda.services.dialogs import dialog_current
from agenda.services.noshows import no_shows_auto_reschedule, noshows_detect
from agenda.services.reminders import when_text
from conversations.core.privacy import contact_opt_out_set
from tests.agenda.automation_helpers import STAFF, at, book, calendar_make, contact_make, outbox_keys, outbox_text

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock, eager


@pytest.fixture
def calendar(in_acme, clock):
    return calendar_make()


@pytest.fixture
def visit(calendar):
    """Maria's Consulta with Ana today (Monday 2 March) at 11:00-11:30, booked at 09:00."""
    professional, service = calendar
    return book(contact_make(), at(2, 11), professional, service)


def status(appointment: Appointment) -> str:
    return Appointment.objects.get(pk=appointment.pk).status


def configure(**values) -> None:
    config = calendar_config()
    for name, value in values.items():
        setattr(config, name, value)
    config.save()
    calendar_config_forget()


def test_nobody_is_a_no_show_before_the_grace_period_ends(visit, clock):
    clock(at(2, 11, 59))  # ended 11:30, 30 min of grace

    assert noshows_detect() == 0
    assert status(visit) == "pending"
    assert outbox_keys("rebook:") == []


def test_a_missed_appointment_is_marked_and_offered_the_next_free_slots(visit, clock,
                                                                        django_capture_on_commit_callbacks):
    clock(at(2, 12))
    before = REGISTRY.get_sample_value("appointments_auto_rescheduled_total") or 0

    with django_capture_on_commit_callbacks(execute=True):
        assert noshows_detect() == 1

    assert status(visit) == "no_show"
    assert AppointmentEvent.objects.get(appointment=visit, kind="no_show").actor == "system"
    assert set(visit.reminders.values_list("state", flat=True)) <= {"cancelled"}
    offer = dialog_current(contact=visit.contact).state
    assert isinstance(offer, RebookOffer)
    assert (offer.appointment_id, offer.service_id) == (visit.pk, visit.service_id)
    slots = offer.slots
    assert len(slots) == 3
    assert all(slot.start >= at(2, 13) and slot.professional_id == visit.professional_id for slot in slots)
    assert outbox_text(f"rebook:{visit.pk}") == "\n".join([
        "Olá, Maria! Sentimos sua falta no horário de hoje, às 11:00 (Consulta com Ana). Se você veio e houve "
        "um engano no nosso registro, é só nos avisar. Quer remarcar? "
        "Estes são os próximos horários livres:",
        *[f"{i} - {when_text(slot.start)}" for i, slot in enumerate(slots, start=1)],
        "Responda com o número do horário que preferir."])
    event = AppointmentEvent.objects.get(appointment=visit, kind="offer_sent")
    assert event.data == {"slots": [slot.key() for slot in slots]}
    assert REGISTRY.get_sample_value("appointments_auto_rescheduled_total") == before + 1


def test_detection_runs_again_without_a_second_mark_or_offer(visit, clock):
    clock(at(2, 12))
    noshows_detect()
    clock(at(2, 12, 1))

    assert noshows_detect() == 0
    assert no_shows_auto_reschedule() == 0
    assert outbox_keys("rebook:") == [f"rebook:{visit.pk}"]
    assert AppointmentEvent.objects.filter(appointment=visit, kind="no_show").count() == 1


def test_a_confirmed_appointment_can_be_missed_too(visit, clock):
    appointment_confirm(appointment=visit)
    clock(at(2, 13))

    assert noshows_detect() == 1
    assert status(visit) == "no_show"


def test_attended_and_cancelled_appointments_are_left_alone(calendar, clock):
    professional, service = calendar
    came = book(contact_make("5511900000001", "João"), at(2, 11), professional, service)
    cancelled = book(contact_make("5511900000002", "Rita"), at(2, 14), professional, service)
    appointment_cancel(appointment=cancelled, actor="customer")
    clock(at(2, 11, 40))
    appointment_mark_attended(appointment=came, actor=STAFF)  # the staff marks attendance in the admin
    clock(at(2, 18))

    assert noshows_detect() == 0
    assert (status(came), status(cancelled)) == ("attended", "cancelled")
    assert outbox_keys("rebook:") == []


def test_the_grace_period_is_the_companys(visit, clock):
    configure(noshow_grace_minutes=90)
    clock(at(2, 12, 30))
    assert noshows_detect() == 0
    clock(at(2, 13))
    assert noshows_detect() == 1


def test_without_auto_rescheduling_the_no_show_is_marked_but_not_offered(visit, clock):
    configure(auto_reschedule_no_shows=False)
    clock(at(2, 12))

    assert noshows_detect() == 1
    assert status(visit) == "no_show"
    assert outbox_keys("rebook:") == []


def test_recent_no_shows_without_an_offer_get_one_later(calendar, clock):
    """"Reagendar faltas automaticamente": offers to the no-shows of the last days that got none
    (rescheduling was off, or the worker died between the mark and the offer)."""
    professional, service = calendar
    recent = book(contact_make("5511900000001", "João"), at(2, 11), professional, service)
    rebooked = book(contact_make("5511900000002", "Rita"), at(2, 14), professional, service)
    configure(auto_reschedule_no_shows=False)
    clock(at(2, 18))
    assert noshows_detect() == 2
    book(rebooked.contact, at(4, 10), professional, service)  # Rita booked again by herself
    configure(auto_reschedule_no_shows=True)

    clock(at(3, 3, 15))
    assert no_shows_auto_reschedule() == 1
    assert outbox_keys("rebook:") == [f"rebook:{recent.pk}"]
    assert "ontem (segunda-feira, 02/03), às 11:00" in outbox_text(f"rebook:{recent.pk}")
    assert no_shows_auto_reschedule() == 0


def test_old_no_shows_are_not_offered_anything(visit, clock):
    configure(auto_reschedule_no_shows=False)
    clock(at(2, 12))
    noshows_detect()
    configure(auto_reschedule_no_shows=True)
    clock(at(2, 12) + timedelta(days=15))

    assert no_shows_auto_reschedule(days=14) == 0
    assert outbox_keys("rebook:") == []


def test_with_no_free_slot_the_offer_asks_the_customer_to_answer(visit, clock):
    visit.professional.hours.all().delete()  # nobody works any more: nothing to offer
    clock(at(2, 12))

    assert noshows_detect() == 1
    assert outbox_text(f"rebook:{visit.pk}").endswith("Quer marcar um novo horário? É só responder esta mensagem.")
    assert dialog_current(contact=visit.contact).state.slots == ()


def test_a_customer_who_opted_out_is_marked_but_offered_nothing(visit, clock):
    contact_opt_out_set(contact=visit.contact, opted_out=True, reminders_kept=True)  # kept reminders only
    clock(at(2, 12))

    assert noshows_detect() == 1
    assert status(visit) == "no_show"
    assert outbox_keys("rebook:") == []
    assert not AppointmentEvent.objects.filter(appointment=visit, kind="offer_sent").exists()
    assert dialog_current(contact=visit.contact) is None
