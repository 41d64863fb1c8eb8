"""The waitlist: a freed slot is offered to the customers whose wishes fit; the first to accept gets it.

Demo clinic, built-in calendar, frozen on Monday 2 March 2026, 09:00 in São Paulo.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.chat.dialog_state import WaitlistOffer
from agenda.chat.handler import agenda_turn
from agenda.models import Appointment, WaitlistEntry
from agenda.services.booking import appointment_book, appointment_cancel
from agenda.services.config import calendar_config_forget
from agenda.services.dialogs import dialog_current
from agenda.services.waitlist import waitlist_expire, waitlist_join, waitlist_slot_freed
from agenda.types import Slot, SlotQuery
from conversations.channels.services import channel_configure
from conversations.core.privacy import contact_opt_out_set
from conversations.models import Contact, Message
from conversations.turns import Intent, Turn
from tests.conversations.factories import ContactFactory

TZ = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # Monday
WEDNESDAY_10 = datetime(2026, 3, 4, 10, tzinfo=TZ)


@pytest.fixture
def clinic(demo_calendar, time_machine):
    time_machine.move_to(NOW, tick=False)
    with schema_context(demo_calendar.schema):
        channel_configure(kind="sandbox")
        calendar_config_forget()
        yield demo_calendar
    calendar_config_forget()


def person(phone: str, name: str) -> Contact:
    return ContactFactory(phone=phone, name=name)


def cleaning(clinic, start: datetime = WEDNESDAY_10) -> Slot:
    return Slot(start, start + timedelta(hours=1), clinic.service_id("Limpeza de pele"))


def wait(contact: Contact, clinic, **wishes) -> WaitlistEntry:
    return waitlist_join(contact=contact, query=SlotQuery(service_id=clinic.service_id("Limpeza de pele"), **wishes))


def answer(contact: Contact, text: str):
    reply = agenda_turn(Turn(contact=contact, conversation=None, texts=(text,), intent=Intent.OTHER,
                             now=timezone.now()))
    assert reply is None or isinstance(reply.intent, Intent)
    return reply


def outbound(contact: Contact) -> list[str]:
    return list(Message.objects.filter(contact=contact, direction="out").order_by("id").values_list("text", flat=True))


def test_joining_keeps_the_wishes_and_joining_again_updates_them(clinic):
    paula = person("5511900000001", "Paula")

    first = wait(paula, clinic, weekdays=frozenset({2}), time_from=time(9))
    again = wait(paula, clinic, day=datetime(2026, 3, 4).date(), time_to=time(12))

    assert first.pk == again.pk and WaitlistEntry.objects.count() == 1
    again.refresh_from_db()
    assert again.preferences == {"time_to": "12:00"}
    assert again.not_before == datetime(2026, 3, 4, tzinfo=TZ)
    assert again.not_after.astimezone(TZ).date() == datetime(2026, 3, 4).date()


def test_a_cancellation_offers_the_slot_to_those_whose_wishes_fit(clinic, django_capture_on_commit_callbacks):
    owner, paula, joao, ana = (person("5511900000000", "Dona"), person("5511900000001", "Paula"),
                               person("5511900000002", "João"), person("5511900000003", "Ana"))
    booked = appointment_book(contact=owner, slot=cleaning(clinic), source="chat")
    wait(paula, clinic, weekdays=frozenset({2}))  # Wednesdays: fits
    wait(joao, clinic, time_from=time(9), time_to=time(12))  # mornings: fits
    wait(ana, clinic, weekdays=frozenset({4}))  # Fridays only: does not fit

    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, reason="imprevisto")

    assert WaitlistEntry.objects.filter(state="offered").count() == 2
    for contact in (paula, joao):
        assert isinstance(dialog_current(contact=contact).state, WaitlistOffer)
        [offer] = outbound(contact)
        assert offer.startswith("Boa notícia! Abriu um horário: quarta, 04/03 às 10:00 com Juliana (esteticista)")
    assert outbound(ana) == [] and WaitlistEntry.objects.get(contact=ana).state == "waiting"


def test_the_first_to_accept_gets_the_slot_and_the_others_are_told(clinic):
    owner, paula, joao = (person("5511900000000", "Dona"), person("5511900000001", "Paula"),
                          person("5511900000002", "João"))
    booked = appointment_book(contact=owner, slot=cleaning(clinic), source="chat")
    wait(paula, clinic)
    wait(joao, clinic)
    appointment_cancel(appointment=booked)
    assert waitlist_slot_freed(appointment_id=booked.pk) == 2

    won = answer(joao, "sim, quero!")

    appointment = Appointment.objects.get(contact=joao, status="pending")
    assert appointment.start == WEDNESDAY_10 and appointment.source == "waitlist"
    assert "Prontinho, agendado!" in won.text
    assert WaitlistEntry.objects.get(contact=joao).state == "booked"
    assert WaitlistEntry.objects.get(contact=paula).state == "waiting"
    assert "já foi preenchida" in outbound(paula)[-1]

    late = answer(paula, "sim")  # she answers the offer anyway

    assert late.text.startswith("Poxa, essa vaga já foi preenchida")
    assert "1) " in late.text  # other free slots instead
    assert not Appointment.objects.filter(contact=paula).exists()


def test_declining_an_offer_keeps_the_customer_waiting(clinic):
    owner, paula = person("5511900000000", "Dona"), person("5511900000001", "Paula")
    booked = appointment_book(contact=owner, slot=cleaning(clinic), source="chat")
    wait(paula, clinic)
    appointment_cancel(appointment=booked)
    waitlist_slot_freed(appointment_id=booked.pk)

    reply = answer(paula, "não, obrigada")

    assert "continua na lista de espera" in reply.text
    assert WaitlistEntry.objects.get(contact=paula).state == "waiting"
    assert dialog_current(contact=paula) is None


def test_a_slot_taken_again_or_already_past_is_not_offered(clinic):
    owner, other, paula = (person("5511900000000", "Dona"), person("5511900000009", "Outra"),
                           person("5511900000001", "Paula"))
    booked = appointment_book(contact=owner, slot=cleaning(clinic), source="chat")
    wait(paula, clinic)
    appointment_cancel(appointment=booked)
    appointment_book(contact=other, slot=cleaning(clinic), source="chat")  # someone booked it first

    assert waitlist_slot_freed(appointment_id=booked.pk) == 0
    past = Appointment.objects.create(contact=owner, start=NOW - timedelta(hours=2), end=NOW - timedelta(hours=1),
                                      status="cancelled")
    assert waitlist_slot_freed(appointment_id=past.pk) == 0
    assert WaitlistEntry.objects.get(contact=paula).state == "waiting"


def test_old_and_past_entries_expire(clinic, time_machine):
    paula, joao = person("5511900000001", "Paula"), person("5511900000002", "João")
    tomorrow = wait(paula, clinic, day=datetime(2026, 3, 3).date())
    anytime = wait(joao, clinic)

    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    assert waitlist_expire() == 1
    time_machine.move_to(NOW + timedelta(days=31), tick=False)
    assert waitlist_expire() == 1

    tomorrow.refresh_from_db()
    anytime.refresh_from_db()
    assert tomorrow.state == anytime.state == "expired"


def test_a_customer_who_opted_out_is_skipped_and_keeps_waiting(clinic, django_capture_on_commit_callbacks):
    owner, paula, joao = (person("5511900000000", "Dona"), person("5511900000001", "Paula"),
                          person("5511900000002", "João"))
    booked = appointment_book(contact=owner, slot=cleaning(clinic), source="chat")
    wait(paula, clinic)
    wait(joao, clinic)
    contact_opt_out_set(contact=paula, opted_out=True)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booked, reason="imprevisto")

    assert WaitlistEntry.objects.get(contact=paula).state == "waiting" and outbound(paula) == []
    assert dialog_current(contact=paula) is None
    assert WaitlistEntry.objects.get(contact=joao).state == "offered" and len(outbound(joao)) == 1
