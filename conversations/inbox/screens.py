"""The inbox screen as the panel mounts it (secretaria/panel/screens.py)."""

from django.urls import path

from secretaria.admin_sites import tenant_admin
from secretaria.panel.screens import Screen
from secretaria.panel.views import screen_page


def _page(request):
    return screen_page(request, tenant_admin, template="panel/placeholder.html", title="Caixa de entrada")


def urls():
    return [path("", _page, name="inbox")]


SCREEN = Screen(name="inbox", label="Caixa de entrada", urls=urls, menu_url="inbox", order=20)
