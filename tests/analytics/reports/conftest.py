"""The reports' cast: acme's demo clinic (devstack/demo/agenda.py, as tests/agenda uses it) on the sandbox channel,
a clock to freeze, and a customer who writes on WhatsApp through the real ingest and reply pipeline.

Everything runs with the on-commit callbacks executed (`committed`): the outbox delivers, and the
domain events reach this part's subscribers, as after a real commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Professional, Service
from agenda.services.config import calendar_config_forget
from conversations.channels.base import InboundMessage, MessageKind
from conversations.channels.services import channel_configure
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import Message
from devstack.demo.agenda import demo_calendar_ensure

SP = ZoneInfo("America/Sao_Paulo")


def sp(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    """A São Paulo time in March 2026: sp(2, 9) is Monday 2 March, 09:00 (UTC-3, no daylight saving)."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=SP)


class Customer:
    """One person on WhatsApp: `says` stores the message as the webhook does, `typed_at` seconds before the
    frozen clock, and lets the reply pipeline answer it."""

    count = 0

    def __init__(self, phone: str, name: str):
        self.phone, self.name = phone, name

    def says(self, text: str, *, typed_ago: float = 0, answer: bool = True) -> Message:
        Customer.count += 1
        stored = inbound_store(message=InboundMessage(
            provider="sandbox", provider_message_id=f"analytics-{Customer.count}", sender=self.phone,
            sender_name=self.name, kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
        # created_at is PostgreSQL's now(), which the frozen clock does not reach: put it on the clock.
        Message.objects.filter(pk=stored.pk).update(created_at=timezone.now() - timedelta(seconds=typed_ago))
        if answer:
            assert conversation_reply(contact_id=stored.contact_id).status == "answered"
        return stored


@pytest.fixture(autouse=True)
def _live_reads_uncached(settings):
    """The cache of live days outlives each test's rollback: off here (test_api.py tests it on purpose)."""
    settings.ANALYTICS_REPORTS_LIVE_CACHE_SECONDS = 0


@pytest.fixture
def clock(time_machine):
    def move(when: datetime) -> datetime:
        time_machine.move_to(when, tick=False)
        return when

    return move


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what commits would have run (outbox delivery, event subscribers)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class Clinic:
    services: dict[str, int]  # name -> id
    professionals: dict[str, int]

    def service_id(self, name: str) -> int:
        return self.services[name]


@pytest.fixture
def clinic(acme, settings, clock):
    """acme with the demo clinic's calendar (devstack/demo/agenda.py), the sandbox channel and no
    debounce; the test runs inside acme's schema."""
    settings.DEBOUNCE_SECONDS = 0
    clock(sp(1, 12))
    with schema_context(acme.schema_name):
        demo_calendar_ensure()
        channel_configure(kind="sandbox")
        calendar_config_forget()
        yield Clinic(services=dict(Service.objects.values_list("name", "pk")),
                     professionals=dict(Professional.objects.values_list("name", "pk")))
    calendar_config_forget()
