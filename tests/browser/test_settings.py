"""The settings in a real browser: hours edited in the weekly grid change the slots the chat offers, and
the live preview answers with the tone on screen before anything is saved.

The grid test works on a professional and a service of its own (created through the panel, switched
off at the end), so the demo clinic's calendar the other browser tests book from stays as it was.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.worker

TUESDAY = 1


def offered_times(panel, phone: str) -> list[str]:
    """The "HH:MM" of every slot offered to `phone` (list rows, buttons or numbered lines)."""
    texts = []
    for sent in panel.providers.sends_to(phone):
        body = sent["body"]
        interactive = body.get("interactive") or {}
        action = interactive.get("action") or {}
        texts += [row["title"] for section in action.get("sections", []) for row in section.get("rows", [])]
        texts += [button["reply"]["title"] for button in action.get("buttons", [])]
        texts.append((body.get("text") or {}).get("body", ""))
    return re.findall(r"às (\d{2}:\d{2})", "\n".join(texts))


def fill_day(page, weekday: int, spans: list[tuple[str, str]]) -> None:
    """Open `weekday` in the grid and type its intervals (adding rows with "+ intervalo")."""
    day = page.locator(f"[data-week-day='{weekday}']")
    closed = day.locator("[data-week-closed]")
    if closed.is_checked():
        closed.uncheck()
    while day.locator("[data-week-span]").count() > 1:
        day.locator("[data-week-remove]").last.click()
    for index, (start, end) in enumerate(spans):
        if index:
            day.locator("[data-week-add]").click()
        row = day.locator("[data-week-span]").nth(index)
        row.locator("input").nth(0).fill(start)
        row.locator("input").nth(1).fill(end)


def test_hours_edited_in_the_grid_change_the_slots_the_chat_offers(page_as, panel):
    tag = uuid.uuid4().hex[:6]
    professional, service = f"Dra. Grade {tag}", f"Avaliação grade {tag}"
    page = page_as("manager", path="/admin/agenda/professional/add/")

    # A new professional lands on their grid: Tuesdays 14:00–16:00, every other day closed.
    page.fill("#id_name", professional)
    page.click("input[name=_save]")
    expect(page.locator("[data-week-grid]")).to_be_visible()
    hours_url = page.url
    for weekday in range(7):
        box = page.locator(f"[data-week-day='{weekday}'] [data-week-closed]")
        if weekday != TUESDAY and not box.is_checked():
            box.check()
    fill_day(page, TUESDAY, [("14:00", "16:00")])
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("terça, das 14h às 16h")
    expect(page.locator("[data-slots]")).to_contain_text("terça")
    expect(page.locator("[data-slots]")).to_contain_text("15:00")

    # A service only this professional does, so the chat's offer is theirs alone.
    page.goto(panel.url("/admin/agenda/service/add/"))
    page.fill("#id_name", service)
    page.fill("#id_duration_minutes", "30")
    page.fill("#id_price_cents", "180,00")
    page.select_option("#id_professionals_from", label=professional)
    page.click("#id_professionals_add")
    page.click("input[name=_save]")
    expect(page.locator("#result_list")).to_contain_text("R$ 180,00")

    try:
        # The break: 14:00–15:00 and 16:30–17:30. The grid's list and the chat follow at once.
        page.goto(hours_url)
        fill_day(page, TUESDAY, [("14:00", "15:00"), ("16:30", "17:30")])
        page.click("input[name=_save]")
        expect(page.locator(".messagelist")).to_contain_text("terça, das 14h às 15h e das 16h30 às 17h30")
        expect(page.locator("[data-slots]")).to_contain_text("16:30")
        expect(page.locator("[data-slots]")).not_to_contain_text("15:00")

        phone = panel.new_phone()
        panel.customer_says(phone, f"Oi, quero agendar {service.lower()}")
        panel.wait_for_customer(phone)
        times = offered_times(panel, phone)
        assert "16:30" in times and "14:00" in times, times
        assert "15:00" not in times and "15:30" not in times, times
    finally:
        for url in (hours_url.replace("/horarios/", "/change/"),):
            page.goto(url)
            page.uncheck("#id_is_active")
            page.click("input[name=_save]")
        page.goto(panel.url("/admin/agenda/service/"))
        page.get_by_role("link", name=service).click()
        page.uncheck("#id_is_active")
        page.click("input[name=_save]")


def test_copy_monday_fills_the_weekdays(page_as, panel):
    page = page_as("manager", path="/admin/conversations/companyprofile/atual/")

    grid = page.locator("[data-week-grid]")
    fill_day(page, 0, [("07:30", "11:30"), ("12:30", "19:00")])
    grid.locator("[data-week-copy]").click()

    friday = grid.locator("[data-week-day='4']")
    expect(friday.locator("[data-week-span]")).to_have_count(2)
    expect(friday.locator("input").nth(1)).to_have_value("07:30")  # [closed, start, end, start, end]
    expect(friday.locator("input").nth(4)).to_have_value("19:00")


def test_the_live_preview_answers_with_the_unsaved_tone(page_as, panel):
    page = page_as("manager", path="/admin/conversations/companyprofile/atual/")
    refused = []  # what the Content Security Policy blocked (an inline script would land here)
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.reload()
    name = f"Zeca{uuid.uuid4().hex[:4]}"

    page.fill("#id_assistant_name", name)
    page.select_option("#id_formality", "informal")
    page.check("#id_emoji")
    page.fill("[data-preview-message]", "oi")
    page.click("[data-preview-send]")

    bubble = page.locator("[data-preview-text]")
    expect(bubble).to_contain_text(name)
    expect(bubble).to_contain_text("Tudo bem?")
    expect(page.locator("[data-preview-engine]")).to_have_text("Motor offline")

    page.select_option("#id_formality", "formal")  # a changed field asks again
    expect(bubble).not_to_contain_text("Tudo bem?")
    expect(bubble).to_contain_text(name)

    page.reload()  # nothing was saved
    expect(page.locator("#id_assistant_name")).not_to_have_value(name)
    assert refused == []


def test_a_viewer_reads_the_settings_without_buttons(page_as, panel):
    page = page_as("viewer", path="/admin/settings/")

    expect(page.locator("[data-setting='hours']")).to_contain_text("Ver")
    expect(page.get_by_text("Configurar")).to_have_count(0)
    page.locator("[data-setting='tone']").click()
    expect(page.locator("[data-preview-url]")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)
