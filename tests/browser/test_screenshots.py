"""The panel's main screens render for the people who use them, and their pictures are kept.

Each screen is opened as the role that lives in it and photographed whole. `make screenshots`
runs this module with PANEL_SCREENSHOTS_DIR=docs/screenshots, which refreshes the pictures the
README shows; `make test` writes them to a temporary folder and checks only that each screen
rendered (no error page, a real picture).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.worker

# (file, role, path): the screens a new user meets first.
SCREENS = [
    ("01-inicio.png", "manager", "/admin/"),
    ("02-caixa-de-entrada.png", "operator", "/admin/inbox/"),
    ("04-agenda-dia.png", "operator", "/admin/calendar/"),
    ("06-configuracoes.png", "manager", "/admin/settings/"),
    ("09-plataforma.png", "platform", "/admin/"),
]


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
def test_the_main_screens_render_and_are_photographed(page_as, panel, shots_dir, name, role, path):
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
