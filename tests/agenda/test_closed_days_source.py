"""The agenda's days off for the whole business reach the assistant as closed days (issue 15).

The agenda registers its `TimeOff` rows as a closed-day source (AgendaConfig.ready());
the reply pipeline asks the registry when it builds the engine's context. The clock is
frozen on Monday 3 March 2031, 10h in São Paulo; the clinic works Mon–Fri 8–12 / 13–18
and Sat 8–12.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Professional, TimeOff
from conversations.assistant.closed_days import closed_days_ahead, register_closed_day_source
from conversations.assistant.models import CompanyProfile
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.core.replies import engine_context
from conversations.models import Message
from tests.conversations.factories import ConversationFactory

SP = ZoneInfo("America/Sao_Paulo")
HOURS = {str(day): [["08:00", "12:00"], ["13:00", "18:00"]] for day in range(5)} | {"5": [["08:00", "12:00"]]}
WEDNESDAY, THURSDAY = date(2031, 3, 5), date(2031, 3, 6)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SP)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(at(date(2031, 3, 3), 10), tick=False)


def day_off(start: datetime, end: datetime, reason: str = "", professional=None) -> TimeOff:
    return TimeOff.objects.create(start=start, end=end, reason=reason, professional=professional)


def context_closed_days() -> dict[date, str]:
    conversation = ConversationFactory()
    return engine_context(conversation=conversation, contact=conversation.contact, texts=["oi"]).closed_days


def test_a_day_off_for_the_whole_business_reaches_the_engine_context(acme):
    with schema_context("acme"):
        CompanyProfile.objects.update_or_create(singleton=1, defaults={"business_hours": HOURS})
        day_off(at(WEDNESDAY, 0), at(THURSDAY, 0), "Dedetização")

        closed = context_closed_days()

    assert closed[WEDNESDAY] == "Dedetização"
    assert closed[date(2031, 4, 11)] == "Sexta-feira Santa"  # the national holidays are there too
    assert THURSDAY not in closed


def test_only_whole_business_days_off_that_cover_the_day_close_it(acme):
    with schema_context("acme"):
        CompanyProfile.objects.update_or_create(singleton=1, defaults={"business_hours": HOURS})
        day_off(at(date(2031, 3, 4), 0), at(date(2031, 3, 5), 0), "Férias da Dra. Helena",
                professional=Professional.objects.create(name="Dra. Helena Prado"))
        day_off(at(THURSDAY, 14), at(THURSDAY, 23, 59), "Reunião da equipe")  # the morning stays open
        day_off(at(date(2031, 3, 10), 8), at(date(2031, 3, 12), 18))  # business hours of Mon to Wed, no reason

        closed = closed_days_ahead(profile=CompanyProfile.objects.get(singleton=1), now=timezone.now())

    assert date(2031, 3, 4) not in closed and THURSDAY not in closed
    assert {day: closed[day] for day in (date(2031, 3, 10), date(2031, 3, 11), date(2031, 3, 12))} == {
        date(2031, 3, 10): "recesso", date(2031, 3, 11): "recesso", date(2031, 3, 12): "recesso"}


def test_a_companys_day_off_stays_inside_its_tenant(acme, globex):
    with schema_context("acme"):
        day_off(at(WEDNESDAY, 0), at(WEDNESDAY, 23, 59), "Dedetização")
        assert context_closed_days()[WEDNESDAY] == "Dedetização"
    with schema_context("globex"):
        assert WEDNESDAY not in context_closed_days()


def test_the_reply_pipeline_says_the_day_off_and_when_we_open_again(acme, settings):
    settings.DEBOUNCE_SECONDS = 0
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        CompanyProfile.objects.update_or_create(singleton=1, defaults={"business_hours": HOURS})
        day_off(at(WEDNESDAY, 0), at(WEDNESDAY, 23, 59), "Dedetização")
        message = inbound_store(message=InboundMessage(
            provider="sandbox", provider_message_id="off-1", sender="5511912340000", sender_name="Paula Lima",
            kind=MessageKind.TEXT, text="vcs abrem quarta?", timestamp=timezone.now()))

        conversation_reply(contact_id=message.contact_id)

        reply = Message.objects.get(contact_id=message.contact_id, direction="out").text
    assert reply == "Não, na quarta (05/03, Dedetização) não abrimos. Abrimos de novo na quinta-feira às 8h."


def test_the_agenda_source_is_the_registered_one_and_replacing_it_is_harmless(acme):
    from agenda.closed_days import AGENDA_CLOSED_DAYS

    register_closed_day_source(AGENDA_CLOSED_DAYS)  # a second ready() changes nothing
    with schema_context("acme"):
        day_off(at(WEDNESDAY, 0), at(WEDNESDAY, 23, 59), "Dedetização")
        closed = closed_days_ahead(profile=CompanyProfile(business_hours=HOURS), now=timezone.now())
    assert list(closed.values()).count("Dedetização") == 1
