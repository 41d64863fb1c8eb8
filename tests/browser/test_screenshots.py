"""The panel's main screens render for the people who use them, and their pictures are kept.

Each screen is opened as the role that lives in it and photographed whole. `make screenshots`
runs this module with PANEL_SCREENSHOTS_DIR=docs/screenshots, which refreshes the pictures the
README shows; `make test` writes them to a temporary folder and checks only that each screen
rendered (no error page, a real picture).
"""

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.worker

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def next_tuesday() -> date:
    """A working day of the demo clinic in the days ahead, so the calendar's pictures show a real day."""
    today = datetime.now(SAO_PAULO).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


DAY = next_tuesday().isoformat()
# (file, role, path): the screens a new user meets first.
SCREENS = [
    ("01-inicio.png", "manager", "/admin/"),
    ("02-caixa-de-entrada.png", "operator", "/admin/inbox/"),
    ("04-agenda-dia.png", "operator", f"/admin/calendar/?dia={DAY}"),
    ("05-agenda-semana.png", "operator", f"/admin/calendar/semana/?dia={DAY}"),
    ("06-configuracoes.png", "manager", "/admin/settings/"),
    ("09-plataforma.png", "platform", "/admin/"),
]
# (hour, minute, service, professional, customer): a morning on the calendar's day.
BOOKINGS = [
    (9, 0, "Consulta dermatológica", "Dra. Helena Prado", "Mariana Alves"),
    (10, 0, "Limpeza de pele", "Juliana (esteticista)", "Carla Souza"),
    (8, 0, "Peeling químico", "Dra. Marina Costa", "Beatriz Lima"),
    (14, 0, "Consulta dermatológica", "Dra. Helena Prado", "Rafael Nunes"),
]


@pytest.fixture(scope="module")
def booked_day(panel):
    """A few bookings on DAY through the API (a slot already taken by an earlier run answers 409)."""
    api = panel.api("manager")
    try:
        services = {s["name"]: s["id"] for s in api.get("/api/agenda/services").json()["results"]}
        people = {p["name"]: p["id"] for p in api.get("/api/agenda/professionals").json()["results"]}
        day = date.fromisoformat(DAY)
        for index, (hour, minute, service, professional, name) in enumerate(BOOKINGS):
            start = datetime.combine(day, time(hour, minute), tzinfo=SAO_PAULO)
            response = api.post("/api/agenda/appointments", json={
                "phone": f"55119{87650100 + index}", "name": name, "service": services[service],
                "professional": people[professional], "start": start.isoformat()})
            assert response.status_code in (201, 409), response.text
            if response.status_code == 201 and index == 0:
                api.post(f"/api/agenda/appointments/{response.json()['id']}/confirm")
    finally:
        api.close()


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("PANEL_SCREENSHOTS_DIR")
    folder = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(page, folder: Path, name: str) -> None:
    expect(page.locator("#content")).to_be_visible()
    assert "Server Error" not in page.title() and "Erro" not in page.title()
    target = folder / name
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000  # a rendered page, not a blank one


@pytest.mark.parametrize("name, role, path", SCREENS, ids=[s[0] for s in SCREENS])
def test_the_main_screens_render_and_are_photographed(page_as, panel, booked_day, shots_dir, name, role, path):
    page = page_as(role, path=path)

    _shoot(page, shots_dir, name)


def test_a_conversation_thread_is_photographed(page_as, panel, shots_dir):
    phone = panel.new_phone()
    panel.customer_says(phone, "Oi! Queria saber o preço da limpeza de pele")
    panel.wait_for_customer(phone)
    panel.customer_says(phone, "quero falar com um atendente, por favor")
    page = page_as("operator", path="/admin/inbox/")

    page.get_by_text(phone[-4:]).first.click()
    _shoot(page, shots_dir, "03-conversa.png")


def test_the_hours_grid_and_the_tone_preview_are_photographed(page_as, panel, shots_dir):
    api = panel.api("manager")
    try:
        people = {p["name"]: p["id"] for p in api.get("/api/agenda/professionals").json()["results"]}
    finally:
        api.close()
    page = page_as("manager", path=f"/admin/agenda/professional/{people['Dra. Helena Prado']}/horarios/")
    _shoot(page, shots_dir, "07-horarios.png")

    page.goto(panel.url("/admin/conversations/companyprofile/atual/"))
    page.fill("[data-preview-message]", "oi, vocês abrem sábado? quanto custa a limpeza de pele?")
    page.click("[data-preview-send]")
    expect(page.locator("[data-preview-text]")).not_to_be_empty()
    _shoot(page, shots_dir, "08-tom.png")
