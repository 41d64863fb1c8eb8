"""The calendar screen as the panel mounts it (secretaria/panel/screens.py)."""

from django.urls import path

from secretaria.admin_sites import tenant_admin
from secretaria.panel.screens import Screen
from secretaria.panel.views import screen_page


def _page(request):
    return screen_page(request, tenant_admin, template="panel/placeholder.html", title="Agenda")


def urls():
    return [path("", _page, name="calendar")]


SCREEN = Screen(name="calendar", label="Agenda", urls=urls, menu_url="calendar", order=30)
