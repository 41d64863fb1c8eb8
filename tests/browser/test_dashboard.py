"""The company's home in a real browser: a manager sees the charts drawn; an operator sees no money.

The `painel` company gets a past day of activity (messages, a booking, an AI call), stored by the reports'
own computation as the nightly run would: a stored day is read as it is, whatever other tests left in the
server's cache of today's live figures.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.browser.conftest import PANEL_SLUG

pytestmark = pytest.mark.worker

CHARTS = {"#chart-messages": "Mensagens por dia", "#chart-bookings": "Agendamentos por dia",
          "#chart-ai-cost": "Custo de IA por dia"}


@pytest.fixture(scope="module")
def past_day(panel_company, django_db_blocker):
    """Ten days ago at `painel`: 3 messages in, 1 out, a booking and an AI call, its report stored (committed)."""
    from agenda.models import Appointment, Professional, Service
    from analytics.reports.services import report_compute
    from conversations.models import Contact, LLMCall, Message

    with django_db_blocker.unblock(), schema_context(PANEL_SLUG):
        when = timezone.localtime() - timedelta(days=10)
        contact, _ = Contact.objects.get_or_create(phone="5511955550010", defaults={"name": "Cliente do Painel"})
        # Answered already: nothing for the worker's sweeps to pick up.
        rows = [Message.objects.create(contact=contact, direction=direction, provider="meta", text="Oi", state=state)
                for direction, state in (("in", "answered"),) * 3 + (("out", "outbound"),)]
        booked = Appointment.objects.create(contact=contact, service=Service.objects.first(),
                                            professional=Professional.objects.first(), start=when, status="attended",
                                            end=when + timedelta(minutes=30))
        call = LLMCall.objects.create(provider="openai", model="gpt-4o-mini", input_tokens=400_000,
                                      output_tokens=200_000, outcome="ok")
        Message.objects.filter(pk__in=[m.pk for m in rows]).update(created_at=when)
        Appointment.objects.filter(pk=booked.pk).update(created_at=when)
        LLMCall.objects.filter(pk=call.pk).update(created_at=when)
        report_compute(day=when.date())
    connection.set_schema_to_public()
    return when.date()


def test_a_manager_sees_the_dashboards_charts_drawn(page_as, past_day):
    page = page_as("manager")

    for chart, title in CHARTS.items():
        svg = page.locator(f"{chart} svg[role='img']")
        expect(svg).to_be_visible()
        expect(svg).to_have_attribute("aria-label", re.compile(rf"^{title}, de \d\d/\d\d a \d\d/\d\d\. .*total"))
    day = f"{past_day:%d/%m}"
    for bar_or_point, text in (("#chart-messages svg circle", f"{day} — Recebidas: "),
                               ("#chart-bookings svg rect", f"{day} — Agendamentos: "),
                               ("#chart-ai-cost svg rect", f"{day} — Custo: R$ ")):
        expect(page.locator(bar_or_point).filter(has=page.locator("title", has_text=text))).to_have_count(1)
    expect(page.locator("#card-waiting")).to_be_visible()
    expect(page.locator("#card-ai-cost")).to_contain_text("R$")


def test_an_operators_home_has_the_days_work_and_no_cost_card(page_as):
    page = page_as("operator")

    for card in ("#card-waiting", "#card-today", "#card-unconfirmed", "#card-no-shows"):
        expect(page.locator(card)).to_be_visible()
    expect(page.locator("#card-ai-cost")).to_have_count(0)
    expect(page.locator("svg.panel-chart")).to_have_count(0)
    expect(page.get_by_text("Custo de IA")).to_have_count(0)
