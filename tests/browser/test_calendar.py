"""The calendar in a real browser: a receptionist books a phone caller from a free slot, and the
chat's availability no longer has that slot; a viewer reads the same board without booking links.

The server's clock is the real one and the company `painel` keeps what earlier runs booked, so the
slot is whichever the chat would offer first for Juliana's "Limpeza de pele" from tomorrow on.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from agenda.models import Appointment, Professional, Service
from agenda.services.config import calendar_config_forget
from agenda.services.slots import slots_find
from agenda.types import SlotQuery

pytestmark = pytest.mark.worker

JULIANA, LIMPEZA = "Juliana (esteticista)", "Limpeza de pele"
ZONE = ZoneInfo("America/Sao_Paulo")  # the demo calendar's time zone (the default)


def chat_slots(panel, *, day=None, not_before=None, limit=50):
    """What the chat would offer for Juliana's Limpeza de pele (the very search the booking chat runs)."""
    with schema_context(panel.slug):
        calendar_config_forget()
        query = SlotQuery(service_id=Service.objects.get(name=LIMPEZA).pk,
                          professional_id=Professional.objects.get(name=JULIANA).pk,
                          day=day, not_before=not_before, limit=limit)
        return slots_find(query=query)


def test_a_receptionist_books_a_caller_and_the_chat_no_longer_offers_that_slot(page_as, panel):
    with schema_context(panel.slug):
        service_id = Service.objects.get(name=LIMPEZA).pk
    tomorrow = datetime.combine(timezone.now().astimezone(ZONE).date() + timedelta(days=1), time.min, tzinfo=ZONE)
    slot = chat_slots(panel, not_before=tomorrow, limit=1)[0]
    local = slot.start.astimezone(ZONE)
    day, at = local.date(), f"{local:%H:%M}"
    phone = panel.new_phone()  # 5511 9xxxx-xxxx
    typed = f"({phone[2:4]}) {phone[4:9]}-{phone[9:]}"

    page = page_as("operator", path=f"/admin/calendar/?dia={day.isoformat()}&servico={service_id}")
    column = page.locator(f'section.cal-column[aria-label="{JULIANA}"]')
    column.locator(f'a.cal-free[data-time="{at}"]').click()

    expect(page.locator(".cal-when")).to_contain_text(f"{local:%d/%m %H:%M}")
    expect(page.locator(".cal-when")).to_contain_text(JULIANA)
    page.fill("input[name=telefone]", typed)
    expect(page.locator("[data-contact-hint]")).to_have_text(f"Contato novo: +55 {phone[2:4]} {phone[4:9]}-{phone[9:]}")
    page.fill("input[name=nome]", "Paula Telefone")
    expect(page.locator("select[name=servico]")).to_have_value(str(service_id))
    page.get_by_role("button", name="Agendar").click()

    expect(page.locator(".messagelist")).to_contain_text("Agendado: Paula Telefone, ")
    booked = page.locator(f'section.cal-column[aria-label="{JULIANA}"] a.cal-pending[data-time="{at}"]',
                          has_text="Paula Telefone")
    expect(booked).to_be_visible()
    with schema_context(panel.slug):
        row = Appointment.objects.select_related("contact", "professional").get(contact__phone=phone)
    assert (row.start, row.professional.name, row.source, row.status) == (slot.start, JULIANA, "admin", "pending")
    assert slot.start not in [s.start for s in chat_slots(panel, day=day)]


def test_a_viewer_reads_the_board_without_booking_links(page_as, panel):
    day = chat_slots(panel, limit=1)[0].start.astimezone(ZONE).date()  # a day with free slots

    page = page_as("viewer", path=f"/admin/calendar/?dia={day.isoformat()}")

    expect(page.locator(".cal-legend")).to_contain_text("Livre")
    expect(page.locator("div.cal-free").first).to_be_visible()  # free slots shown...
    expect(page.locator("a.cal-free")).to_have_count(0)  # ...but nothing to click to book
    assert page.goto(panel.url("/admin/calendar/agendar/")).status == 403
