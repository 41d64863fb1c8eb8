"""Each role logs in to the panel in a real browser and meets what the issue promises it.

viewer: reads, with no edit controls, and a direct edit URL answers 403; operator: the inbox and
the calendar, no settings; manager and owner: the settings too.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.worker

MENU = "nav.panel-menu"


@pytest.mark.parametrize("role", ["owner", "manager", "operator", "viewer"])
def test_each_role_logs_in_and_sees_its_menu(page_as, role):
    page = page_as(role)

    menu = page.locator(MENU)
    expect(menu.get_by_role("link", name="Caixa de entrada")).to_be_visible()
    expect(menu.get_by_role("link", name="Agenda")).to_be_visible()
    settings_link = menu.get_by_role("link", name="Configurações")
    if role == "operator":
        expect(settings_link).to_have_count(0)
    else:
        expect(settings_link).to_be_visible()


def test_a_viewer_sees_no_edit_buttons_and_a_direct_edit_url_is_forbidden(page_as, panel):
    page = page_as("viewer", path="/admin/agenda/service/")

    expect(page.locator("#result_list")).to_be_visible()
    expect(page.get_by_role("link", name="Adicionar")).to_have_count(0)
    response = page.goto(panel.url("/admin/agenda/service/add/"))
    assert response.status == 403


def test_an_operator_is_kept_out_of_the_settings(page_as, panel):
    page = page_as("operator")

    for path in ("/admin/settings/", "/admin/conversations/channel/", "/admin/accounts/user/"):
        assert page.goto(panel.url(path)).status == 403, path
