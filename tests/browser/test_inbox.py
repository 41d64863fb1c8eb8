"""The inbox in a real browser: a customer who asks for a person appears in an open inbox tab within 5 s with
a notice (a toast and a chime) on every open panel page; staff answer from the thread and the customer receives
it on WhatsApp; the customer's next message appears in the open thread without a reload; a viewer reads the
thread with no reply box and no buttons."""

import pytest
from playwright.sync_api import expect

from secretaria.panel.formats import phone as formatted

pytestmark = pytest.mark.worker

LIVE_MS = 5_000  # the promise: new messages and handoffs show within 5 s, without reloading


def handoff_toast(page, phone: str):
    return page.locator('[data-inbox-toast="handoff"]', has_text=formatted(phone))


def test_a_handoff_reaches_every_open_tab_and_staff_answer_from_the_thread(page_as, panel):
    inbox = page_as("operator", path="/admin/inbox/")
    viewer = page_as("viewer", path="/admin/cadastros/")  # another person, on another screen
    refused = []  # what the Content Security Policy blocked (no inline script, no eval)
    inbox.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    customer = panel.new_phone()

    panel.customer_says(customer, "Boa tarde, quero falar com um atendente por favor")

    toast = handoff_toast(inbox, customer)
    expect(toast).to_be_visible(timeout=LIVE_MS)
    expect(toast).to_contain_text("Pediu para falar com uma pessoa")
    expect(toast).to_have_attribute("data-sound", "played")
    expect(inbox.locator('[data-section="waiting"]')).to_contain_text(formatted(customer), timeout=LIVE_MS)
    expect(handoff_toast(viewer, customer)).to_be_visible(timeout=LIVE_MS)

    toast.get_by_role("link", name="Abrir a conversa").click()
    expect(inbox.locator('[data-who="customer"]').last).to_contain_text("quero falar com um atendente")
    expect(inbox.locator("[data-thread-head]")).to_contain_text("Pediu para falar com uma pessoa")
    inbox.fill("#inbox-text", "Oi! Aqui é a Carla, da recepção. Como posso ajudar?")
    inbox.get_by_role("button", name="Enviar").click()

    expect(inbox.locator('[data-who="staff"]').last).to_contain_text("Aqui é a Carla")
    panel.wait_for_customer(customer, containing="Aqui é a Carla, da recepção", timeout=15)

    panel.customer_says(customer, "Quero remarcar minha consulta de amanhã")
    expect(inbox.locator('[data-who="customer"]').last).to_contain_text("remarcar minha consulta",
                                                                        timeout=LIVE_MS)

    viewer.goto(inbox.url)  # the viewer reads the same thread: no reply box, no buttons
    expect(viewer.locator('[data-who="staff"]').last).to_contain_text("Aqui é a Carla")
    expect(viewer.locator("[data-readonly]")).to_contain_text("Somente leitura")
    expect(viewer.locator("#inbox-text")).to_have_count(0)
    expect(viewer.locator("[data-action]")).to_have_count(0)
    assert refused == []


def test_the_same_handoff_is_announced_once_per_tab(page_as, panel):
    page = page_as("manager", path="/admin/inbox/")
    customer = panel.new_phone()
    panel.customer_says(customer, "quero falar com uma pessoa")
    expect(handoff_toast(page, customer)).to_have_count(1, timeout=LIVE_MS)

    page.goto(panel.url("/admin/cadastros/"))  # the same tab, another page: the notice remembers
    # the new page's first poll answers that handoff again: nothing new to announce
    page.wait_for_function("() => Number(document.documentElement.dataset.inboxPolls || 0) >= 1")

    expect(handoff_toast(page, customer)).to_have_count(0)
